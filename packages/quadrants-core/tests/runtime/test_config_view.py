"""qd.cfg (runtime/config_view.py) and qd.extension (runtime/extensions.py)."""

from __future__ import annotations

import platform

import pytest

import quadrants as qd
from quadrants.runtime.extensions import REQUIRES, Extension, is_extension_supported


@pytest.fixture(autouse=True)
def _reset():
    qd.reset()
    yield
    qd.reset()


def test_cfg_is_none_before_init_and_a_view_after():
    assert qd.cfg is None
    qd.init(arch=qd.ref, fast_math=True, random_seed=4)
    assert qd.cfg.arch is qd.ref and qd.cfg.fast_math is True and qd.cfg.random_seed == 4
    assert qd.cfg.default_fp is qd.f32 and qd.cfg.debug_dump_path == "/tmp/ir/"


def test_cpu_is_the_host_arch():
    host = qd.arm64 if platform.machine().lower() in ("arm64", "aarch64") else qd.x64
    assert qd.cpu is host
    qd.init(arch=qd.cpu)
    assert qd.cfg.arch == qd.cpu and qd.cfg.arch.name == host.name
    assert getattr(qd, qd.cfg.arch.name) is qd.cpu


def test_assigning_changes_the_session():
    session = qd.init(arch=qd.ref)
    qd.cfg.fast_math = True
    qd.cfg.cuda_stack_limit = 1024
    qd.cfg.default_ip = qd.i64
    assert session.options.fast_math and session.extra["cuda_stack_limit"] == 1024 and session.default_ip is qd.i64


def test_unknown_attributes_and_arch_are_refused():
    qd.init(arch=qd.ref)
    with pytest.raises(AttributeError, match="no option 'fastmath'"):
        qd.cfg.fastmath  # noqa: B018
    with pytest.raises(AttributeError, match="read-only"):
        qd.cfg.arch = qd.cpu
    with pytest.raises(AttributeError, match="no option"):
        qd.cfg.nonsense = 1


def test_extensions_follow_capabilities():
    assert set(REQUIRES) == set(Extension)
    assert is_extension_supported(qd.ref, qd.extension.data64)
    assert is_extension_supported(qd.ref, qd.extension.assertion)
    assert is_extension_supported(qd.ref, qd.extension.adstack)  # reverse-mode loops: a compiler pass
    for ext in (qd.extension.sparse, qd.extension.quant, qd.extension.mesh):
        assert not is_extension_supported(qd.cpu, ext)
    assert is_extension_supported("ref", "data64")


def test_extension_on_an_unavailable_backend_is_unsupported():
    from quadrants.runtime.state import RUNTIME

    cuda = RUNTIME.backend("llvm-cuda")
    if cuda is not None and cuda.probe().available:
        pytest.skip("a CUDA device is available")
    assert not is_extension_supported(qd.cuda, qd.extension.data64)


def test_an_out_of_tree_backend_reports_its_declared_arch_or_the_hosts():
    from types import SimpleNamespace

    from quadrants.runtime.config_view import session_arch

    def session(archs):
        return SimpleNamespace(arch=None, backend_id="my-backend", backend=SimpleNamespace(archs=archs))

    assert session_arch(session(("vulkan",))) is qd.vulkan
    assert session_arch(session(())) is qd.cpu  # a backend that declares no arch runs on this host
