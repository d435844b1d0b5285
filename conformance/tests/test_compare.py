"""The comparison rules and the tolerance table."""

from __future__ import annotations

import numpy as np
import pytest

from quadrants_conformance.compare import compare, float_mismatches, summarize, ulp_distance
from quadrants_conformance.tolerance import TOLERANCES, lookup

EXACT = TOLERANCES["exact"]


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_ulp_distance_of_neighbours_is_one(dtype):
    one = np.array([1.0, -1.0, 1e-3], dtype=dtype)
    up = np.nextafter(one, np.array(np.inf, dtype=dtype))
    assert ulp_distance(one, up).tolist() == [1, 1, 1]
    assert ulp_distance(up, one).tolist() == [1, 1, 1]


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_ulp_distance_across_zero_counts_both_sides(dtype):
    tiny = np.array(np.finfo(dtype).smallest_subnormal, dtype=dtype)
    assert ulp_distance(tiny, -tiny)[0] == 2
    assert ulp_distance(np.array(0.0, dtype=dtype), np.array(-0.0, dtype=dtype))[0] == 0
    assert ulp_distance(np.array(0.0, dtype=dtype), tiny)[0] == 1


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_ulp_distance_inf_is_one_past_max(dtype):
    big = np.array(np.finfo(dtype).max, dtype=dtype)
    assert ulp_distance(big, np.array(np.inf, dtype=dtype))[0] == 1
    assert ulp_distance(np.array(np.inf, dtype=dtype), np.array(np.inf, dtype=dtype))[0] == 0


def test_ulp_distance_f64_extremes_do_not_overflow():
    d = ulp_distance(np.array([np.inf]), np.array([-np.inf]))[0]
    assert d == 2 * 0x7FF0000000000000
    assert ulp_distance(np.array([1.0]), np.array([-1.0]))[0] == 2 * 0x3FF0000000000000


def test_ulp_distance_needs_same_float_dtype():
    with pytest.raises(TypeError):
        ulp_distance(np.float32(1), np.float64(1))
    with pytest.raises(TypeError):
        ulp_distance(np.int32(1), np.int32(1))


def test_nan_payloads_and_signs_are_one_class():
    quiet = np.array([np.nan], dtype=np.float32)
    other = np.array([0x7FC00123], dtype=np.uint32).view(np.float32)
    negative = -quiet
    assert compare(quiet, other) is None
    assert compare(quiet, negative) is None
    assert compare(float("nan"), float("-nan")) is None


def test_nan_against_number_differs_under_every_row():
    for row in TOLERANCES.values():
        found = compare(np.array([1.0, np.nan]), np.array([1.0, 2.0]), row)
        if row.nonfinite_unspecified:
            assert found is None  # fast_math: NaN results are unspecified
        else:
            assert found is not None and found.index == (1,)
        assert compare(np.array([2.0]), np.array([np.nan]), row) is not None


def test_signed_zero_equal_unless_bitwise():
    assert compare(np.array([0.0]), np.array([-0.0])) is None
    assert compare(0.0, -0.0) is None
    found = compare(np.array([1.0, 0.0]), np.array([1.0, -0.0]), lookup("bitwise"))
    assert found is not None and found.index == (1,)
    assert compare(np.array([np.nan]), np.array([-np.nan]), lookup("bitwise")) is None


def test_exact_rejects_one_ulp():
    a = np.array([1.0, 2.0, 3.0], dtype=np.float32)
    b = a.copy()
    b[2] = np.nextafter(b[2], np.float32(10))
    found = compare(a, b)
    assert found is not None
    assert found.index == (2,)
    assert "1 ulp apart" in found.detail
    assert "1 of 3 elements differ" in found.reason


def test_transcendental_budget_per_dtype():
    row = lookup("transcendental")
    x = np.array([0.7], dtype=np.float32)
    for steps, ok in [(4, True), (5, False)]:
        y = x.copy()
        for _ in range(steps):
            y = np.nextafter(y, np.float32(2))
        assert (compare(x, y, row) is None) is ok, steps
    # the absolute floor keeps results that cancel to near zero from failing on ULP distance
    assert compare(np.array([0.0], dtype=np.float32), np.array([-8.7e-8], dtype=np.float32), row) is None
    assert compare(np.array([0.0], dtype=np.float32), np.array([1e-3], dtype=np.float32), row) is not None


def test_reduction_uses_relative_tolerance():
    row = lookup("reduction")
    assert compare(np.float32(1000.0), np.float32(1000.005), row) is None
    assert compare(np.float32(1000.0), np.float32(1000.5), row) is not None


def test_simulation_row_allows_amplified_rounding_but_not_a_wrong_result():
    row = lookup("simulation")
    assert compare(np.float32(0.7), np.float32(0.7 + 2.7e-5), row) is None  # atomics order, amplified
    assert compare(np.float32(0.0), np.float32(5e-5), row) is None  # absolute floor near zero
    assert compare(np.float32(0.7), np.float32(0.71), row) is not None
    assert compare(np.array([1.0], np.float64), np.array([1.0 + 1e-6]), row) is not None


