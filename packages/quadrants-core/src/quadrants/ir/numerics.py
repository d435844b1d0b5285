"""Scalar numerics of docs/semantics.md §4.3–§6, vectorised with NumPy: the executable definition of every pure op.

Read this module top to bottom to know what an op computes. The reference backend evaluates every
:class:`~quadrants.ir.nodes.OpExpr` through :data:`OP_HANDLERS`, constant folding goes through :func:`fold` (the same
handlers on 0-d arrays, so a folded constant is bit-identical to run time), and ``qd.u8(300)`` in Python scope goes
through :func:`convert_scalar`.

Handler contract: ``OP_HANDLERS[op](args, dtype)`` takes NumPy arrays (or NumPy scalars) whose dtypes are already the
ones the op expects (the frontend converts operands to the promoted type) and returns values of NumPy dtype
``dtype.np``, where ``dtype`` is the result type written in the IR:

* arithmetic and bitwise ops: operands have the result type; ``SHL``/``SHR``: the left operand has the result type and
  the count may be any integer type;
* comparisons: both operands have one common type, the result is ``u1`` (NumPy ``bool``);
* ``SELECT``: ``(cond, a, b)`` with ``cond`` of any integer/bool type; ``CAST``/``BITCAST``: one operand of any type;
* math ops act on float arrays of the result type; ``POPCNT``/``CLZ``/``FFS`` take any integer type and return i32.

Handlers never raise on values: integer division by zero gives 0, overflow wraps. They may make NumPy emit
floating-point/overflow warnings, so callers evaluate them under ``np.errstate(all="ignore")`` (the reference backend
enters it once per task; :func:`fold` and :func:`convert_scalar` enter it themselves).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from quadrants.ir.conversions import convert, convert_scalar, to_python
from quadrants.ir.dtypes import DataType, from_numpy_dtype, u8
from quadrants.ir.ops import OP_INFO, Op

__all__ = ["OP_HANDLERS", "Handler", "convert", "convert_scalar", "fold", "to_python", "dtype_of"]

Handler = Callable[[list, DataType], np.ndarray]

_UNSIGNED = {1: np.dtype(np.uint8), 8: np.dtype(np.uint8), 16: np.dtype(np.uint16), 32: np.dtype(np.uint32)}
_UNSIGNED[64] = np.dtype(np.uint64)
_I32 = np.dtype(np.int32)


def _bits(npdtype: np.dtype) -> int:
    """Bit width of a NumPy integer/bool dtype (bool counts as 1 bit)."""
    return 1 if npdtype == np.bool_ else npdtype.itemsize * 8


def _as_array(x) -> np.ndarray:
    return x if isinstance(x, np.ndarray) else np.asarray(x)


def _via_u8_for_bool(fn: Handler) -> Handler:
    """Make an integer arithmetic handler work on ``u1``: compute on u8 and keep the low bit (1-bit wraparound)."""

    def handler(args, dtype):
        if dtype.is_bool:
            wide = [np.asarray(a).astype(np.uint8) for a in args]
            return (fn(wide, u8) & np.uint8(1)).astype(np.bool_)
        return fn(args, dtype)

    return handler


# ------------------------------------------------------------------------------------------------ + - * / neg abs


def _add(args, dtype):
    return np.add(args[0], args[1])


def _sub(args, dtype):
    return np.subtract(args[0], args[1])


def _mul(args, dtype):
    return np.multiply(args[0], args[1])


def _truediv(args, dtype):
    # the frontend converts int operands to a float type first (SEMANTICS §4.2); the cast only guards misuse
    r = np.divide(args[0], args[1])
    return r if r.dtype == dtype.np else convert(r, dtype)


def _neg(args, dtype):
    return np.negative(args[0])  # wraps: -INT_MIN = INT_MIN, -u = 2^w - u


def _abs(args, dtype):
    a = args[0]
    if dtype.kind == "uint":
        return a
    return np.abs(a)  # abs(INT_MIN) wraps to INT_MIN


def _max(args, dtype):
    # floats: IEEE maximumNumber (a NaN operand is ignored), which is np.fmax
    return np.fmax(args[0], args[1]) if dtype.is_float else np.maximum(args[0], args[1])


def _min(args, dtype):
    return np.fmin(args[0], args[1]) if dtype.is_float else np.minimum(args[0], args[1])


# ----------------------------------------------------------------------------------------- division and modulo


def _safe_int_divisor(a, b, dtype):
    """(b with 0 and -1 replaced by 1, mask of b == 0, mask of b == -1 or None for unsigned types)."""
    zero = b == 0
    if dtype.kind == "int":
        minus_one = b == dtype.np.type(-1)
        return np.where(zero | minus_one, dtype.np.type(1), b), zero, minus_one
    return np.where(zero, dtype.np.type(1), b), zero, None


def _uniform_plain_divisor(b) -> bool:
    """True when ``b`` is one value that is neither 0 nor -1: NumPy's own int // and % are then exact."""
    return np.ndim(b) == 0 and int(b) not in (0, -1)


