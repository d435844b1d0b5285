"""The vector kernels of the matrix-free solvers, for fields (``qd.template()`` parameters) and for ndarrays.

A solver works on the kind of container the user passed (the user's ``matvec`` kernel receives the same kind), so each
kernel exists twice, built once per kind by :func:`vector_kernels`. Work vectors are taken from
:func:`scratch`, which keeps one set per session, kind, shape and dtype: repeated solves reuse the same fields and so
the same compiled kernels (a field parameter specializes on the field's identity).

No ``from __future__ import annotations`` here: the kernels' annotations name locals of :func:`vector_kernels`.
"""

import functools
from types import SimpleNamespace

from quadrants.frontend.annotations import NDArray, template
from quadrants.frontend.intrinsics import grouped
from quadrants.runtime.field import Field
from quadrants.runtime.kernel import kernel
from quadrants.runtime.ndarray import Ndarray
from quadrants.runtime.state import current_session

__all__ = ["vector_kernels", "scratch", "kind_of"]


def kind_of(array) -> str:
    """``"field"`` or ``"ndarray"``; anything else is a ``TypeError``."""
    if isinstance(array, Field):
        return "field"
    if isinstance(array, Ndarray):
        return "ndarray"
    raise TypeError(f"expected a qd.field or qd.ndarray, got {type(array).__name__}")


@functools.cache
def vector_kernels(kind: str, dtype) -> SimpleNamespace:
    """``dot``, ``copy``, ``axpy``, ``xpay``, ``residual`` and the BiCGSTAB updates over one container kind."""
    annotation = template() if kind == "field" else NDArray
    return SimpleNamespace(**_basic_kernels(annotation, dtype), **_bicgstab_kernels(annotation, dtype))


def _basic_kernels(A, dtype) -> dict:
    @kernel
    def dot(p: A, q: A) -> dtype:
        acc = dtype(0.0)
        for idx in grouped(p):
            acc += p[idx] * q[idx]
        return acc

    @kernel
    def copy(src: A, dst: A):
        for idx in grouped(src):
            dst[idx] = src[idx]

    @kernel
    def axpy(y: A, a: dtype, x: A):  # y += a x
        for idx in grouped(y):
            y[idx] += a * x[idx]

    @kernel
    def xpay(y: A, x: A, a: dtype):  # y = x + a y
        for idx in grouped(y):
            y[idx] = x[idx] + a * y[idx]

    @kernel
    def residual(r: A, b: A, ax: A):  # r = b - Ax
        for idx in grouped(r):
            r[idx] = b[idx] - ax[idx]

    return {"dot": dot, "copy": copy, "axpy": axpy, "xpay": xpay, "residual": residual}


def _bicgstab_kernels(A, dtype) -> dict:
    @kernel
    def bicg_p(p: A, r: A, ap: A, beta: dtype, omega: dtype):  # p = r + beta (p - omega Ap)
        for idx in grouped(p):
            p[idx] = r[idx] + beta * (p[idx] - omega * ap[idx])

    @kernel
    def combine(out: A, x: A, a: dtype, y: A):  # out = x + a y
        for idx in grouped(out):
            out[idx] = x[idx] + a * y[idx]

    @kernel
    def bicg_x(x: A, alpha: dtype, p: A, omega: dtype, s: A):  # x += alpha p + omega s
        for idx in grouped(x):
            x[idx] += alpha * p[idx] + omega * s[idx]

    return {"bicg_p": bicg_p, "combine": combine, "bicg_x": bicg_x}


_SCRATCH: dict[tuple, list] = {}


def scratch(kind: str, shape: tuple, dtype, count: int) -> list:
    """``count`` zero-filled work vectors of ``kind``, ``shape`` and ``dtype``, reused across solves of a session."""
    session = current_session()
    key = (session.generation, kind, tuple(shape), dtype)
    found = _SCRATCH.get(key)
    if found is None:
        for stale in [k for k in _SCRATCH if k[0] != session.generation]:
            del _SCRATCH[stale]  # arrays of an ended session are dead
        found = _SCRATCH[key] = []
    while len(found) < count:
        found.append(Field(dtype, shape) if kind == "field" else Ndarray(dtype, shape))
    for array in found[:count]:
        array.fill(0)
    return found[:count]
