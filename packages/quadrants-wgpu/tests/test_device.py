"""The device: its pipeline cache (reuse by shader text, bounded in size: a long-running process must not grow) and
the optional shader features it requests (QD_WGPU_DISABLE_FEATURES)."""

from __future__ import annotations

import pytest

from quadrants_wgpu.runtime import device as dev_mod
from quadrants_wgpu.wgsl.target import SHADER_FEATURES, ShaderTarget

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


def test_disabled_features_are_not_requested(monkeypatch):
    offered = {"shader-f64", "shader-int64", "shader-f16", "texture-compression-bc"}
    monkeypatch.delenv("QD_WGPU_DISABLE_FEATURES", raising=False)
    assert dev_mod.requested_features(offered) == {"shader-f64", "shader-int64", "shader-f16"}  # ours only
    monkeypatch.setenv("QD_WGPU_DISABLE_FEATURES", " Shader-F64 ,shader-int64")
    assert dev_mod.requested_features(offered) == {"shader-f16"}
    monkeypatch.setenv("QD_WGPU_DISABLE_FEATURES", "all")
    assert dev_mod.requested_features(offered) == frozenset()


def test_an_unknown_disabled_feature_is_an_error_naming_the_known_ones(monkeypatch):
    monkeypatch.setenv("QD_WGPU_DISABLE_FEATURES", "shader-f65")
    with pytest.raises(ValueError, match=r"QD_WGPU_DISABLE_FEATURES: unknown feature\(s\) shader-f65; known: all, "):
        dev_mod.requested_features({"shader-f64"})


def test_shader_target_needs_int64_for_f64_and_64_bit_atomics():
    assert not ShaderTarget.from_features({"shader-f64", "shader-int64-atomic-all-ops"}).f64
    assert not ShaderTarget.from_features({"shader-f64", "shader-int64-atomic-all-ops"}).int64_atomics
    full = ShaderTarget.from_features(SHADER_FEATURES)
    assert full.f64 and full.int64 and full.int64_atomics and full.f32_atomic_add and full.f16


def test_capabilities_follow_the_device_features(device, monkeypatch):
    from quadrants_wgpu.runtime.backend import BACKEND

    full = BACKEND.capabilities
    monkeypatch.setattr(device, "features", frozenset())
    bare = BACKEND.capabilities
    assert not bare.supports("f64") and not bare.supports("atomic:i64") and not bare.supports("f16")
    assert bare != full or not device.features  # a fastcache key hashes these: another feature set, another key
