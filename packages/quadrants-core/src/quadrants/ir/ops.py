"""The one operation table of the IR.

Every pure operation an :class:`~quadrants.ir.nodes.OpExpr` can apply, and every atomic read-modify-write, is a member
of :class:`Op`. :data:`OP_INFO` gives each op its arity, category and printed name. The printer, the verifier, the
reference interpreter and every backend emitter are dicts keyed by ``Op``; tests check that they cover this table.

Type rules are not here: the frontend decides result types (docs/semantics.md §4–§6) and writes them into the IR, so a
backend never re-derives a type.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

__all__ = ["Op", "OpInfo", "OP_INFO", "ATOMIC_OPS", "MATH_UNARY_FLOAT_OPS"]


class Op(enum.Enum):
    # arithmetic (operands already converted to the result type by the frontend)
    ADD = "add"
    SUB = "sub"
    MUL = "mul"
    TRUEDIV = "truediv"  # float operands only
    FLOORDIV = "floordiv"  # ints: floor toward -inf, /0 -> 0; floats: floor(a / b)
    MOD = "mod"  # ints: sign of divisor, %0 -> 0; floats: a - floor(a/b)*b
    RAW_DIV = "raw_div"  # ints: C truncation, /0 -> 0
    RAW_MOD = "raw_mod"
    POW = "pow"  # ints: repeated multiplication (negative exponent rules); floats: IEEE pow
    NEG = "neg"
    ABS = "abs"
    MAX = "max"  # floats: IEEE maximumNumber
    MIN = "min"
    # bitwise (ints only)
    BIT_AND = "bit_and"
    BIT_OR = "bit_or"
    BIT_XOR = "bit_xor"
    BIT_NOT = "bit_not"
    SHL = "shl"  # count masked to the width of the left operand
    SHR = "shr"  # arithmetic for signed, logical for unsigned
    # comparisons: operands of one (promoted) type, result u1
    EQ = "eq"
    NE = "ne"
    LT = "lt"
    LE = "le"
    GT = "gt"
    GE = "ge"
    LOGICAL_NOT = "logical_not"  # int -> u1 (x == 0)
    # selection and conversion
    SELECT = "select"  # (cond, a, b): all operands evaluated
    CAST = "cast"  # numeric conversion to the node's dtype (docs/semantics.md §5)
    BITCAST = "bitcast"  # same width reinterpretation
    # math on floats (result type = operand type)
    SQRT = "sqrt"
    RSQRT = "rsqrt"
    EXP = "exp"
    LOG = "log"
    SIN = "sin"
    COS = "cos"
    TAN = "tan"
    ASIN = "asin"
    ACOS = "acos"
    ATAN = "atan"
    SINH = "sinh"
    COSH = "cosh"
    TANH = "tanh"
    ATAN2 = "atan2"
    FLOOR = "floor"
    CEIL = "ceil"
    ROUND = "round"  # half away from zero
    TRUNC = "trunc"
    # bit counting on ints, result i32
    POPCNT = "popcnt"
    CLZ = "clz"
    FFS = "ffs"
    # atomics (only in AtomicRMW statements); each returns the old value
    ATOMIC_ADD = "atomic_add"
    ATOMIC_MUL = "atomic_mul"
    ATOMIC_MIN = "atomic_min"
    ATOMIC_MAX = "atomic_max"
    ATOMIC_AND = "atomic_and"
    ATOMIC_OR = "atomic_or"
    ATOMIC_XOR = "atomic_xor"
    ATOMIC_EXCHANGE = "atomic_exchange"
    ATOMIC_CAS = "atomic_cas"  # operands (expected, desired)


@dataclass(frozen=True)
class OpInfo:
    """Static facts about one op: ``arity`` (operand count), ``category`` and whether it only accepts floats/ints."""

    arity: int
    category: str
    operands: str = "numeric"  # "numeric", "float", "int", "any"


_ARITH, _BIT, _CMP, _MATH, _CONV, _ATOMIC = "arith", "bitwise", "compare", "math", "convert", "atomic"

OP_INFO: dict[Op, OpInfo] = {
    Op.ADD: OpInfo(2, _ARITH),
    Op.SUB: OpInfo(2, _ARITH),
    Op.MUL: OpInfo(2, _ARITH),
    Op.TRUEDIV: OpInfo(2, _ARITH, "float"),
    Op.FLOORDIV: OpInfo(2, _ARITH),
    Op.MOD: OpInfo(2, _ARITH),
    Op.RAW_DIV: OpInfo(2, _ARITH, "int"),
    Op.RAW_MOD: OpInfo(2, _ARITH, "int"),
    Op.POW: OpInfo(2, _ARITH),
    Op.NEG: OpInfo(1, _ARITH),
    Op.ABS: OpInfo(1, _ARITH),
    Op.MAX: OpInfo(2, _ARITH),
    Op.MIN: OpInfo(2, _ARITH),
    Op.BIT_AND: OpInfo(2, _BIT, "int"),
    Op.BIT_OR: OpInfo(2, _BIT, "int"),
    Op.BIT_XOR: OpInfo(2, _BIT, "int"),
    Op.BIT_NOT: OpInfo(1, _BIT, "int"),
    Op.SHL: OpInfo(2, _BIT, "int"),
    Op.SHR: OpInfo(2, _BIT, "int"),
    Op.EQ: OpInfo(2, _CMP),
    Op.NE: OpInfo(2, _CMP),
    Op.LT: OpInfo(2, _CMP),
    Op.LE: OpInfo(2, _CMP),
    Op.GT: OpInfo(2, _CMP),
    Op.GE: OpInfo(2, _CMP),
    Op.LOGICAL_NOT: OpInfo(1, _CMP, "int"),
    Op.SELECT: OpInfo(3, _CONV, "any"),
    Op.CAST: OpInfo(1, _CONV, "any"),
    Op.BITCAST: OpInfo(1, _CONV, "any"),
    Op.SQRT: OpInfo(1, _MATH, "float"),
    Op.RSQRT: OpInfo(1, _MATH, "float"),
    Op.EXP: OpInfo(1, _MATH, "float"),
    Op.LOG: OpInfo(1, _MATH, "float"),
    Op.SIN: OpInfo(1, _MATH, "float"),
    Op.COS: OpInfo(1, _MATH, "float"),
    Op.TAN: OpInfo(1, _MATH, "float"),
    Op.ASIN: OpInfo(1, _MATH, "float"),
    Op.ACOS: OpInfo(1, _MATH, "float"),
    Op.ATAN: OpInfo(1, _MATH, "float"),
    Op.SINH: OpInfo(1, _MATH, "float"),
    Op.COSH: OpInfo(1, _MATH, "float"),
    Op.TANH: OpInfo(1, _MATH, "float"),
    Op.ATAN2: OpInfo(2, _MATH, "float"),
    Op.FLOOR: OpInfo(1, _MATH, "float"),
    Op.CEIL: OpInfo(1, _MATH, "float"),
    Op.ROUND: OpInfo(1, _MATH, "float"),
    Op.TRUNC: OpInfo(1, _MATH, "float"),
    Op.POPCNT: OpInfo(1, _BIT, "int"),
    Op.CLZ: OpInfo(1, _BIT, "int"),
    Op.FFS: OpInfo(1, _BIT, "int"),
    Op.ATOMIC_ADD: OpInfo(1, _ATOMIC),
    Op.ATOMIC_MUL: OpInfo(1, _ATOMIC),
    Op.ATOMIC_MIN: OpInfo(1, _ATOMIC),
    Op.ATOMIC_MAX: OpInfo(1, _ATOMIC),
    Op.ATOMIC_AND: OpInfo(1, _ATOMIC, "int"),
    Op.ATOMIC_OR: OpInfo(1, _ATOMIC, "int"),
    Op.ATOMIC_XOR: OpInfo(1, _ATOMIC, "int"),
    Op.ATOMIC_EXCHANGE: OpInfo(1, _ATOMIC),
    Op.ATOMIC_CAS: OpInfo(2, _ATOMIC, "int"),
}

ATOMIC_OPS: frozenset[Op] = frozenset(op for op, info in OP_INFO.items() if info.category == _ATOMIC)
MATH_UNARY_FLOAT_OPS: frozenset[Op] = frozenset(
    op for op, info in OP_INFO.items() if info.category == _MATH and info.arity == 1
)

assert set(OP_INFO) == set(Op), "every Op needs an OP_INFO row"
