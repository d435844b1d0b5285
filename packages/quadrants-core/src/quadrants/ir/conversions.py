"""Value conversions by SEMANTICS §5, on NumPy arrays and host scalars.

The bottom of the IR layer: it works on a dtype's attributes (``np``, ``kind``, ``bits``, ``is_bool``,
``is_float``, ``min``, ``max``) and never imports :mod:`quadrants.ir.dtypes`, so ``DataType.__call__`` (host
conversion, ``qd.i32(2.7)``) can use it without an import cycle. :mod:`quadrants.ir.numerics` re-exports it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # annotations only
    from quadrants.ir.dtypes import DataType

__all__ = ["convert", "convert_scalar", "to_python"]


def _as_array(x) -> np.ndarray:
    return x if isinstance(x, np.ndarray) else np.asarray(x)


def convert(array, dst: DataType) -> np.ndarray:
    """Convert a NumPy array (or scalar) to ``dst`` by SEMANTICS §5. Returns the input itself when no work is needed.

    int→int wraps; int→float and float→float round to nearest even; float→int truncates toward zero, saturates to the
    target range and maps NaN to 0; anything→u1 is ``x != 0`` (NaN → true); u1→number is 0/1.
    """
    array = _as_array(array)
    src = array.dtype
    if src == dst.np:
        return array
    if dst.is_bool:
        return np.not_equal(array, 0)
    if src.kind == "f" and not dst.is_float:
        return _float_to_int(array, dst)
    return array.astype(dst.np)


def _float_to_int(x: np.ndarray, dst: DataType) -> np.ndarray:
    # f16/f32 widen exactly to f64; the range limits are powers of two, so the comparisons are exact in f64
    t = np.trunc(x.astype(np.float64))
    if dst.kind == "int":
        too_low = t < -(2.0 ** (dst.bits - 1))
        too_high = t >= 2.0 ** (dst.bits - 1)
    else:
        too_low = t < 0.0
        too_high = t >= 2.0**dst.bits
    nan = np.isnan(t)
    outside = too_low | too_high | nan
    inside = np.where(outside, 0.0, t).astype(dst.np)  # every remaining value is exactly representable
    out = np.where(too_high, dst.np.type(dst.max), inside)
    return np.where(too_low, dst.np.type(dst.min), out)


def _round_int_to_bits(value: int, precision: int) -> int:
    """Round a Python int to ``precision`` significant bits, ties to even (exact, no detour through f64)."""
    magnitude = abs(value)
    shift = magnitude.bit_length() - precision
    if shift <= 0:
        return value
    q, r = divmod(magnitude, 1 << shift)
    half = 1 << (shift - 1)
    if r > half or (r == half and q & 1):
        q += 1
    rounded = q << shift
    return rounded if value >= 0 else -rounded


_PRECISION = {16: 11, 32: 24, 64: 53}


def _int_to_float(value: int, dst: DataType) -> float:
    rounded = _round_int_to_bits(value, _PRECISION[dst.bits])
    try:
        wide = float(rounded)  # exact: rounded has at most 53 significant bits
    except OverflowError:
        wide = float("inf") if rounded > 0 else float("-inf")
    with np.errstate(all="ignore"):
        return float(dst.np.type(wide))  # exact, or overflow to ±inf


def convert_scalar(value, dtype: DataType) -> int | float | bool:
    """Convert a host value (Python or NumPy scalar) to ``dtype`` by §5; returns a Python ``int``/``float``/``bool``.

    ``convert_scalar(300, u8) == 44``, ``convert_scalar(2.5e10, i32) == 2147483647``, ``convert_scalar(0.1, f32)`` is
    the f32-rounded value as a Python float, ``convert_scalar(5, u1) is True``.
    """
    if isinstance(value, (bool, np.bool_)):
        value = int(value)
    if isinstance(value, (int, np.integer)):
        v = int(value)
        if dtype.is_bool:
            return v != 0
        if dtype.is_float:
            return _int_to_float(v, dtype)
        v &= (1 << dtype.bits) - 1
        if dtype.kind == "int" and v >> (dtype.bits - 1):
            v -= 1 << dtype.bits
        return v
    if isinstance(value, (float, np.floating)):
        src = value if isinstance(value, np.floating) else np.float64(value)
        with np.errstate(all="ignore"):
            return to_python(convert(np.asarray(src), dtype), dtype)
    raise TypeError(f"cannot convert {type(value).__name__} {value!r} to {dtype}")


def to_python(value, dtype: DataType) -> int | float | bool:
    """A NumPy scalar or 0-d/1-element array of type ``dtype`` as a Python ``int``/``float``/``bool``."""
    item = np.asarray(value).reshape(-1)[0].item()
    if dtype.is_bool:
        return bool(item)
    return float(item) if dtype.is_float else int(item)