def _int_floordiv(a, b, dtype):
    if _uniform_plain_divisor(b):
        return np.floor_divide(a, b)
    safe, zero, minus_one = _safe_int_divisor(a, b, dtype)
    q = np.floor_divide(a, safe)
    if minus_one is not None:
        q = np.where(minus_one, np.negative(a), q)  # INT_MIN // -1 = INT_MIN (wraps)
    return np.where(zero, dtype.np.type(0), q)


def _int_mod(a, b, dtype):
    if _uniform_plain_divisor(b):
        return np.remainder(a, b)
    safe, _zero, _minus_one = _safe_int_divisor(a, b, dtype)
    return np.remainder(a, safe)  # a % 1 == 0 covers both % 0 -> 0 and INT_MIN % -1 -> 0


def _float_floordiv(a, b, dtype):
    return np.floor(np.divide(a, b))  # floor of the rounded quotient (not NumPy's fmod-based floor_divide)


def _float_mod(a, b, dtype):
    # a - floor(a/b)*b with every step rounded to the type, no FMA: x % 0.0 = nan
    return np.subtract(a, np.multiply(np.floor(np.divide(a, b)), b))


def _floordiv(args, dtype):
    a, b = args
    return _float_floordiv(a, b, dtype) if dtype.is_float else _int_floordiv(a, b, dtype)


def _mod(args, dtype):
    a, b = args
    return _float_mod(a, b, dtype) if dtype.is_float else _int_mod(a, b, dtype)


def _raw_div(args, dtype):
    """C truncating division; by zero -> 0; INT_MIN / -1 = INT_MIN."""
    a, b = args
    if dtype.is_float:
        return np.trunc(np.divide(a, b))
    if dtype.kind == "uint":
        return _int_floordiv(a, b, dtype)
    safe, zero, minus_one = _safe_int_divisor(a, b, dtype)
    q = np.floor_divide(a, safe)
    r = np.remainder(a, safe)
    # floor differs from truncation when the remainder is non-zero and the signs differ
    q = np.where((r != 0) & ((a < 0) != (safe < 0)), q + dtype.np.type(1), q)
    q = np.where(minus_one, np.negative(a), q)
    return np.where(zero, dtype.np.type(0), q)


def _raw_mod(args, dtype):
    """C remainder (sign of the dividend); by zero -> 0; INT_MIN % -1 = 0."""
    a, b = args
    if dtype.is_float:
        return np.fmod(a, b)
    if dtype.kind == "uint":
        return _int_mod(a, b, dtype)
    safe, _zero, _minus_one = _safe_int_divisor(a, b, dtype)
    return np.fmod(a, safe)


# ------------------------------------------------------------------------------------------------------- power


