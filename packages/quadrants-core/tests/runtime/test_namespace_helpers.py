"""qd.zero / qd.one / qd.rescale_index (lang/value_helpers.py), qd.dump_compile_config, qd.is_extension_enabled and
qd.x86_64: Python-scope behaviour and user errors (kernel behaviour: conformance test_value_helpers.py)."""

from __future__ import annotations

import numpy as np
import pytest

import quadrants as qd


@pytest.fixture(autouse=True)
def _session():
    qd.init(arch=qd.ref)
    yield
    qd.reset()


def test_zero_and_one_in_python_scope():
    z = qd.zero(qd.Vector([1.5, -2.0]))
    assert isinstance(z, qd.Matrix) and z.to_list() == [0.0, 0.0]
    m = qd.one(qd.Matrix([[1, 2], [3, 4]]))
    assert m.to_numpy().tolist() == [[1, 1], [1, 1]]
    assert qd.zero(7) == 0 and type(qd.zero(7)) is int
    assert qd.one(2.5) == 1.0 and type(qd.one(2.5)) is float
    assert np.isnan(qd.zero(float("nan")))  # x * 0, as upstream


def test_zero_rejects_a_field_in_kernels():
    x = qd.field(qd.f32, shape=4)

    @qd.kernel
    def k():
        y = qd.zero(x)  # noqa: F841

    with pytest.raises(qd.QuadrantsTypeError, match="scalar, vector or matrix"):
        k()


def test_rescale_index_in_python_scope():
    fine = qd.field(qd.f32, shape=(8, 4))
    coarse = qd.field(qd.f32, shape=(2, 8))
    assert qd.rescale_index(fine, coarse, [5, 1]).to_list() == [1, 2]
    assert qd.rescale_index(fine, coarse, qd.Vector([7, 3])).to_list() == [1, 6]
    assert qd.rescale_index(fine.snode, coarse.snode, (4, 0, 9)).to_list() == [1, 0, 9]  # extra components kept
    with pytest.raises(TypeError, match="first argument must be a field or an SNode"):
        qd.rescale_index(np.zeros((8, 4)), coarse, [0, 0])


def test_rescale_index_errors_in_kernels():
    fine = qd.field(qd.i32, shape=(8, 4))

    @qd.kernel
    def not_a_field(a: qd.types.NDArray[qd.i32, 2]):
        for I in qd.grouped(fine):  # noqa: E741 (upstream's name)
            fine[I] = qd.rescale_index(fine, a, I)[0]

    with pytest.raises(qd.QuadrantsTypeError, match="second argument must be a field or an SNode"):
        not_a_field(qd.ndarray(qd.i32, (2, 2)))

    @qd.kernel
    def bad_index():
        fine[0, 0] = qd.rescale_index(fine, fine, 3)[0]

    with pytest.raises(qd.QuadrantsTypeError, match="third argument must be an index"):
        bad_index()


def test_dump_compile_config_prints_sorted_name_value_lines(capsys):
    qd.init(arch=qd.ref, random_seed=7, fast_math=False)
    qd.dump_compile_config()
    lines = capsys.readouterr().out.splitlines()
    names = [line.split("=", 1)[0] for line in lines]
    assert names == sorted(names) and len(names) == len(set(names))
    assert {"arch=ref", "random_seed=7", "fast_math=False", "default_fp=f32", "default_ip=i32"} <= set(lines)


def test_is_extension_enabled_asks_the_session_backend():
    assert qd.is_extension_enabled(qd.extension.data64) is True  # ref has f64 and i64
    assert qd.is_extension_enabled("assertion") is True
    assert qd.is_extension_enabled(qd.extension.adstack) is True  # reverse-mode loops (docs/autodiff.md)
    for out_of_scope in (qd.extension.sparse, qd.extension.quant, qd.extension.mesh):
        assert qd.is_extension_enabled(out_of_scope) is False
    with pytest.raises(ValueError):
        qd.is_extension_enabled("not_an_extension")


def test_x86_64_is_the_x64_arch_and_compat_modules_share_the_objects():
    assert qd.x86_64 is qd.x64
    for name in ("zero", "one", "rescale_index", "dump_compile_config", "is_extension_enabled", "x86_64"):
        assert getattr(qd.lang, name) is getattr(qd, name), name
    assert qd.lang.misc.x86_64 is qd.x64 and qd.lang.misc.is_extension_enabled is qd.is_extension_enabled
    assert qd.lang.impl.zero is qd.zero and qd.lang.impl.one is qd.one
