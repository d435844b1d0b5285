"""Kernel parameters of vector/matrix type (runtime/matrix_param.py, frontend/matrix.py ``param_matrix``)."""

from __future__ import annotations

import numpy as np
import pytest

import quadrants as qd
from quadrants.fastcache.narrow import narrow_args_hash
from quadrants.runtime.args import bind_arguments, make_params


@pytest.fixture(autouse=True)
def ref_session():
    qd.init(arch="ref")
    yield
    qd.reset()


@qd.kernel
def combine(v: qd.types.vector(3, qd.f32), m: qd.types.matrix(2, 2, qd.i32)) -> qd.f32:
    v[0] += m[1, 0]  # a local copy: the kernel may assign its components
    return v.sum() + m.trace()


def test_every_argument_form_is_accepted_and_converted():
    assert combine(qd.Vector([1.0, 2.0, 3.0]), qd.Matrix([[1, 2], [3, 4]])) == 6.0 + 3 + 5
    assert combine([1, 2, 3], np.array([[1, 2], [3, 4]])) == 14.0
    assert combine(np.array([0.5, 0.5, 0.5], np.float64), qd.Matrix([[1, 0], [0, 2]])) == 1.5 + 0 + 3


def test_nested_lists_and_float_to_int_components_are_errors_as_upstream():
    with pytest.raises(TypeError, match="list indices must be integers or slices, not tuple"):
        combine([1, 2, 3], [[1, 0], [0, 2]])
    with pytest.raises(qd.QuadrantsRuntimeTypeError, match="cannot be converted into required type i32"):
        combine([1, 2, 3], np.array([[1.9, 0], [0, 1.2]]))


def test_the_wrong_shape_or_a_non_number_is_an_argument_error():
    with pytest.raises(qd.QuadrantsRuntimeTypeError, match=r"cannot be converted into required type vector\(3, f32\)"):
        combine([1.0, 2.0], [[1, 2], [3, 4]])
    with pytest.raises(qd.QuadrantsRuntimeTypeError, match="of shape"):
        combine(["a", "b", "c"], [[1, 2], [3, 4]])


def test_values_do_not_specialize_and_the_narrow_hash_keys_the_type():
    from quadrants.runtime import state

    params = make_params("combine", combine.resolved_signature(), state.RUNTIME.session)
    first = [
        p.convert(v, state.RUNTIME.session)
        for p, v in zip(params, bind_arguments(params, ([1, 2, 3], np.array([[1, 2], [3, 4]])), {}))
    ]
    second = [
        p.convert(v, state.RUNTIME.session)
        for p, v in zip(params, bind_arguments(params, ([4, 5, 6], np.array([[0, 0], [0, 1]])), {}))
    ]
    assert [b.key for b in first] == [b.key for b in second]
    assert narrow_args_hash(params, first, {}) == narrow_args_hash(params, second, {})
