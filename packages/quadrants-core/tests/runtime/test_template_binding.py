"""runtime/args.py: a ``qd.template()`` argument whose type binds by identity (a field, a function, a plain object)
takes the per-type fast path, and its key is the one the full tests give; values keyed by their contents, arrays
and structs still take the full path."""

from __future__ import annotations

import dataclasses
import enum

import numpy as np
import pytest

import quadrants as qd
from quadrants.errors import QuadrantsRuntimeTypeError
from quadrants.frontend.annotations import Template
from quadrants.frontend.host_values import binds_by_identity, template_key
from quadrants.runtime.args import TemplateParam, _plain_template


@pytest.fixture(autouse=True)
def _session():
    qd.init(arch=qd.ref)
    yield
    qd.reset()


class Colour(enum.Enum):
    RED = 1


@dataclasses.dataclass(frozen=True)
class Frozen:
    a: int


@qd.data_oriented
class Solver:
    pass


class Plain:
    pass


def test_fields_and_plain_objects_bind_by_identity_with_the_full_paths_key():
    param = TemplateParam("x", Template)
    for value in [qd.field(qd.f32, shape=4), qd.Vector.field(2, qd.f32, shape=3), Plain(), len]:
        assert _plain_template(type(value))
        assert param.convert(value, None).key == ("t", template_key(value)) == ("t", ("id", id(value)))


@pytest.mark.parametrize(
    "value", [3, 2.5, True, "s", None, np.int32(4), (1, 2), Colour.RED, qd.i32, Plain, Frozen(1), Solver()]
)
def test_values_keyed_by_contents_or_struct_take_the_full_path(value):
    assert not _plain_template(type(value))


def test_ndarrays_are_still_rejected_and_structs_still_bind_as_structs():
    param = TemplateParam("x", Template)
    with pytest.raises(QuadrantsRuntimeTypeError, match=r"shouldn't be passed in via `qd\.template\(\)`"):
        param.convert(qd.ndarray(qd.f32, 4), None)
    solver = Solver()
    assert param.convert(solver, None).struct
    assert param.convert(3, None).key == ("t", ("int", 3))


def test_the_answer_is_a_function_of_the_type():
    assert binds_by_identity(Plain) and not binds_by_identity(int) and not binds_by_identity(Frozen)
    assert binds_by_identity.cache_info().currsize >= 1
