"""Upstream's ``qd.lang.ops`` operator functions (``ops.add``, ``ops.logical_not``, ``ops.cmp_lt``, …).

Upstream exposes each Python operator as a function usable both in kernel code and in Python scope. Here each one is
a ``@qd.func`` over the operator itself, so kernel code inlines it with the language's own typing rules
(docs/semantics.md
§4–§6: scalars and, elementwise, vectors and matrices), and called from Python scope it applies the operator to host
values. The math functions, atomics, ``select`` and casts of upstream's ops module are the ``qd.*`` intrinsics
themselves (see :mod:`quadrants.lang.ops`).
"""

from __future__ import annotations

from quadrants.frontend.funcdef import Func

__all__ = [
    "add",
    "sub",
    "mul",
    "truediv",
    "floordiv",
    "mod",
    "pow",
    "neg",
    "bit_not",
    "logical_not",
    "logical_and",
    "logical_or",
    "bit_and",
    "bit_or",
    "bit_xor",
    "bit_shl",
    "bit_sar",
    "cmp_eq",
    "cmp_ne",
    "cmp_lt",
    "cmp_le",
    "cmp_gt",
    "cmp_ge",
]


class _HostAndKernelFunc(Func):
    """A ``@qd.func`` that Python scope may call too (it then runs the Python function on host values)."""

    def __call__(self, *args, **kwargs):
        return self.fn(*args, **kwargs)


def _op(fn) -> _HostAndKernelFunc:
    return _HostAndKernelFunc(fn)


@_op
def add(a, b):
    return a + b


@_op
def sub(a, b):
    return a - b


@_op
def mul(a, b):
    return a * b


@_op
def truediv(a, b):
    return a / b


@_op
def floordiv(a, b):
    return a // b


@_op
def mod(a, b):
    return a % b


@_op
def pow(a, b):
    return a**b


@_op
def neg(a):
    return -a


@_op
def bit_not(a):
    return ~a


@_op
def logical_not(a):
    return a == 0


@_op
def logical_and(a, b):
    return (a != 0) & (b != 0)


@_op
def logical_or(a, b):
    return (a != 0) | (b != 0)


@_op
def bit_and(a, b):
    return a & b


@_op
def bit_or(a, b):
    return a | b


@_op
def bit_xor(a, b):
    return a ^ b


@_op
def bit_shl(a, b):
    return a << b


@_op
def bit_sar(a, b):
    return a >> b


@_op
def cmp_eq(a, b):
    return a == b


@_op
def cmp_ne(a, b):
    return a != b


@_op
def cmp_lt(a, b):
    return a < b


@_op
def cmp_le(a, b):
    return a <= b


@_op
def cmp_gt(a, b):
    return a > b


@_op
def cmp_ge(a, b):
    return a >= b
