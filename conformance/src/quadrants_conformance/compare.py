"""The comparison rules of the conformance suite: one observable of the reference against the backend's.

Rules (docs/conformance.md; tolerances in :mod:`quadrants_conformance.tolerance`):

* ints and bools compare exactly; for arrays the dtype must match as well as the shape;
* floats compare with the case's tolerance row (``"exact"`` by default): NaN matches any NaN (NaN classes, not
  payload bits), NaN never matches a number, ``+0.0`` equals ``-0.0`` except under ``"bitwise"``;
* dicts need the same keys; tuples and lists the same length and compare element by element;
* a Python scalar against a NumPy scalar (or a list against an array, as in ``golden``) compares by value: the
  Python side is converted to the NumPy side's dtype for floats, and no dtype check applies;
* anything else (``None``, strings, enums such as ``qd.GraphStatus``) compares with ``==``.

:func:`compare` returns the first :class:`Mismatch` (with the index of the first differing element) or ``None``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from quadrants_conformance.tolerance import TOLERANCES, Tolerance

__all__ = ["Mismatch", "compare", "ulp_distance", "float_mismatches", "summarize", "dtype_name"]

_EXACT = TOLERANCES["exact"]


@dataclass(frozen=True)
class Mismatch:
    """Where two observables differ: ``path`` (``x[2]``, ``r``), what differs, and the first differing element."""

    path: str
    reason: str
    index: tuple[int, ...] | None = None
    expected: Any = None
    actual: Any = None
    detail: str = ""

    def describe(self) -> str:
        """One or two lines for a failure message."""
        where = self.path or "<value>"
        text = f"{where}: {self.reason}"
        if self.index is not None:
            text += f"\n  first difference at index {self.index}: expected {self.expected!r}, got {self.actual!r}"
        if self.detail:
            text += f" ({self.detail})"
        return text


def dtype_name(dtype: np.dtype) -> str:
    """Quadrants' short name of a NumPy number dtype (``float32`` -> ``f32``, ``int8`` -> ``i8``)."""
    dtype = np.dtype(dtype)
    return f"{dtype.kind}{dtype.itemsize * 8}"


def ulp_distance(a: Any, b: Any) -> np.ndarray:
    """Units in the last place between two float arrays of one dtype, as ``uint64`` (0 for ``+0.0`` vs ``-0.0``).

    Computed on the integer view: the sign-magnitude bit pattern is mapped onto a line where consecutive floats are
    consecutive integers, so ``±inf`` is one ULP past the largest finite value. NaN elements give meaningless
    distances; callers mask them first.
    """
    a, b = np.atleast_1d(np.asarray(a)), np.atleast_1d(np.asarray(b))
    if a.dtype != b.dtype or a.dtype.kind != "f":
        raise TypeError(f"ulp_distance needs two float arrays of one dtype, got {a.dtype} and {b.dtype}")
    oa, ob = _ordered(a), _ordered(b)
    same_side = (oa >= 0) == (ob >= 0)
    with np.errstate(over="ignore"):
        within = np.abs(oa - ob).astype(np.uint64)  # no overflow where both lie on one side of zero
    across = np.abs(oa).astype(np.uint64) + np.abs(ob).astype(np.uint64)
    return np.where(same_side, within, across)


def _ordered(x: np.ndarray) -> np.ndarray:
    """Map float bits to int64 so that integer order is float order and both zeros map to 0."""
    itype = np.dtype(f"i{x.itemsize}")
    bits = np.ascontiguousarray(x).view(itype).astype(np.int64)
    smallest = int(np.iinfo(itype).min)
    # A set sign bit means bits == smallest + magnitude; the ordered value is -magnitude.
    return np.where(bits < 0, smallest - bits, bits)


