"""The launch fast path for repeated arguments: the very objects of the previous launch skip their conversion.

A simulation step launches the same kernels with the same argument objects over and over (Genesis passes some twenty
per solver kernel: state dataclasses, static configs, flags). Converting an argument (checking it against its
parameter, building its key component and launch value) is a function of the argument object alone for most
parameter kinds, so a kernel keeps the converted arguments of its latest launch and reuses them when every argument
is *the same object* (``is``) as then, and a launch passing the same number of positional arguments reuses the
conversion of each argument that is the same object as then (a loop launching ``step(state, t)`` with a new ``t``
converts ``t`` alone). That holds for:

* dataclass, data_oriented and template arguments (their key is the object's identity or its hashable value; the
  members they carry are checked by the member memo, runtime/member_memo.py, not here);
* scalars (Python numbers are immutable);
* ``qd.ndarray`` arguments (an ndarray's dtype, shape and storage never change within a session).

It does not hold for arguments copied at each launch (NumPy arrays, host copies of torch tensors, device arrays
reached through DLPack) nor for vectors, matrices and structs passed by value, whose contents may change in place:
a launch with any of those converts every argument. The memo holds the arguments of one launch per kernel (so they
stay alive until the next launch) and is dropped with the kernel's session state.
"""

from __future__ import annotations

import operator

from quadrants.ir import nodes as ir

__all__ = ["ArgMemo"]

_is = operator.is_


def _reusable(bound) -> bool:
    """Whether ``bound`` (one converted argument) is a function of its argument object's identity."""
    if bound.numpy_array is not None or bound.after is not None:
        return False
    spec = bound.spec
    if spec is None:  # a template, dataclass or data_oriented argument (vectors by value are excluded by kind)
        return True
    return isinstance(spec, ir.ScalarArg) or bound.host is not None  # a scalar, or a qd.ndarray


class ArgMemo:
    """The converted arguments of a kernel's latest launch, reused for a launch with the same argument objects;
    ``kinds_ok`` says whether the kernel's parameter kinds allow it at all (no by-value vector/matrix/struct)."""

    __slots__ = ("kinds_ok", "last")

    def __init__(self, kinds_ok: bool = False):
        self.kinds_ok = kinds_ok
        # (argument objects, keyword names, converted arguments, extra): replaced as one value
        self.last: tuple | None = None

    def get(self, args: tuple, kwargs: dict):
        """``(converted arguments, extra)`` of the latest launch when ``args`` and ``kwargs`` are the same objects
        (keywords in the same order), else None; ``extra`` is what the launcher derived from the converted arguments
        alone (the member memo's key)."""
        last = self.last
        if last is None:
            return None
        objects = (*args, *kwargs.values()) if kwargs else args
        if last[1] != (tuple(kwargs) if kwargs else ()) or len(last[0]) != len(objects):
            return None
        if not all(map(_is, objects, last[0])):
            return None
        return last[2], last[3]

    def prior(self, count: int):
        """``(argument objects, converted arguments)`` of the latest launch when it passed ``count`` arguments by
        position alone, else None: a launch that changes some of them converts only those (the conversion of each
        argument is a function of that argument's object alone, as above)."""
        last = self.last
        if last is None or last[1] or len(last[0]) != count:
            return None
        return last[0], last[2]

    def put(self, args: tuple, kwargs: dict, bound: list, extra=None) -> None:
        """Remember this launch's arguments when every one of them may be reused (else forget the last ones)."""
        if self.kinds_ok and all(map(_reusable, bound)):
            objects = (*args, *kwargs.values()) if kwargs else args
            self.last = (objects, tuple(kwargs) if kwargs else (), bound, extra)
        else:
            self.last = None
