"""docs/semantics.md §18.2: the purity check of fastcache kernels (in process, reference backend)."""

from __future__ import annotations

import enum
import math
import warnings

import numpy as np
import pytest

import quadrants as qd

lower_const = 3
UPPER_CONST = 4
lower_array = np.zeros(3)
UPPER_FIELD = None  # set by a test (fields need a session)


class E(enum.Enum):
    A = 1
    B = 2


I1 = qd.types.NDArray[qd.i32, 1]
F1 = qd.types.NDArray[qd.f32, 1]


def _out(n=2, dtype=qd.i32):
    return qd.ndarray(dtype, shape=(n,))


def test_lowercase_global_is_an_error_at_the_users_line(cache_dir):
    @qd.kernel(fastcache=True)
    def k(a: I1):
        for i in range(2):
            a[i] = lower_const

    with pytest.raises(qd.QuadrantsCompilationError) as info:
        k(_out())
    text = str(info.value)
    assert "[PURE.VIOLATION]" in text and "Accessing global variable lower_const" in text
    assert "test_purity.py" in text and "a[i] = lower_const" in text
    assert k._primal.src_ll_cache_observations.as_tuple() == (False, False, False, False)
    assert not list((cache_dir / "python_side_cache").glob("*.cache.txt"))  # a failed compile stores nothing


def test_lowercase_global_array_is_an_error(cache_dir):
    @qd.kernel(fastcache=True)
    def k(a: F1):
        for i in range(2):
            a[i] = lower_array[0]

    with pytest.raises(qd.QuadrantsCompilationError, match="Accessing global variable lower_array"):
        k(_out(dtype=qd.f32))


def test_not_checked_without_fastcache(cache_dir):
    @qd.kernel
    def k(a: I1):
        for i in range(2):
            a[i] = lower_const

    a = _out()
    k(a)
    assert a.to_numpy().tolist() == [3, 3]


def test_uppercase_global_warns_and_is_still_cached(cache_dir):
    @qd.kernel(fastcache=True)
    def k(a: I1):
        for i in range(2):
            a[i] = UPPER_CONST

    a = _out()
    with pytest.warns(UserWarning, match=r"\[PURE.VIOLATION\].*UPPER_CONST"):
        k(a)
    assert a.to_numpy().tolist() == [4, 4]
    assert k._primal.src_ll_cache_observations.as_tuple() == (True, False, False, True)


class _Config:
    SIZE = 5
    size = 6


config = _Config()


def test_the_attribute_read_last_decides_upper_or_lower(cache_dir):
    # upstream 1.3.3: config.SIZE warns (an UPPERCASE attribute is a constant), config.size is an error
    @qd.kernel(fastcache=True)
    def upper(a: I1):
        for i in range(2):
            a[i] = config.SIZE

    @qd.kernel(fastcache=True)
    def lower(a: I1):
        for i in range(2):
            a[i] = config.size

    a = _out()
    with pytest.warns(UserWarning, match=r"\[PURE.VIOLATION\].*reads the global config\.SIZE"):
        upper(a)
    assert a.to_numpy().tolist() == [5, 5]
    with pytest.raises(qd.QuadrantsCompilationError, match=r"Accessing global variable config\.size is not allowed"):
        lower(a)


def test_global_inside_static_warns_only(cache_dir):
    @qd.kernel(fastcache=True)
    def k(a: I1):
        for _ in qd.static(range(lower_const)):
            a[0] += 1

    a = _out()
    with pytest.warns(UserWarning, match=r"\[PURE.VIOLATION\].*lower_const.*qd.static"):
        k(a)
    assert a.to_numpy().tolist() == [3, 0]
    assert k._primal.src_ll_cache_observations.cache_stored


def test_enum_member_allowed_but_its_value_is_a_global_access(cache_dir):
    @qd.kernel(fastcache=True)
    def ok(a: I1, t: qd.template()):
        if qd.static(t == E.A):
            a[0] = 1

    a = _out()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ok(a, E.A)
    assert a.to_numpy().tolist() == [1, 0]

    @qd.kernel(fastcache=True)
    def bad(a: I1):
        a[0] = E.B.value

    with pytest.raises(qd.QuadrantsCompilationError, match=r"\[PURE.VIOLATION\].*Accessing global variable E"):
        bad(a)


def test_modules_constants_dtypes_and_funcs_are_allowed(cache_dir):
    @qd.func
    def twice(x):
        return x * 2

    @qd.kernel(fastcache=True)
    def k(a: F1):
        for i in range(2):
            a[i] = qd.cast(twice(math.pi) + np.e, qd.f32)

    a = _out(dtype=qd.f32)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        k(a)
    assert a.to_numpy()[0] == pytest.approx(2 * math.pi + math.e)


def test_violation_in_a_reached_func(cache_dir):
    @qd.func
    def helper(x):
        return x + lower_const

    @qd.kernel(fastcache=True)
    def k(a: I1):
        for i in range(2):
            a[i] = helper(i)

    with pytest.raises(qd.QuadrantsCompilationError, match="Accessing global variable lower_const"):
        k(_out())


def test_closure_variable_is_a_capture(cache_dir):
    n = 5

    @qd.kernel(fastcache=True)
    def k(a: I1):
        a[0] = n

    with pytest.raises(qd.QuadrantsCompilationError, match="Accessing global variable n"):
        k(_out())


def test_uppercase_global_field_runs_but_is_not_cached(cache_dir, caplog):
    global UPPER_FIELD
    UPPER_FIELD = qd.field(qd.i32, shape=(2,))

    @qd.kernel(fastcache=True)
    def k(a: I1):
        for i in range(2):
            UPPER_FIELD[i] += 1
            a[i] = UPPER_FIELD[i]

    a = _out()
    with pytest.warns(UserWarning, match="UPPER_FIELD"):
        k(a)
    assert a.to_numpy().tolist() == [1, 1]
    assert k._primal.src_ll_cache_observations.as_tuple() == (False, False, False, False)
    assert any("[FASTCACHE][INVALID_FUNC]" in r.getMessage() for r in caplog.records)