def _int_pow(a, b, dtype):
    """Repeated multiplication with wraparound (square-and-multiply over the bits of b); b < 0 per §4.3."""
    t = dtype.np
    a = _as_array(a).astype(t, copy=False)
    b = _as_array(b).astype(t, copy=False)
    negative = (b < t.type(0)) if dtype.kind == "int" else None
    e = np.where(negative, t.type(0), b) if negative is not None else b
    e = e.astype(_UNSIGNED[dtype.bits], copy=False)
    result = np.ones(np.broadcast_shapes(a.shape, b.shape), t)
    base = a
    one_u = e.dtype.type(1)
    for k in range(dtype.bits):
        rest = e >> e.dtype.type(k)
        if not rest.any():
            break
        result = np.where((rest & one_u).astype(np.bool_), np.multiply(result, base), result)
        base = np.multiply(base, base)
    if negative is not None and negative.any():
        one = t.type(1)
        odd = (b & one).astype(np.bool_)
        special = np.where(a == one, one, np.where(a == t.type(-1), np.where(odd, t.type(-1), one), t.type(0)))
        result = np.where(negative, special, result)
    return result


def _pow(args, dtype):
    a, b = args
    if dtype.is_float:
        return _in_f64(np.power, args, dtype)
    return _int_pow(a, b, dtype)


# ----------------------------------------------------------------------------------------------------- bitwise


def _bit_and(args, dtype):
    return np.bitwise_and(args[0], args[1])


def _bit_or(args, dtype):
    return np.bitwise_or(args[0], args[1])


def _bit_xor(args, dtype):
    return np.bitwise_xor(args[0], args[1])


def _bit_not(args, dtype):
    return np.invert(args[0])  # on u1 (NumPy bool) this is logical not, the 1-bit complement


def _shift_count(n, bits: int, unsigned: np.dtype):
    """The count ``n & (w-1)`` as an unsigned array of the left operand's width (any int type in)."""
    n = _as_array(n)
    if n.dtype == unsigned:
        return n & unsigned.type(bits - 1)
    return (n.astype(np.int64) & np.int64(bits - 1)).astype(unsigned)


def _shl(args, dtype):
    a, n = args
    if dtype.is_bool:
        return _as_array(a).astype(np.bool_)  # w = 1: every count is masked to 0
    ut = _UNSIGNED[dtype.bits]
    # shift the unsigned view: no signed-overflow UB, bits above the width are dropped
    return np.left_shift(_as_array(a).view(ut), _shift_count(n, dtype.bits, ut)).view(dtype.np)


def _shr(args, dtype):
    a, n = args
    if dtype.is_bool:
        return _as_array(a).astype(np.bool_)
    ut = _UNSIGNED[dtype.bits]
    count = _shift_count(n, dtype.bits, ut)
    if dtype.kind == "int":
        return np.right_shift(a, count.astype(dtype.np))  # arithmetic
    return np.right_shift(a, count)  # logical


def _unsigned_view(a) -> tuple[np.ndarray, int]:
    a = _as_array(a)
    bits = _bits(a.dtype)
    if a.dtype == np.bool_:
        return a.astype(np.uint8), 1
    return a.view(_UNSIGNED[bits]) if a.dtype.kind == "i" else a, bits


def _bit_length(u: np.ndarray, bits: int) -> np.ndarray:
    """Number of significant bits of each unsigned value, as i32 (binary search over shifts)."""
    u = u.astype(np.uint64)
    length = np.zeros(u.shape, _I32)
    for s in (32, 16, 8, 4, 2, 1):
        if s >= bits:
            continue
        shifted = u >> np.uint64(s)
        high = shifted != 0
        u = np.where(high, shifted, u)
        length = length + np.where(high, np.int32(s), np.int32(0))
    return length + (u != 0).astype(_I32)


