"""The device's pipeline cache: reuse by shader text, bounded in size (a long-running process must not grow)."""

from __future__ import annotations

from quadrants_wgpu.runtime import device as dev_mod

_SHADER = """
@group(0) @binding(0) var<storage, read> a: array<u32>;
@group(0) @binding(1) var<storage, read_write> b: array<u32>;
@group(0) @binding(2) var<storage, read_write> c: array<u32>;
@compute @workgroup_size(1) fn main() {{ b[0] = a[0] + {k}u; c[0] = 0u; }}
"""


def test_pipelines_are_reused_and_the_cache_is_bounded(device, monkeypatch):
    monkeypatch.setattr(dev_mod, "PIPELINE_CACHE_SIZE", 3)
    monkeypatch.setattr(device, "pipelines", type(device.pipelines)())
    first = device.pipeline(_SHADER.format(k=0), ())[0]
    assert device.pipeline(_SHADER.format(k=0), ())[0] is first  # same text: the cached pipeline
    for k in range(1, 6):
        device.pipeline(_SHADER.format(k=k), ())
    assert len(device.pipelines) == 3
    assert device.pipeline(_SHADER.format(k=0), ())[0] is not first  # evicted (least recently used), then rebuilt
    keep = device.pipeline(_SHADER.format(k=5), ())[0]
    device.pipeline(_SHADER.format(k=6), ())
    assert device.pipeline(_SHADER.format(k=5), ())[0] is keep  # recently used entries stay
