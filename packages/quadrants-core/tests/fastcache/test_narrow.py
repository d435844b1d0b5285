"""The narrow-args hash (docs/semantics.md §18.4), component by component."""

from __future__ import annotations

import dataclasses
import enum
import functools
import typing

import numpy as np
import pytest

import quadrants as qd
from quadrants.fastcache.narrow import (
    FastcacheSkip,
    flat_name,
    narrow_args_hash,
    paths_by_param,
    split_flat_name,
    template_component,
)
from quadrants.lang._fast_caching import FIELD_METADATA_CACHE_VALUE
from quadrants.runtime.args import make_params


class Color(enum.Enum):
    RED = 1
    BLUE = 2


@qd.data_oriented
class Obj:
    def __init__(self, n=4, dtype=qd.f32):
        self.n = n
        self.x = qd.ndarray(dtype, shape=(3,))
        self.mode = "a"
        self.unused = qd.field(qd.f32, shape=(2,))
        self._p = 1

    @property
    def p(self):
        return self._p

    @property
    def boom(self):
        raise RuntimeError("no")

    @functools.cached_property
    def cached(self):
        return 3


@qd.data_oriented(template_primitives=False)
class RuntimeObj:
    def __init__(self, n):
        self.n = n


@dataclasses.dataclass(frozen=True)
class Params:
    x: qd.types.NDArray[qd.f32, 1]
    n: int
    f: typing.Final[int]
    m: int = dataclasses.field(default=0, metadata={FIELD_METADATA_CACHE_VALUE: True})


def _hash(fn, args, paths=()):
    import inspect

    from quadrants.runtime.state import current_session

    session = current_session()

    params = make_params(fn.__name__, inspect.signature(fn, eval_str=True), session)
    bound = [p.convert(v, session) for p, v in zip(params, args)]
    names = tuple(inspect.signature(fn).parameters)
    return narrow_args_hash(params, bound, paths_by_param(paths, names))


def k_nd(a: qd.types.ndarray(), s: qd.f32, t: qd.template()):
    pass


def k_obj(o: qd.template()):
    pass


def k_dc(p: Params):
    pass


def test_flat_names_round_trip():
    assert flat_name("self", ("inner", "x")) == "__qd_self__qd_inner__qd_x"
    assert split_flat_name("__qd_self__qd_inner__qd_x") == ("self", ("inner", "x"))
    assert split_flat_name("__qd_self__qd__private") == ("self", ("_private",))
    assert paths_by_param(["__qd_o__qd_x", "__qd_gone__qd_y"], ("o",)) == {0: {("x",)}}


def test_top_level_components():
    qd.init(arch="ref")
    a32, a64 = qd.ndarray(qd.f32, shape=(4,)), qd.ndarray(qd.f64, shape=(9,))
    base = _hash(k_nd, [a32, 1.0, 2])
    assert _hash(k_nd, [qd.ndarray(qd.f32, shape=(100,)), 5.0, 2]) == base  # shape and scalar value: not in the key
    assert _hash(k_nd, [a64, 1.0, 2]) != base  # dtype
    assert _hash(k_nd, [qd.ndarray(qd.f32, shape=(2, 2)), 1.0, 2]) != base  # ndim
    assert _hash(k_nd, [a32, 1.0, 3]) != base  # template value
    assert _hash(k_nd, [a32, 1.0, 2.0]) != base  # template type
    assert _hash(k_nd, [np.zeros(4, np.float32), 1.0, 2]) == base  # a NumPy array: dtype and ndim
    vec = qd.ndarray(qd.types.vector(3, qd.f32), shape=(4,))
    assert _hash(k_nd, [vec, 1.0, 2]) != base


def test_template_components():
    assert template_component(Color.RED) != template_component(Color.BLUE)
    assert template_component(None) == ["none"]
    assert template_component((1, 2.0, Color.RED)) != template_component((1, 2.0, Color.BLUE))
    assert template_component(np.int32(3)) != template_component(3)
    assert template_component(qd.f32) == ["dtype", "f32"]
    with pytest.raises(FastcacheSkip) as info:
        template_component("mode")
    assert info.value.tag == "UNKNOWN_TYPE" and "builtins.str" in info.value.reason
    qd.init(arch="ref")
    with pytest.raises(FastcacheSkip) as info:
        template_component(qd.field(qd.f32, shape=(2,)))
    assert info.value.tag == "INVALID_FUNC"


def test_data_oriented_only_read_paths():
    qd.init(arch="ref")
    o = Obj()
    paths = ["__qd_o__qd_n", "__qd_o__qd_x"]
    base = _hash(k_obj, [o], paths)
    assert _hash(k_obj, [Obj()], paths) == base  # another instance with equal members: same key
    o.unused = "anything at all"  # unread: no effect, and no skip
    assert _hash(k_obj, [o], paths) == base
    assert _hash(k_obj, [Obj(n=6)], paths) != base  # a baked primitive: value
    assert _hash(k_obj, [Obj(dtype=qd.i32)], paths) != base  # an ndarray member: dtype
    assert _hash(k_obj, [o], ["__qd_o__qd_n"]) != base  # the path set itself is hashed


def test_data_oriented_properties_and_failures():
    qd.init(arch="ref")
    o = Obj()
    base = _hash(k_obj, [o], ["__qd_o__qd_p"])
    o._p = 3
    assert _hash(k_obj, [o], ["__qd_o__qd_p"]) != base  # a read @property: value
    for path, tag in (
        ("__qd_o__qd_boom", "PROPERTY_RAISED"),
        ("__qd_o__qd_cached", "CACHED_PROPERTY"),
        ("__qd_o__qd_mode", "UNKNOWN_TYPE"),
        ("__qd_o__qd_unused", "INVALID_FUNC"),
    ):
        with pytest.raises(FastcacheSkip) as info:
            _hash(k_obj, [o], [path])
        assert info.value.tag == tag
    del o.x
    assert _hash(k_obj, [o], ["__qd_o__qd_x"])  # a deleted member hashes as missing (the launch will raise)


def test_template_primitives_false_is_type_only():
    base = _hash(k_obj, [RuntimeObj(4)], ["__qd_o__qd_n"])
    assert _hash(k_obj, [RuntimeObj(6)], ["__qd_o__qd_n"]) == base
    assert _hash(k_obj, [RuntimeObj(6.0)], ["__qd_o__qd_n"]) != base


def test_dataclass_members():
    qd.init(arch="ref")
    x = qd.ndarray(qd.f32, shape=(4,))
    paths = ["__qd_p__qd_n", "__qd_p__qd_f", "__qd_p__qd_m", "__qd_p__qd_x"]
    base = _hash(k_dc, [Params(x, 2, 1, 0)], paths)
    assert _hash(k_dc, [Params(x, 4, 1, 0)], paths) == base  # plain member: type only
    assert _hash(k_dc, [Params(x, 2, 2, 0)], paths) != base  # typing.Final: value
    assert _hash(k_dc, [Params(x, 2, 1, 5)], paths) != base  # FIELD_METADATA_CACHE_VALUE: value
    assert _hash(k_dc, [Params(x, 2.5, 1, 0)], paths) != base  # type of a plain member
    assert _hash(k_dc, [Params(x, 2, 1, 5)], ["__qd_p__qd_x"]) == _hash(k_dc, [Params(x, 9, 7, 0)], ["__qd_p__qd_x"])