def _popcnt(args, dtype):
    u, _ = _unsigned_view(args[0])
    if hasattr(np, "bitwise_count"):
        return np.bitwise_count(u).astype(_I32)
    as_bytes = np.ascontiguousarray(u).view(np.uint8).reshape((*u.shape, u.dtype.itemsize))
    return _BYTE_POPCOUNT[as_bytes].sum(axis=-1).astype(_I32)


_BYTE_POPCOUNT = np.array([bin(k).count("1") for k in range(256)], dtype=np.uint8)


def _clz(args, dtype):
    u, bits = _unsigned_view(args[0])
    return np.int32(bits) - _bit_length(u, bits)  # clz(0) = w, clz(-1) = 0


def _ffs(args, dtype):
    u, bits = _unsigned_view(args[0])
    if bits == 1:
        return u.astype(_I32)
    lowest = u & (~u + u.dtype.type(1))  # isolate the lowest set bit (two's complement on the unsigned view)
    return _bit_length(lowest, bits)  # 1-based index; ffs(0) = 0


# ------------------------------------------------------------------------------------------------- comparisons


def _eq(args, dtype):
    return np.equal(args[0], args[1])


def _ne(args, dtype):
    return np.not_equal(args[0], args[1])  # the only comparison that is true with a NaN operand


def _lt(args, dtype):
    return np.less(args[0], args[1])


def _le(args, dtype):
    return np.less_equal(args[0], args[1])


def _gt(args, dtype):
    return np.greater(args[0], args[1])


def _ge(args, dtype):
    return np.greater_equal(args[0], args[1])


def _logical_not(args, dtype):
    return np.equal(args[0], 0)


# ------------------------------------------------------------------------------------------ select and convert


def _select(args, dtype):
    cond, a, b = args
    if cond.dtype != np.bool_:
        cond = np.not_equal(cond, 0)
    return np.where(cond, a, b)


def _cast(args, dtype):
    return convert(args[0], dtype)


def _bitcast(args, dtype):
    a = _as_array(args[0])
    if a.dtype.itemsize != dtype.np.itemsize or a.dtype == np.bool_ or dtype.is_bool:
        raise TypeError(f"bit_cast needs equal widths: {a.dtype} -> {dtype}")
    return a.view(dtype.np)


# ---------------------------------------------------------------------------------------------- math on floats
#
# Transcendental functions and float ``**`` on f16/f32 operands are evaluated in f64 and rounded once to the result
# type. NumPy's own f32 loops are not one algorithm: on a CPU with AVX-512 (or AVX2) they run vectorised kernels whose
# results differ from the scalar libm fallback by an ULP or more (f32 ``pow``: in about one value in five), so the
# reference's results would depend on the host's SIMD width. Rounding the f64 result gives the correctly rounded f32
# value except when the exact result lies within a few f64 ULPs of a rounding boundary between two f32 values (about
# one input in 2^28), which is the same on every host. f64 operands use NumPy's f64 functions as they are: those may
# differ between hosts by an f64 ULP, which the conformance tolerance table allows (docs/conformance.md).
_WIDENED_MATH = frozenset({"exp", "log", "sin", "cos", "tan", "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh"})
_WIDENED_MATH |= {"arctan2", "power"}


def _in_f64(ufunc, args, dtype: DataType):
    """``ufunc(*args)`` for a float result ``dtype``: narrower than f64 -> computed in f64, rounded once."""
    if dtype.bits >= 64:
        return ufunc(*args)
    wide = [_as_array(a).astype(np.float64) for a in args]
    return ufunc(*wide).astype(dtype.np)


def _unary(ufunc) -> Handler:
    if ufunc.__name__ in _WIDENED_MATH:

        def handler(args, dtype):
            return _in_f64(ufunc, args, dtype)

    else:

        def handler(args, dtype):
            return ufunc(args[0])

    handler.__name__ = f"_{ufunc.__name__}"
    return handler


def _rsqrt(args, dtype):
    x = args[0]
    return np.divide(dtype.np.type(1), np.sqrt(x))