def float_mismatches(expected: np.ndarray, actual: np.ndarray, tol: Tolerance) -> np.ndarray:
    """Boolean mask of the elements of two same-dtype float arrays that do not match under ``tol``."""
    name = dtype_name(expected.dtype)
    e_nan, a_nan = np.isnan(expected), np.isnan(actual)
    bad = e_nan != a_nan
    numbers = ~e_nan & ~a_nan
    if tol.nonfinite_unspecified:
        specified = np.isfinite(expected)
        bad &= specified
        numbers &= specified
    within = ulp_distance(expected, actual).reshape(expected.shape) <= int(tol.ulps.get(name, 0))
    rtol, atol = tol.rtol.get(name, 0), tol.atol.get(name, 0)
    if rtol or atol:
        e64, a64 = expected.astype(np.float64), actual.astype(np.float64)
        with np.errstate(invalid="ignore", over="ignore"):
            within |= np.abs(e64 - a64) <= atol + rtol * np.abs(e64)
    if tol.signed_zeros:
        zeros = (expected == 0) & (actual == 0)
        within &= ~zeros | (np.signbit(expected) == np.signbit(actual))
    return bad | (numbers & ~within)


def _as_array(value: Any) -> Any:
    """Array-like observables that are no NumPy array (a ``qd.Vector`` read from an ndarray, a ``qd.ndarray``) are
    compared by value: their ``==`` is elementwise, and the truth value of its result would say nothing."""
    if not isinstance(value, (np.ndarray, np.generic, list, tuple, dict, str, bytes)) and hasattr(
        type(value), "__array__"
    ):
        return np.asarray(value)
    return value


def compare(expected: Any, actual: Any, tol: Tolerance = _EXACT, path: str = "") -> Mismatch | None:
    """The first difference between ``expected`` (reference or golden) and ``actual``, or ``None``."""
    expected, actual = _as_array(expected), _as_array(actual)
    if isinstance(expected, dict) or isinstance(actual, dict):
        return _compare_dicts(expected, actual, tol, path)
    e_arr, a_arr = isinstance(expected, np.ndarray), isinstance(actual, np.ndarray)
    if e_arr and a_arr:
        return _compare_arrays(expected, actual, tol, path, check_dtype=True)
    if e_arr or a_arr:
        return _compare_mixed(expected, actual, tol, path)
    if isinstance(expected, (list, tuple)) and isinstance(actual, (list, tuple)):
        return _compare_sequences(expected, actual, tol, path)
    e_kind, a_kind = _scalar_kind(expected), _scalar_kind(actual)
    if e_kind or a_kind:
        return _compare_scalars(expected, actual, e_kind, a_kind, tol, path)
    try:
        equal = bool(expected == actual)
    except Exception as exc:  # an object whose == raises cannot be an observable
        return Mismatch(path, f"values cannot be compared ({exc})", expected=expected, actual=actual)
    return None if equal else Mismatch(path, f"expected {summarize(expected)}, got {summarize(actual)}")


def _compare_dicts(expected: Any, actual: Any, tol: Tolerance, path: str) -> Mismatch | None:
    if not (isinstance(expected, dict) and isinstance(actual, dict)):
        return Mismatch(path, f"expected {type(expected).__name__}, got {type(actual).__name__}")
    missing = [k for k in expected if k not in actual]
    extra = [k for k in actual if k not in expected]
    if missing or extra:
        return Mismatch(path, f"keys differ: missing {missing}, unexpected {extra}")
    for key in expected:
        found = compare(expected[key], actual[key], tol, _join(path, key))
        if found:
            return found
    return None


def _compare_sequences(expected: Any, actual: Any, tol: Tolerance, path: str) -> Mismatch | None:
    if len(expected) != len(actual):
        return Mismatch(path, f"length differs: expected {len(expected)}, got {len(actual)}")
    for i, (e, a) in enumerate(zip(expected, actual, strict=True)):
        found = compare(e, a, tol, f"{path}[{i}]")
        if found:
            return found
    return None


def _compare_mixed(expected: Any, actual: Any, tol: Tolerance, path: str) -> Mismatch | None:
    """One side is an ndarray, the other a list, tuple or scalar: compare by value in the array's dtype."""
    array = expected if isinstance(expected, np.ndarray) else actual
    other = actual if array is expected else expected
    try:
        converted = np.asarray(other, dtype=array.dtype if array.dtype.kind in "fc" else None)
    except (TypeError, ValueError) as exc:
        return Mismatch(path, f"cannot compare {summarize(other)} with an array ({exc})")
    if converted.dtype.kind not in "biuf" or array.dtype.kind not in "biuf":
        converted = converted.astype(object)
    e, a = (array, converted) if array is expected else (converted, array)
    return _compare_arrays(e, a, tol, path, check_dtype=False)


