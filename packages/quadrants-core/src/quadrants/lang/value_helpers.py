"""``qd.zero``, ``qd.one`` and ``qd.rescale_index``: usable in kernels and in Python scope (docs/language.md).

Each public object is a host callable (its Python-scope behaviour, below) whose ``_qd_constructor`` hook lowers the
same call in kernel code (``frontend/like_values.py``, reached from ``frontend/calls.py``).

Upstream lets ``qd.zero`` / ``qd.one`` be called only inside kernels and funcs; here they also work in Python scope
(on numbers and host ``qd.Vector`` / ``qd.Matrix`` values) with the same results.
"""

from __future__ import annotations

from quadrants.errors import QuadrantsTypeError
from quadrants.frontend.like_values import lower_one, lower_rescale_index, lower_zero, static_shape
from quadrants.runtime.host_matrix import Vector

__all__ = ["zero", "one", "rescale_index"]


class _DualScopeFunction:
    """A function of the ``qd`` namespace that runs as plain Python on the host and is lowered in kernel code."""

    def __init__(self, host, lower):
        self.__name__ = self.__qualname__ = host.__name__
        self.__doc__ = host.__doc__
        self.__wrapped__ = host
        self._host, self._lower = host, lower

    def __repr__(self) -> str:
        return f"<quadrants function qd.{self.__name__}>"

    def __call__(self, *args, **kwargs):
        return self._host(*args, **kwargs)

    def _qd_constructor(self, ctx, node, args, kwargs):
        try:
            return self._lower(ctx, node, *args, **kwargs)
        except TypeError as exc:  # wrong arity or keyword: say which function
            raise QuadrantsTypeError(f"qd.{self.__name__}(): {exc}", ctx.loc(node)) from None


def zero(x):
    """A value of ``x``'s shape with every component 0: ``x * 0``, as upstream defines it.

    ``x`` is a scalar, ``qd.Vector`` or ``qd.Matrix``: ``qd.zero(qd.Vector([1.5, 2.0]))`` is ``[0.0, 0.0]`` of the
    vector's float type. The type is that of ``x * 0`` with an integer literal: floats, i32/u32 and 64-bit ints keep
    their type, narrower ints become i32 (as in upstream).
    """
    return x * 0


def one(x):
    """A value of ``x``'s shape and type with every component 1 (``x * 0 + 1``, as upstream)."""
    return x * 0 + 1


def rescale_index(a, b, I):  # noqa: E741 (upstream's parameter name)
    """The index of field/SNode ``b`` whose cell covers index ``I`` of field/SNode ``a``.

    For each axis both have: ``I[k] // (a.shape[k] // b.shape[k])`` when ``a`` has more cells along it,
    ``I[k] * (b.shape[k] // a.shape[k])`` when it has fewer, ``I[k]`` when they are equal; the other components of
    ``I`` are kept. ``I`` is a grouped index, a ``qd.Vector`` or a list; the result is a ``qd.Vector`` of ``len(I)``
    integers. Typical use: ``for I in qd.grouped(x): coarse[qd.rescale_index(x, coarse, I)] += x[I]``.
    """
    shapes = [static_shape(a), static_shape(b)]
    for which, shape in zip(("first", "second"), shapes):
        if shape is None:
            raise TypeError(f"qd.rescale_index: the {which} argument must be a field or an SNode")
    items = [int(v) for v in (I.to_list() if hasattr(I, "to_list") else I)]
    for k in range(min(len(items), len(shapes[0]), len(shapes[1]))):
        sa, sb = shapes[0][k], shapes[1][k]
        if sa > sb:
            items[k] //= sa // sb
        elif sa < sb:
            items[k] *= sb // sa
    return Vector(items)


zero = _DualScopeFunction(zero, lower_zero)
one = _DualScopeFunction(one, lower_one)
rescale_index = _DualScopeFunction(rescale_index, lower_rescale_index)
