"""A ``@qd.func`` return value is converted to the func's return annotation (an explicit cast, as upstream)."""

from __future__ import annotations

import warnings

import pytest

import quadrants as qd


@pytest.fixture(autouse=True)
def ref():
    qd.init(arch=qd.ref)
    yield
    qd.reset()


def test_scalar_and_vector_returns_are_cast_without_warning():
    @qd.func
    def trunc(a: qd.f32) -> qd.i32:
        return a

    @qd.func
    def halves(a: qd.i32) -> qd.types.vector(2, qd.f32):
        return qd.Vector([a, a + 1])

    @qd.func
    def const() -> qd.i32:
        return 2.75  # a compile-time number converts too (and stays compile-time)

    @qd.kernel
    def k(a: qd.f32) -> qd.f32:
        v = halves(trunc(a)) / 2
        return trunc(-a) + v[0] + v[1] * 10 + qd.static(const()) * 100

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert k(3.75) == -3 + 1.5 + 20.0 + 200


def test_unannotated_returns_are_unchanged_and_tuples_convert_per_value():
    @qd.func
    def same(a):
        return a

    @qd.func
    def pair(a: qd.f32) -> (qd.i32, qd.f32):
        return a, a

    @qd.kernel
    def k(a: qd.f32) -> qd.f32:
        p = pair(a)
        return same(a) + p[0] * 10 + p[1] * 100

    assert k(1.5) == pytest.approx(1.5 + 10 + 150)
