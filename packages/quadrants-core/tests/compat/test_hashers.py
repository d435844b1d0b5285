"""Upstream's fastcache hasher functions over the project's key rules (compat/args_hashing, compat/source_hashing)."""

from __future__ import annotations

import dataclasses
import typing

import numpy as np
import pytest

import quadrants as qd
from quadrants.lang._fast_caching import FIELD_METADATA_CACHE_VALUE, args_hasher, config_hasher, function_hasher
from quadrants.lang._fast_caching.args_hasher import FastcacheSkip
from quadrants.lang._wrap_inspect import FunctionSourceInfo, get_source_info_and_src
from quadrants.lang.kernel_arguments import ArgMetadata


@pytest.fixture(autouse=True)
def _session():
    qd.init(arch=qd.ref)
    yield
    qd.reset()


def h(*args, metas=None):
    return args_hasher.hash_args(False, list(args), metas or [None] * len(args))


def test_scalars_by_type_unless_template():
    assert h(3) == h(4) != h(3.0) != h(np.int32(3))
    assert h(True) != h(np.bool_(True))
    tmpl = [ArgMetadata(qd.template(), "x")]
    assert h(3, metas=tmpl) != h(4, metas=tmpl)
    assert h(None) == h(None) and not isinstance(h(None, 3), FastcacheSkip)


def test_arrays_by_dtype_ndim_and_element():
    seen = {h(qd.ndarray(t, (1,) * n)) for t in (qd.i32, qd.f64) for n in (0, 1, 2)}
    assert len(seen) == 6
    assert h(qd.Vector.ndarray(2, qd.f32, (3,))) != h(qd.Vector.ndarray(3, qd.f32, (3,)))
    assert h(qd.ndarray(qd.f32, (2,))) == h(qd.ndarray(qd.f32, (5,)))


def test_fields_disable_fastcache():
    assert h(qd.field(qd.i32, shape=(2,))) is FastcacheSkip.WARN

    @dataclasses.dataclass(frozen=True)
    class State:
        a: typing.Any

    assert h(State(a=qd.field(qd.i32, shape=(2,)))) is FastcacheSkip.WARN
    assert not isinstance(h(State(a=qd.ndarray(qd.i32, (2,)))), FastcacheSkip)


def test_data_oriented_members_follow_template_primitives():
    @qd.data_oriented(template_primitives=False)
    class Runtime:
        def __init__(self, k):
            self.k = k

    @qd.data_oriented
    class Baked:
        def __init__(self, k):
            self.k = k

    assert h(Runtime(3)) == h(Runtime(7))
    assert h(Baked(3)) != h(Baked(7))


def test_dataclass_members_keyed_by_value_only_when_marked():
    @dataclasses.dataclass
    class Plain:
        n: int

    @dataclasses.dataclass
    class Marked:
        n: int = dataclasses.field(metadata={FIELD_METADATA_CACHE_VALUE: True})

    assert h(Plain(1)) == h(Plain(2))
    assert h(Marked(1)) != h(Marked(2)) and h(Marked(1)) == h(Marked(1))


def test_pruning_paths_limit_the_members():
    @qd.data_oriented
    class Two:
        def __init__(self, a, b):
            self.a, self.b = a, b

    meta = [ArgMetadata(qd.template(), "self")]
    only_a = {"self__qd_a"}
    assert args_hasher.hash_args(False, [Two(1, 2)], meta, only_a) == args_hasher.hash_args(
        False, [Two(1, 9)], meta, only_a
    )
    assert h(Two(1, 2)) != h(Two(1, 9))


def test_function_hasher_reads_and_validates(tmp_path):
    path = tmp_path / "m.py"
    path.write_text("0\n1\n2\n3\n", encoding="utf-8")
    info = FunctionSourceInfo(function_name="f", filepath=str(path), start_lineno=1, end_lineno=2)
    assert "".join(function_hasher._read_file(info)) == "1\n2\n"
    hashed = function_hasher.hash_functions([info])
    assert hashed[0].hash == function_hasher.hash_kernel(info)
    assert function_hasher.validate_hashed_function_infos(hashed)
    path.write_text("0\n1\nchanged\n3\n", encoding="utf-8")
    assert not function_hasher.validate_hashed_function_infos(hashed)
    path.unlink()
    assert not function_hasher.validate_hashed_function_infos(hashed)


def test_source_info_of_a_kernel():
    @qd.kernel
    def k():
        pass

    info, src = get_source_info_and_src(k.fn)
    assert info.function_name == "k" and info.filepath == __file__
    assert src[0].strip() == "@qd.kernel" and info.end_lineno - info.start_lineno + 1 == len(src)


def test_config_hasher_follows_the_options():
    base = config_hasher.hash_compile_config()
    qd.cfg.debug_dump_path = "/elsewhere"
    qd.cfg.cuda_stack_limit = 4096
    assert config_hasher.hash_compile_config() == base
    qd.cfg.fast_math = not qd.cfg.fast_math
    assert config_hasher.hash_compile_config() != base
    qd.init(arch=qd.ref, random_seed=9)
    assert config_hasher.hash_compile_config() != base
    caps = config_hasher.hash_device_caps()
    assert caps.startswith("T") and caps == qd.lang.impl.get_runtime().prog.get_device_caps().hashed_key()


def test_src_hasher_key_follows_source_config_and_device(monkeypatch):
    from quadrants.lang._fast_caching import src_hasher

    @qd.kernel
    def k():
        pass

    info, _ = get_source_info_and_src(k.fn)
    base = src_hasher.create_cache_key(False, info, [], [])
    assert base == src_hasher.create_cache_key(False, info, [], [])
    monkeypatch.setattr(config_hasher, "hash_device_caps", lambda: "other-device")
    assert src_hasher.create_cache_key(False, info, [], []) != base
    assert src_hasher.create_cache_key(False, info, [qd.field(qd.i32, shape=(2,))], [None]) is None


def test_device_caps_get_answers_upstreams_capability_names():
    caps = qd.lang.impl.get_runtime().prog.get_device_caps()
    names = qd._lib.core.DeviceCapability
    assert caps.get(names.spirv_has_float64) == int(caps.supports("f64"))
    assert caps.get(names.spirv_has_atomic_int64) == int(caps.supports("atomic:i64"))
    assert caps.get(names.spirv_has_atomic_float_add) == int(caps.supports("atomic:f32"))
    assert caps.get(names.spirv_has_variable_ptr) == 0  # no counterpart here