def _compare_arrays(e: np.ndarray, a: np.ndarray, tol: Tolerance, path: str, check_dtype: bool) -> Mismatch | None:
    if e.shape != a.shape:
        return Mismatch(path, f"shape differs: expected {e.shape}, got {a.shape}")
    if check_dtype and e.dtype != a.dtype:
        return Mismatch(path, f"dtype differs: expected {e.dtype}, got {a.dtype}")
    detail = ""
    if e.dtype.kind == "f" and a.dtype.kind == "f":
        if e.dtype != a.dtype:  # only by value (golden vs array): compare in the wider dtype
            wide = np.promote_types(e.dtype, a.dtype)
            e, a = e.astype(wide), a.astype(wide)
        bad = float_mismatches(e, a, tol)
        detail = tol.describe(dtype_name(e.dtype))
    elif e.dtype.kind in "biu" and a.dtype.kind in "biu":
        bad = e != a if e.dtype == a.dtype else e.astype(object) != a.astype(object)
    else:
        bad = np.vectorize(lambda x, y: not _equal_objects(x, y), otypes=[bool])(e, a) if e.size else np.zeros(e.shape)
    bad = np.asarray(bad, dtype=bool)
    if not bad.any():
        return None
    index = tuple(int(i) for i in np.argwhere(bad)[0])
    ev, av = e[index], a[index]
    if e.dtype.kind == "f" and a.dtype.kind == "f" and not (np.isnan(ev) or np.isnan(av)):
        ulps = int(ulp_distance(ev, av)[0])
        detail = f"{ulps} ulp apart; {float(ev).hex()} vs {float(av).hex()}; tolerance {detail}"
    count = int(bad.sum())
    reason = f"{count} of {bad.size} element{'s' if bad.size != 1 else ''} differ"
    return Mismatch(path, reason, index=index, expected=_plain(ev), actual=_plain(av), detail=detail)


def _compare_scalars(e: Any, a: Any, e_kind: str | None, a_kind: str | None, tol: Tolerance, path: str):
    if e_kind != a_kind:
        e_type, a_type = e_kind or type(e).__name__, a_kind or type(a).__name__
        return Mismatch(path, f"expected a {e_type} {e!r}, got a {a_type} {a!r}")
    if isinstance(e, np.generic) and isinstance(a, np.generic) and e.dtype != a.dtype:
        return Mismatch(path, f"dtype differs: expected {e.dtype} {e!r}, got {a.dtype} {a!r}")
    if e_kind != "float":
        return None if int(e) == int(a) else Mismatch(path, f"expected {e!r}, got {a!r}", expected=e, actual=a)
    dtype = e.dtype if isinstance(e, np.generic) else a.dtype if isinstance(a, np.generic) else np.dtype(np.float64)
    found = _compare_arrays(np.asarray(e, dtype=dtype), np.asarray(a, dtype=dtype), tol, path, check_dtype=False)
    if found:
        return Mismatch(path, f"expected {e!r}, got {a!r}", expected=_plain(e), actual=_plain(a), detail=found.detail)
    return None


def _scalar_kind(x: Any) -> str | None:
    if isinstance(x, (bool, np.bool_)):
        return "bool"
    if isinstance(x, (int, np.integer)):
        return "int"
    if isinstance(x, (float, np.floating)):
        return "float"
    return None


def _equal_objects(x: Any, y: Any) -> bool:
    return compare(x, y) is None


def _plain(x: Any) -> Any:
    return x.item() if isinstance(x, np.generic) else x


def _join(path: str, key: Any) -> str:
    return str(key) if not path else f"{path}[{key!r}]"


def summarize(value: Any, limit: int = 600) -> str:
    """A readable, bounded text of an observable for repro blocks (arrays abbreviated, long text cut)."""
    if isinstance(value, np.ndarray):
        body = np.array2string(value, threshold=64, edgeitems=4, max_line_width=110)
        text = f"array(shape={value.shape}, dtype={value.dtype}) {body}"
    elif isinstance(value, dict):
        text = "{" + ", ".join(f"{k!r}: {summarize(v, limit)}" for k, v in value.items()) + "}"
    else:
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 20] + f" ... ({len(text) - limit + 20} more chars)"
