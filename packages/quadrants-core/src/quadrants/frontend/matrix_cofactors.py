"""The closed-form determinant and adjugate of 1×1 to 4×4 matrices, written once for kernel code and Python scope.

The formulas are upstream Quadrants' cofactor expansions, term for term, so float results round identically. They
take the arithmetic as ``ops`` (an object with ``add``, ``sub``, ``mul`` and ``neg``: the IR builders of
``frontend/matrix_linalg.py`` in kernel code, Python's :mod:`operator` module for host matrices) and the entries as
``at(row, col)``.
"""

from __future__ import annotations

__all__ = ["determinant_expr", "adjugate_rows"]


def _minor3(ops, e, i: int, j: int):
    """``e(i+1, j+1)·(e(i+2, j+2)·e(i+3, j+3) − e(i+3, j+2)·e(i+2, j+3)) − …``: a 3×3 minor of a 4×4 matrix, its
    entries addressed modulo 4 (upstream's ``E``)."""

    def pair(r1, r2, c1, c2):
        return ops.sub(ops.mul(e(r1, c1), e(r2, c2)), ops.mul(e(r2, c1), e(r1, c2)))

    first = ops.mul(e(i + 1, j + 1), pair(i + 2, i + 3, j + 2, j + 3))
    second = ops.mul(e(i + 2, j + 1), pair(i + 1, i + 3, j + 2, j + 3))
    third = ops.mul(e(i + 3, j + 1), pair(i + 1, i + 2, j + 2, j + 3))
    return ops.add(ops.sub(first, second), third)


def _modular(at, n: int):
    return lambda x, y: at(x % n, y % n)


def determinant_expr(ops, at, n: int):
    """The determinant of an ``n``×``n`` matrix, ``1 <= n <= 4``."""
    mul, sub, add = ops.mul, ops.sub, ops.add
    if n == 1:
        return at(0, 0)
    if n == 2:
        return sub(mul(at(0, 0), at(1, 1)), mul(at(0, 1), at(1, 0)))
    if n == 3:
        t0 = mul(at(0, 0), sub(mul(at(1, 1), at(2, 2)), mul(at(2, 1), at(1, 2))))
        t1 = mul(at(1, 0), sub(mul(at(0, 1), at(2, 2)), mul(at(2, 1), at(0, 2))))
        t2 = mul(at(2, 0), sub(mul(at(0, 1), at(1, 2)), mul(at(1, 1), at(0, 2))))
        return add(sub(t0, t1), t2)
    e = _modular(at, 4)
    det = mul(at(0, 0), 0)  # upstream starts from m[0, 0] * 0, which also fixes the result type
    for i in range(4):
        det = add(det, mul((-1) ** i, mul(at(i, 0), _minor3(ops, e, i, 0))))
    return det


def adjugate_rows(ops, at, n: int) -> list[list]:
    """The adjugate (transposed cofactor matrix) of an ``n``×``n`` matrix, ``2 <= n <= 4``, as rows."""
    if n == 2:
        return [[at(1, 1), ops.neg(at(0, 1))], [ops.neg(at(1, 0)), at(0, 0)]]
    e = _modular(at, n)
    if n == 3:
        return [
            [
                ops.sub(ops.mul(e(i + 1, j + 1), e(i + 2, j + 2)), ops.mul(e(i + 2, j + 1), e(i + 1, j + 2)))
                for i in range(3)
            ]
            for j in range(3)
        ]
    return [[ops.mul((-1) ** (i + j), _minor3(ops, e, i, j)) for i in range(4)] for j in range(4)]
