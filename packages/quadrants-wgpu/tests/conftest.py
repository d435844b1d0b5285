"""Shared fixtures: IR builders, a ``device`` fixture that skips (with the reason) when no wgpu adapter exists, and
``vulkan_modes``, which runs a test twice: with the device's optional shader features (``native``) and with none of
them (``emulated``: i64 as pairs of u32, compare-exchange float atomics, no f64), as ``QD_WGPU_DISABLE_FEATURES=all``
does for a whole process; ``limits`` patches the binding limits the runtime plans with (and lists the executables
made afterwards)."""

from __future__ import annotations

import itertools

import pytest

from quadrants.ir import dtypes as T, nodes as N
from quadrants.ir.ops import OP_INFO, Op

_ids = itertools.count(1)


def var(name: str, dtype=T.i32) -> N.Var:
    return N.Var(next(_ids), name, dtype)


def op(o: Op, *args, dtype=None) -> N.OpExpr:
    if dtype is None:
        dtype = T.u1 if OP_INFO[o].category == "compare" else args[0].dtype
    return N.OpExpr(o, tuple(args), dtype)


@pytest.fixture(scope="session")
def device():
    """The wgpu device, or a skip naming why there is none."""
    from quadrants_wgpu.runtime.device import get_device, probe_device

    ok, reason, _ = probe_device()
    if not ok:
        pytest.skip(f"no wgpu adapter: {reason}")
    return get_device()


@pytest.fixture(params=["native", "emulated"])
def vulkan_modes(request, device, monkeypatch):
    """``qd.init(arch=qd.vulkan)`` with the device's shader features, then with none (f16 kept: it has no fallback)."""
    import quadrants as qd

    if request.param == "emulated":
        monkeypatch.setattr(device, "features", device.features & {"shader-f16"})
    qd.init(arch=qd.vulkan)
    yield request.param
    qd.reset()


@pytest.fixture
def limits(monkeypatch):
    """``limits(max_binding_bytes, max_buffers)`` patches the device limits the executable plans with; returns the
    list of executables created afterwards."""
    from quadrants_wgpu.runtime import executable

    made = []
    original = executable.WgpuExecutable.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        made.append(self)

    monkeypatch.setattr(executable.WgpuExecutable, "__init__", init)

    def set_limits(max_binding: int, max_buffers: int):
        monkeypatch.setattr(executable, "_limits", lambda dev: (max_binding, max_buffers))
        return made

    return set_limits
