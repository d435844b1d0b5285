"""The wgpu adapter and device: selection, limits, shader/pipeline caches and batched readback.

Adapter selection prefers a discrete GPU, then an integrated one, then a software rasterizer (Mesa's lavapipe on
Vulkan), among the Vulkan, Metal and DX12 backends (the GL backend has no storage-buffer compute worth using). One
device is created per process, lazily, with the adapter's largest buffer limits (saxpy over 2^26 floats binds 256 MiB
buffers, beyond WebGPU's default 128 MiB) and every shader feature of
:data:`~quadrants_wgpu.wgsl.target.SHADER_FEATURES` that the adapter offers (64-bit types, float atomics, f16),
except those named by ``QD_WGPU_DISABLE_FEATURES`` (read through :mod:`quadrants.config`). Whether f32 division and
sqrt need correcting is decided per adapter at creation (:mod:`quadrants_wgpu.runtime.rounding`).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from quadrants_wgpu.runtime.rounding import decide
from quadrants_wgpu.runtime.waits import submit_interruptibly, wait_interruptibly
from quadrants_wgpu.wgsl.target import SHADER_FEATURES, ShaderTarget, parse_disabled

__all__ = ["Device", "get_device", "probe_device", "read_ranges", "requested_features"]

_KIND_RANK = {"DiscreteGPU": 0, "IntegratedGPU": 1, "VirtualGPU": 2, "CPU": 3}
# Pipelines kept for reuse by shader text. Bounded: a process that compiles many distinct kernels (a fuzzer, a
# long-running service, repeated qd.init) must not keep every pipeline it ever made (a lavapipe pipeline holds its
# JIT-compiled code, megabytes). Executables hold their own pipelines, so eviction only drops the cache's reference.
PIPELINE_CACHE_SIZE = 128
_BACKENDS = ("Vulkan", "Metal", "D3D12")


@dataclass
class Device:
    """The process-wide wgpu device and what depends on it."""

    adapter: Any
    device: Any
    features: frozenset[str]  # the shader features the device was created with (SHADER_FEATURES)
    description: str
    is_software: bool
    corrected_div_sqrt: bool = False  # f32 / and sqrt through correctly rounding helpers (runtime/rounding.py)
    pipelines: OrderedDict[tuple, tuple[Any, Any]] = field(default_factory=OrderedDict)  # LRU order
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def queue(self):
        return self.device.queue

    @property
    def target(self) -> ShaderTarget:
        """What the emitter may use on this device."""
        return ShaderTarget.from_features(self.features, self.corrected_div_sqrt)

    @property
    def f16(self) -> bool:
        return self.target.f16

    def pipeline(self, wgsl: str, bindings: tuple[tuple[int, bool], ...]):
        """``(compute pipeline, bind group layout)`` for a shader, cached by its text and binding access modes."""
        import wgpu

        key = (wgsl, tuple(ro for _, ro in bindings))
        hit = self.pipelines.get(key)
        if hit is not None:
            self.pipelines.move_to_end(key)
            return hit
        module = self.device.create_shader_module(code=wgsl)
        storage = wgpu.BufferBindingType.storage
        read_only = wgpu.BufferBindingType.read_only_storage
        entries = [
            {"binding": 0, "visibility": wgpu.ShaderStage.COMPUTE, "buffer": {"type": read_only}},
            {"binding": 1, "visibility": wgpu.ShaderStage.COMPUTE, "buffer": {"type": storage}},
            {"binding": 2, "visibility": wgpu.ShaderStage.COMPUTE, "buffer": {"type": storage}},
        ]
        for k, (_, ro) in enumerate(bindings):
            entries.append(
                {
                    "binding": 3 + k,
                    "visibility": wgpu.ShaderStage.COMPUTE,
                    "buffer": {"type": read_only if ro else storage},
                }
            )
        bgl = self.device.create_bind_group_layout(entries=entries)
        layout = self.device.create_pipeline_layout(bind_group_layouts=[bgl])
        pipeline = self.device.create_compute_pipeline(layout=layout, compute={"module": module, "entry_point": "main"})
        self.pipelines[key] = (pipeline, bgl)
        while len(self.pipelines) > PIPELINE_CACHE_SIZE:
            self.pipelines.popitem(last=False)
        return pipeline, bgl


_STATE: dict[str, Any] = {}


def _pick_adapter():
    import wgpu

    try:  # the GL backend only adds noise (and EGL warnings on headless machines)
        from wgpu.backends.wgpu_native.extras import set_instance_extras

        set_instance_extras(backends=["Vulkan", "Metal", "DX12"])
    except Exception:
        pass
    adapters = [a for a in wgpu.gpu.enumerate_adapters_sync() if a.info.get("backend_type") in _BACKENDS]
    if not adapters:
        return None
    return min(adapters, key=lambda a: _KIND_RANK.get(a.info.get("adapter_type", ""), 9))


def _create() -> Device:
    adapter = _pick_adapter()
    if adapter is None:
        raise RuntimeError(
            "no Vulkan/Metal/DX12 adapter found (no GPU driver; on Linux install Mesa's software Vulkan: "
            "apt-get install mesa-vulkan-drivers)"
        )
    limits = adapter.limits
    wanted = {
        "max-buffer-size": limits["max-buffer-size"],
        "max-storage-buffer-binding-size": limits["max-storage-buffer-binding-size"],
        "max-storage-buffers-per-shader-stage": limits["max-storage-buffers-per-shader-stage"],
        "max-compute-workgroups-per-dimension": limits["max-compute-workgroups-per-dimension"],
        "max-compute-invocations-per-workgroup": limits["max-compute-invocations-per-workgroup"],
        "max-compute-workgroup-size-x": limits["max-compute-workgroup-size-x"],
    }
    features = requested_features(adapter.features)
    rounding = decide(adapter.info)  # before the device: a malformed QD_WGPU_EXACT_DIV fails here, named
    device = adapter.request_device_sync(required_features=sorted(features), required_limits=wanted)
    info = adapter.info
    description = f"{info.get('device', '?')} ({info.get('backend_type', '?')}, {info.get('adapter_type', '?')})"
    return Device(adapter, device, features, description, info.get("adapter_type") == "CPU", rounding.corrected)


def requested_features(offered) -> frozenset[str]:
    """The shader features to request: those of ``SHADER_FEATURES`` the adapter offers, minus the disabled ones."""
    from quadrants.config import read_env

    disabled = parse_disabled(read_env().wgpu_disable_features)
    return frozenset(f for f in SHADER_FEATURES if f in set(offered) and f not in disabled)


def get_device() -> Device:
    """The process-wide device (created on first use); raises ``RuntimeError`` with the reason when there is none."""
    dev = _STATE.get("device")
    if dev is not None:
        return dev
    if "error" in _STATE:
        raise RuntimeError(_STATE["error"])
    try:
        import wgpu  # noqa: F401
    except ImportError as exc:
        _STATE["error"] = f"the 'wgpu' package is not installed ({exc}); pip install wgpu"
        raise RuntimeError(_STATE["error"]) from None
    try:
        dev = _create()
    except Exception as exc:
        # RuntimeError: no adapter; ValueError: a malformed QD_WGPU_DISABLE_FEATURES (its message names it)
        known = isinstance(exc, (RuntimeError, ValueError))
        _STATE["error"] = str(exc) if known else f"creating a wgpu device failed: {exc!r}"
        raise RuntimeError(_STATE["error"]) from None
    _STATE["device"] = dev
    return dev


def probe_device() -> tuple[bool, str, str]:
    """``(available, reason, device description)`` without raising."""
    try:
        dev = get_device()
    except RuntimeError as exc:
        return False, str(exc), ""
    return True, "", dev.description


def read_ranges(dev: Device, ranges: list[tuple[Any, int, int]], encoder=None) -> list[memoryview]:
    """Copy ``(buffer, offset, size)`` ranges (4-byte aligned) into one staging buffer, submit, wait and read them.

    ``encoder``: an open command encoder whose recorded work must run first (it is finished and submitted here).
    """
    import wgpu

    device = dev.device
    total = sum((size + 3) & ~3 for _, _, size in ranges)
    staging = device.create_buffer(size=max(total, 4), usage=wgpu.BufferUsage.COPY_DST | wgpu.BufferUsage.MAP_READ)
    enc = encoder or device.create_command_encoder()
    pos = 0
    spans = []
    for buf, offset, size in ranges:
        size4 = (size + 3) & ~3
        if size4:
            enc.copy_buffer_to_buffer(buf, offset, staging, pos, size4)
        spans.append((pos, size))
        pos += size4
    submit_interruptibly(dev, [enc.finish()])
    wait_interruptibly(staging.map_async(wgpu.MapMode.READ))
    data = staging.read_mapped(copy=True)
    staging.unmap()
    staging.destroy()
    view = memoryview(data).cast("B")
    return [view[p : p + s] for p, s in spans]