def test_fast_math_ignores_nonfinite_reference_elements():
    row = lookup("fast_math")
    mask = float_mismatches(np.array([np.inf, 1.0]), np.array([3.0, 1.0 + 1e-12]), row)
    assert mask.tolist() == [False, False]


def test_ints_exact_and_dtype_must_match():
    assert compare(np.array([1, 2], dtype=np.int32), np.array([1, 2], dtype=np.int32)) is None
    found = compare(np.array([1, 2], dtype=np.int32), np.array([1, 2], dtype=np.int64))
    assert found is not None and "dtype differs" in found.reason
    found = compare(np.array([1, 2], dtype=np.uint8), np.array([1, 3], dtype=np.uint8))
    assert found is not None and (found.expected, found.actual) == (2, 3)


def test_bool_arrays_exact():
    found = compare(np.array([True, False]), np.array([True, True]))
    assert found is not None and found.index == (1,)


def test_shape_mismatch():
    found = compare(np.zeros((2, 3), np.float32), np.zeros((3, 2), np.float32))
    assert found is not None and "shape differs" in found.reason
    assert compare(np.zeros((2,), np.int32), np.zeros((2, 1), np.int32)) is not None


def test_first_difference_index_in_2d():
    a = np.zeros((3, 4), np.int32)
    b = a.copy()
    b[1, 2] = 7
    b[2, 0] = 9
    found = compare(a, b, path="x")
    assert found.index == (1, 2) and found.path == "x" and "2 of 12" in found.reason
    assert "x: 2 of 12 elements differ" in found.describe()


def test_python_vs_numpy_scalars_by_value():
    assert compare(5, np.int32(5)) is None
    assert compare(np.int64(5), 5) is None
    assert compare(0.1, np.float32(0.1)) is None  # the Python side is taken in the NumPy side's dtype
    assert compare(True, np.bool_(True)) is None
    assert compare(5, np.int32(6)) is not None


def test_scalar_kinds_must_match():
    assert compare(1, 1.0) is not None
    assert compare(True, 1) is not None
    assert compare(np.int32(1), np.int64(1)) is not None  # two NumPy scalars: dtype checked


def test_golden_lists_against_arrays():
    assert compare([1, 2, 3], np.array([1, 2, 3], dtype=np.int8)) is None
    assert compare([[1.5, 2.0]], np.array([[1.5, 2.0]], dtype=np.float32)) is None
    found = compare([1, 2, 3], np.array([1, 2, 4], dtype=np.int8))
    assert found is not None and found.index == (2,)
    assert compare([1, 2], np.array([1, 2, 3])) is not None


def test_dicts_tuples_lists_recursively():
    ref = {"x": np.array([1, 2], np.int32), "r": (1, 2.5, [True, None])}
    assert compare(ref, {"x": np.array([1, 2], np.int32), "r": (1, 2.5, [True, None])}) is None
    found = compare(ref, {"x": np.array([1, 2], np.int32), "r": (1, 2.5, [False, None])})
    assert found is not None and found.path == "r[2][0]"
    assert "keys differ" in compare(ref, {"x": ref["x"]}).reason
    assert "length differs" in compare((1, 2), (1, 2, 3)).reason


def test_other_objects_compare_with_eq():
    assert compare("done", "done") is None
    assert compare(None, None) is None
    assert compare("done", "again") is not None


def test_unknown_tolerance_row_names_the_known_ones():
    with pytest.raises(KeyError, match="transcendental"):
        lookup("approximately")


def test_tolerance_table_covers_every_float_dtype():
    for row in TOLERANCES.values():
        for table in (row.ulps, row.rtol, row.atol):
            assert set(table) == {"f16", "f32", "f64"}, row.name
    assert TOLERANCES["exact"].exact and not TOLERANCES["transcendental"].exact


def test_summarize_is_bounded():
    text = summarize(np.arange(10_000), limit=200)
    assert len(text) <= 200 and "shape=(10000,)" in text


class _ElementwiseVector:
    """Like a host ``qd.Vector``: ``==`` is elementwise and its result is truthy whatever the values."""

    def __init__(self, values):
        self.values = list(values)

    def __eq__(self, other):
        return [a == b for a, b in zip(self.values, other)]

    __hash__ = None

    def __array__(self, dtype=None, copy=None):
        return np.array(self.values, dtype=dtype)


def test_array_like_observables_compare_by_value():
    assert compare(_ElementwiseVector([1.0, 2.0]), _ElementwiseVector([1.0, 2.0])) is None
    assert compare(_ElementwiseVector([1.0, 2.0]), _ElementwiseVector([1.0, 3.0])) is not None
    assert compare([1.0, 3.0], _ElementwiseVector([1.0, 2.0])) is not None  # a golden list against a vector
