"""docs/semantics/numbers.md §4.1 rule 3 with a ``bool`` operand: an integer and ``True``/``False`` (or a ``u1``
local) promote to the integer's type, whatever its width, in either order. Upstream 1.3.3 types an 8-bit integer
with a bool as ``u1`` and wraps the result to one bit (``u8(5) + True == 0``; ``True + u8(5)`` is 6 there): §20 #29.
"""

import quadrants as qd
from quadrants_conformance import case

I64_1 = qd.types.NDArray[qd.i64, 1]


def _bool_arithmetic(dtype):
    @qd.kernel
    def k(x: I64_1, a: dtype):
        b = a > 0  # a u1 local
        x[0] = a + True
        x[1] = True + a
        x[2] = a - True
        x[3] = a * True
        x[4] = a + b
        x[5] = a + False

    x = qd.ndarray(qd.i64, shape=(6,))
    k(x, 5)
    return x.to_numpy()


@case(section="4.1", requires=("u8", "i8", "i64"), golden={"u8": [6, 6, 4, 5, 6, 5], "i8": [6, 6, 4, 5, 6, 5]})
def eight_bit_integer_with_a_bool_keeps_its_type():
    return {"u8": _bool_arithmetic(qd.u8), "i8": _bool_arithmetic(qd.i8)}


@case(section="4.1", requires=("i64",), golden={"i32": [6, 6, 4, 5, 6, 5], "u16": [6, 6, 4, 5, 6, 5]})
def wider_integer_with_a_bool_keeps_its_type():
    return {"i32": _bool_arithmetic(qd.i32), "u16": _bool_arithmetic(qd.u16)}