def _atan2(args, dtype):
    return _in_f64(np.arctan2, args, dtype)


def _round(args, dtype):
    """Half away from zero. x - trunc(x) is exact, so 0.49999997f stays 0 (unlike floor(x + 0.5))."""
    x = args[0]
    t = np.trunc(x)
    away = np.abs(np.subtract(x, t)) >= dtype.np.type(0.5)
    return np.where(away, np.add(t, np.copysign(dtype.np.type(1), x)), t)


# ---------------------------------------------------------------------------------------------- the op table

OP_HANDLERS: dict[Op, Handler] = {
    Op.ADD: _via_u8_for_bool(_add),
    Op.SUB: _via_u8_for_bool(_sub),
    Op.MUL: _via_u8_for_bool(_mul),
    Op.TRUEDIV: _truediv,
    Op.FLOORDIV: _via_u8_for_bool(_floordiv),
    Op.MOD: _via_u8_for_bool(_mod),
    Op.RAW_DIV: _via_u8_for_bool(_raw_div),
    Op.RAW_MOD: _via_u8_for_bool(_raw_mod),
    Op.POW: _via_u8_for_bool(_pow),
    Op.NEG: _via_u8_for_bool(_neg),
    Op.ABS: _abs,
    Op.MAX: _max,
    Op.MIN: _min,
    Op.BIT_AND: _bit_and,
    Op.BIT_OR: _bit_or,
    Op.BIT_XOR: _bit_xor,
    Op.BIT_NOT: _bit_not,
    Op.SHL: _shl,
    Op.SHR: _shr,
    Op.EQ: _eq,
    Op.NE: _ne,
    Op.LT: _lt,
    Op.LE: _le,
    Op.GT: _gt,
    Op.GE: _ge,
    Op.LOGICAL_NOT: _logical_not,
    Op.SELECT: _select,
    Op.CAST: _cast,
    Op.BITCAST: _bitcast,
    Op.SQRT: _unary(np.sqrt),
    Op.RSQRT: _rsqrt,
    Op.EXP: _unary(np.exp),
    Op.LOG: _unary(np.log),
    Op.SIN: _unary(np.sin),
    Op.COS: _unary(np.cos),
    Op.TAN: _unary(np.tan),
    Op.ASIN: _unary(np.arcsin),
    Op.ACOS: _unary(np.arccos),
    Op.ATAN: _unary(np.arctan),
    Op.SINH: _unary(np.sinh),
    Op.COSH: _unary(np.cosh),
    Op.TANH: _unary(np.tanh),
    Op.ATAN2: _atan2,
    Op.FLOOR: _unary(np.floor),
    Op.CEIL: _unary(np.ceil),
    Op.ROUND: _round,
    Op.TRUNC: _unary(np.trunc),
    Op.POPCNT: _popcnt,
    Op.CLZ: _clz,
    Op.FFS: _ffs,
}

assert set(OP_HANDLERS) == {op for op, info in OP_INFO.items() if info.category != "atomic"}


def fold(op: Op, values, operand_dtypes, result_dtype: DataType) -> int | float | bool:
    """Evaluate ``op`` on Python scalars exactly as at run time (same handlers, 0-d arrays of the operand types)."""
    with np.errstate(all="ignore"):
        args = [np.asarray(convert_scalar(v, t), dtype=t.np) for v, t in zip(values, operand_dtypes, strict=False)]
        result = OP_HANDLERS[op](args, result_dtype)
        result = _as_array(result)
        if result.dtype != result_dtype.np:
            result = convert(result, result_dtype)
        return to_python(result, result_dtype)


def dtype_of(array) -> DataType:
    """The :class:`DataType` of a NumPy array or scalar (helper for callers that only hold values)."""
    dt = from_numpy_dtype(_as_array(array).dtype)
    if dt is None:
        raise TypeError(f"no quadrants type for NumPy dtype {_as_array(array).dtype}")
    return dt
