"""What ``dir()`` of a runtime class lists: its API as upstream lists it.

``dir(qd.Ndarray)`` / ``dir(qd.Field)`` in upstream Quadrants list the methods and properties a program calls;
per-object values (an ndarray's ``dtype``, a field's ``grad``) are instance attributes there and so do not appear
on the class. Here some of those values are properties, and the runtime adds accessors of its own (``storage()``,
``scalar_dtype``, ``ndim``) that layers below the public API use. A class whose metaclass is :class:`ListedApi`
names those in ``_qd_unlisted``: ``dir(cls)`` leaves them out, while attribute access and ``dir(obj)`` of an
instance are unchanged.
"""

from __future__ import annotations

__all__ = ["ListedApi"]


class ListedApi(type):
    """Metaclass: ``dir(cls)`` without the names of ``cls._qd_unlisted`` (inherited unless a class sets its own)."""

    def __dir__(cls) -> list[str]:
        unlisted = getattr(cls, "_qd_unlisted", frozenset())
        return [name for name in super().__dir__() if name not in unlisted]
