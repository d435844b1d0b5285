"""Host evaluation of parallel-loop bounds, to size a task's dispatch.

The shader recomputes the bounds itself (so the device never depends on this), but the host must know how many
invocations to launch. Bounds only use constants, scalar arguments, shapes and kernel vars (``ParallelFor``'s
contract), so they are evaluated here with the reference numerics (:data:`quadrants.ir.numerics.OP_HANDLERS`): the
same wraparound and conversions the shader implements. A kernel var is read back from the device on demand.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from quadrants.ir import nodes as N
from quadrants.ir.numerics import OP_HANDLERS, convert, convert_scalar

__all__ = ["evaluate", "is_static", "uses_kernel_vars"]


def is_static(e) -> bool:
    """True when ``e`` is made of constants only (its value can be cached at load time)."""
    if isinstance(e, N.Const):
        return True
    if isinstance(e, N.OpExpr):
        return all(is_static(a) for a in e.args)
    return False


def uses_kernel_vars(e) -> bool:
    """True when evaluating ``e`` needs a kernel var (a device readback)."""
    if isinstance(e, N.LocalRef):
        return True
    if isinstance(e, N.OpExpr):
        return any(uses_kernel_vars(a) for a in e.args)
    return False


def evaluate(e, scalars: dict, shapes: dict, kernel_var: Callable[[N.Var], object]):
    """The value of ``e`` as a NumPy scalar of ``e.dtype``."""
    if isinstance(e, N.Const):
        return np.asarray(convert_scalar(e.value, e.dtype), e.dtype.np)[()]
    if isinstance(e, N.ArgRef):
        return np.asarray(scalars[e.index], e.dtype.np)[()]
    if isinstance(e, N.Shape):
        return e.dtype.np.type(shapes[e.arg][e.axis])
    if isinstance(e, N.LocalRef):
        return np.asarray(kernel_var(e.var), e.dtype.np)[()]
    if isinstance(e, N.OpExpr):
        args = [evaluate(a, scalars, shapes, kernel_var) for a in e.args]
        with np.errstate(all="ignore"):
            out = np.asarray(OP_HANDLERS[e.op]([np.asarray(a) for a in args], e.dtype))
            return convert(out, e.dtype)[()]
    raise TypeError(f"cannot evaluate {type(e).__name__} on the host")
