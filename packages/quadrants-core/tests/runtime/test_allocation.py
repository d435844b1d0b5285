"""Allocation checks (runtime/allocation.py) and host API errors that name the user's line (issue 17)."""

from __future__ import annotations

import os
import warnings

import numpy as np
import pytest

import quadrants as qd
from quadrants.runtime.allocation import (
    QuadrantsDtypeError,
    QuadrantsMemoryError,
    QuadrantsShapeError,
    check_allocation,
    format_bytes,
    host_memory_bytes,
)

HERE = os.path.basename(__file__)


@pytest.fixture(autouse=True)
def ref_session():
    qd.init(arch="ref")
    yield
    qd.reset()


def located_here(exc: BaseException) -> bool:
    return f'{HERE}", line ' in str(exc)


@pytest.mark.parametrize(
    "make, cls, fragment",
    [
        (lambda: qd.ndarray(qd.i32, -3), QuadrantsShapeError, "(-3,) is not a valid shape for ndarray"),
        (lambda: qd.ndarray(qd.i32, (4, -1)), ValueError, "sizes must not be negative"),
        (lambda: qd.ndarray(qd.i32, 2.5), qd.QuadrantsRuntimeTypeError, "2.5 is not a valid shape"),
        (lambda: qd.ndarray(qd.i32, "abc"), TypeError, "is not a valid shape"),
        (lambda: qd.ndarray("float32", 3), QuadrantsDtypeError, "float32 is not supported as ndarray element type"),
        (lambda: qd.ndarray(None, 3), qd.QuadrantsRuntimeError, "None is not supported as ndarray element type"),
        (lambda: qd.field("f32", shape=4), ValueError, "f32 is not supported"),
        (lambda: qd.ndarray(qd.f32, (1,) * 9), QuadrantsShapeError, "9 axes, more than the 8"),
        (lambda: qd.Vector.ndarray(0, qd.f32, 4), QuadrantsShapeError, "has no components"),
        (lambda: qd.Matrix.ndarray(2, 0, qd.f32, 4), QuadrantsShapeError, "has no components"),
        (lambda: qd.field(qd.f32, shape=(-2,)), qd.QuadrantsRuntimeError, "sizes must not be negative"),
    ],
)
def test_invalid_shapes_and_element_types(make, cls, fragment):
    with pytest.raises(cls, match=fragment.replace("(", r"\(").replace(")", r"\)")) as info:
        make()
    assert isinstance(info.value, qd.QuadrantsRuntimeError) and located_here(info.value)


def test_valid_allocations_still_work():
    assert qd.ndarray(qd.i32, 0).shape == (0,)
    assert qd.ndarray(np.float32, (2, 3)).dtype == qd.f32  # a NumPy type stays accepted
    assert qd.ndarray(int, ()).shape == ()
    assert qd.ndarray(qd.f32, (1,) * 8).shape == (1,) * 8
    assert qd.Vector.ndarray(3, qd.f32, 2).shape == (2,)


@pytest.mark.parametrize("shape", [(1 << 40,), (1 << 21, 1 << 21)])
def test_a_request_past_the_machine_names_its_size_and_the_limit(shape):
    with pytest.raises(QuadrantsMemoryError) as info:
        qd.ndarray(qd.f32, shape)
    message = str(info.value)
    assert isinstance(info.value, MemoryError) and located_here(info.value)
    assert "TiB" in message and "bytes" in message and "the ref backend's limit" in message
    assert format_bytes(host_memory_bytes()) in message and "physical memory" in message


def test_a_field_past_the_machine():
    with pytest.raises(QuadrantsMemoryError, match=r"16\.00 TiB"):
        qd.field(qd.f32, shape=(1 << 42,))


class _Backend:
    id = "tiny"

    def allocation_limit(self):
        return 1000, "a test limit"


def test_a_backend_states_its_limit():
    check_allocation(_Backend(), qd.f32, (250,), ())
    with pytest.raises(QuadrantsMemoryError, match=r"1004 bytes\), more than the tiny backend's limit of 1000 bytes"):
        check_allocation(_Backend(), qd.f32, (251,), ())
    with pytest.raises(QuadrantsMemoryError, match="a test limit"):
        check_allocation(_Backend(), qd.f32, (11,), (5, 5))  # element axes count


def test_host_api_errors_name_the_callers_line():
    a = qd.ndarray(qd.i32, 4)
    calls = [
        (lambda: a.from_numpy(np.zeros(5, np.int32)), ValueError),
        (lambda: a.from_numpy("not an array"), TypeError),
        (lambda: a.to_numpy(dtype="no-such-dtype"), TypeError),
        (lambda: a[7], IndexError),
        (lambda: a.__setitem__(4, 1), IndexError),
        (lambda: a.fill("x"), TypeError),
        (lambda: a.copy_from(qd.ndarray(qd.i32, 5)), AssertionError),
    ]
    for call, cls in calls:
        with pytest.raises(cls) as info:
            call()
        assert located_here(info.value), str(info.value)


def test_copy_from_keeps_upstreams_class_and_message():
    with pytest.raises(AssertionError, match=r"copy_from shape mismatch: destination \(4,\) vs source \(5,\)") as info:
        qd.ndarray(qd.i32, 4).copy_from(qd.ndarray(qd.i32, 5))
    assert isinstance(info.value, qd.QuadrantsAssertionError)


def test_ended_session_and_lossy_copy_point_at_the_user():
    a = qd.ndarray(qd.i32, 4)
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        a.from_numpy(np.ones(4, np.float64))
    assert [os.path.basename(w.filename) for w in seen if "may lose precision" in str(w.message)] == [HERE]
    qd.reset()
    qd.init(arch="ref")
    with pytest.raises(qd.QuadrantsRuntimeError, match=r"created before the latest qd\.init") as info:
        a.to_numpy()
    assert located_here(info.value)


def test_init_errors_name_the_callers_line(monkeypatch):
    with pytest.raises(KeyError) as info:
        qd.init(arch="ref", debgu=True)
    assert located_here(info.value) and "did you mean 'debug'" in str(info.value)
    assert "\\n" not in str(info.value)  # printed as text, not as the repr of a string
    with pytest.raises(RuntimeError) as info:
        qd.init(arch="cuda_typo")
    assert located_here(info.value)
    monkeypatch.setenv("QD_LOG", "cahce")
    with pytest.raises(ValueError, match="cahce") as info:
        qd.init(arch="ref")
    assert located_here(info.value)


def test_read_only_numpy_arrays_may_be_read_but_not_written():
    @qd.kernel
    def total(x: qd.types.NDArray[qd.i32, 1]) -> qd.i32:
        s = 0
        for i in range(x.shape[0]):
            s += x[i]
        return s

    @qd.kernel
    def write(x: qd.types.NDArray[qd.i32, 1]):
        for i in range(x.shape[0]):
            x[i] = 7

    a = np.arange(4, dtype=np.int32)
    a.setflags(write=False)
    assert total(a) == 6
    with pytest.raises(ValueError, match="argument 'x' of kernel 'write' is a read-only NumPy array") as info:
        write(a)
    assert located_here(info.value) and (a == np.arange(4)).all()
    b = np.zeros(4, np.int32)
    write(b)  # a writeable array of the same dtype still works (its own specialization)
    assert (b == 7).all()
