"""Dense SNode trees on the host (runtime/snode.py, runtime/snode_axes.py, runtime/field.py): node shapes, placement,
introspection, ``qd.FieldsBuilder`` life cycle, index offsets, and the out-of-scope sparse nodes."""

from __future__ import annotations

import numpy as np
import pytest

import quadrants as qd
from quadrants.runtime.snode_axes import MAX_AXES, Axis, axes, normalize_axes


@pytest.fixture(autouse=True)
def ref_session():
    qd.init(arch="ref")
    yield
    qd.reset()


# ------------------------------------------------------------------------------------------------------- axes


def test_named_axes_are_lists_of_axis_records():
    assert qd.i == [Axis(0)] and qd.l == [Axis(3)]
    assert qd.ij == qd.axes(0, 1) and qd.ijkl == axes(0, 1, 2, 3)
    assert qd.jl == [Axis(1), Axis(3)] and qd.ikl == [Axis(0), Axis(2), Axis(3)]
    assert normalize_axes(qd.ik) == (0, 2)
    assert normalize_axes([qd.i, qd.k]) == (0, 2)
    with pytest.raises(ValueError):
        Axis(MAX_AXES)
    with pytest.raises(TypeError):
        normalize_axes(3)


# ------------------------------------------------------------------------------------------------ node shapes


@pytest.mark.parametrize(
    "build, shape",
    [
        (lambda: qd.root.dense(qd.i, 4), (4,)),
        (lambda: qd.root.dense(qd.ij, (4, 8)), (4, 8)),
        (lambda: qd.root.dense(qd.ij, 3), (3, 3)),  # an int applies to every axis
        (lambda: qd.root.dense(qd.ijk, [2]), (2, 2, 2)),  # so does a single size, as upstream
        (lambda: qd.root.dense(qd.i, 4).dense(qd.i, 8), (32,)),  # the same axis twice multiplies
        (lambda: qd.root.dense(qd.i, 4).dense(qd.j, 8), (4, 8)),
        (lambda: qd.root.dense(qd.j, 3).dense(qd.i, 4), (4, 3)),  # axis order, not nesting order
        (lambda: qd.root.dense(qd.i, 3).dense(qd.k, 2), (3, 2)),  # unused axes are skipped
        (lambda: qd.root.dense(qd.k, 5), (5,)),
    ],
)
def test_node_shapes(build, shape):
    node = build()
    assert node.shape == shape
    x = qd.field(qd.i32)
    node.place(x)
    assert x.shape == shape and x.to_numpy().shape == shape
    assert x.snode.shape == shape


def test_root_place_gives_0d_fields():
    c = qd.field(qd.f32)
    qd.root.place(c)
    assert c.shape == ()
    c[None] = 2.5
    assert c[None] == 2.5
    assert c.parent() == qd.root and c.snode.parent() is qd.root


def test_introspection_matches_upstreams_strings():
    x, y = qd.field(qd.f32), qd.field(qd.i32)
    outer = qd.root.dense(qd.i, 4)
    inner = outer.dense(qd.j, 8)
    inner.place(x, y)
    assert str(x.snode) == "qd.root => dense [4] => dense [4, 8] => place [4, 8]"
    assert repr(x.snode) == "<qd.SNode of type place>" and repr(inner) == "<qd.SNode of type dense>"
    assert repr(qd.root) == str(qd.root) == "qd.root" and qd.root.shape == () and qd.root.parent() is None
    assert x.parent() is inner and x.parent(2) is outer and x.snode.parent(3) is qd.root
    assert x.snode.parent(4) is None
    assert [c.kind for c in inner._get_children()] == ["place", "place"]
    assert x.snode._path_from_root()[0] is qd.root and x.snode._path_from_root()[-1] is x.snode
    named = qd.field(qd.f32, shape=2, name="heights")
    assert named.snode._name == "heights" and named._name == "heights"


def test_field_with_shape_is_placed_under_the_session_root():
    x = qd.field(qd.i32, shape=(2, 3))
    assert str(x.snode) == "qd.root => dense [2, 3] => place [2, 3]"
    assert x.parent() in qd.root._get_children()


def test_struct_field_layouts_shape_the_tree_only():
    pair = qd.types.struct(a=qd.i32, b=qd.f32)
    aos = pair.field(shape=4, layout=qd.Layout.AOS)
    soa = pair.field(shape=4, layout=qd.Layout.SOA)
    assert aos.a.parent() is aos.b.parent()
    assert soa.a.parent() is not soa.b.parent()
    assert aos.shape == soa.shape == (4,)


# ------------------------------------------------------------------------------------------------- placement


def test_unplaced_fields_refuse_host_access_with_a_hint():
    x = qd.field(qd.f32)
    assert x.snode is None and repr(x).endswith("unplaced)")
    for use in (lambda: x.shape, lambda: x[0], lambda: x.to_numpy(), lambda: x.fill(1), lambda: x.parent()):
        with pytest.raises(qd.QuadrantsRuntimeError, match="Field has no allocation"):
            use()
    with pytest.raises(qd.QuadrantsRuntimeError, match="Field has no allocation"):
        x.from_numpy(np.zeros(3, np.float32))


def test_placement_errors():
    x = qd.field(qd.i32, shape=3)
    with pytest.raises(RuntimeError, match="This variable has been placed"):
        qd.root.dense(qd.i, 3).place(x)
    with pytest.raises(ValueError, match="cannot be placed"):
        qd.root.dense(qd.i, 3).place("x")
    with pytest.raises(qd.QuadrantsRuntimeError, match="axes and sizes must have the same size, but got 2 and 3"):
        qd.root.dense(qd.ij, (2, 3, 4))
    with pytest.raises(qd.QuadrantsRuntimeError, match="should be positive, got 0 in dimension 1"):
        qd.root.dense(qd.ij, (2, 0))
    with pytest.raises(qd.QuadrantsRuntimeError, match="should be positive"):
        qd.field(qd.i32, shape=0)
    with pytest.raises(TypeError):
        qd.root.dense(qd.i, 3.0)
    y = qd.field(qd.i32)
    node = qd.root.dense(qd.i, 2)
    node.place(y)
    with pytest.raises(qd.QuadrantsRuntimeError, match="cannot have children"):
        y.snode.dense(qd.j, 2)


def test_place_takes_lists_and_struct_fields():
    a, b = qd.field(qd.i32), qd.field(qd.f32)
    s = qd.types.struct(p=qd.i32, q=qd.types.vector(2, qd.f32)).field()
    qd.root.dense(qd.i, 5).place([a, b], s)
    assert a.shape == b.shape == s.shape == (5,)
    assert s.to_numpy()["q"].shape == (5, 2)


def test_a_field_from_an_older_session_cannot_be_placed():
    x = qd.field(qd.i32)
    qd.init(arch="ref")
    with pytest.raises(qd.QuadrantsRuntimeError, match=r"before the latest qd\.init"):
        qd.root.dense(qd.i, 2).place(x)


def test_each_session_has_its_own_root():
    qd.field(qd.i32, shape=2)
    assert len(qd.root._get_children()) == 1
    qd.init(arch="ref")
    assert qd.root._get_children() == []


# ------------------------------------------------------------------------------------------------ offsets


def test_field_offsets_shift_the_host_indices():
    x = qd.field(qd.i32, shape=(4, 3), offset=(-2, 5))
    x[-2, 5] = 7
    x[1, 7] = 9
    assert x.to_numpy()[0, 0] == 7 and x.to_numpy()[3, 2] == 9
    with pytest.raises(IndexError):
        x[2, 5]
    y = qd.field(qd.f32)
    qd.root.dense(qd.i, 3).place(y, offset=10)
    y[12] = 1.5
    assert y.to_numpy()[2] == 1.5
    with pytest.raises(qd.QuadrantsSyntaxError, match="shape cannot be None when offset is set"):
        qd.field(qd.i32, offset=1)
    with pytest.raises(qd.QuadrantsSyntaxError, match="The dimensionality of shape and offset must be the same"):
        qd.field(qd.i32, shape=(2, 2), offset=1)


# ------------------------------------------------------------------------------------------- FieldsBuilder


def test_fields_builder_life_cycle():
    x = qd.field(qd.i32)
    fb = qd.FieldsBuilder()
    fb.dense(qd.i, 4).place(x)
    with pytest.raises(qd.QuadrantsRuntimeError, match="not finalized"):
        x[0] = 1
    tree = fb.finalize()
    x[0] = 1
    assert x[0] == 1 and tree.id >= 1
    with pytest.raises(qd.QuadrantsRuntimeError, match="FieldsBuilder finalized"):
        fb.dense(qd.i, 2)
    with pytest.raises(qd.QuadrantsRuntimeError, match="FieldsBuilder finalized"):
        fb.finalize()
    tree.destroy()
    with pytest.raises(qd.QuadrantsRuntimeError, match="destroyed"):
        x[0]
    with pytest.raises(qd.QuadrantsRuntimeError, match="destroyed"):
        tree.destroy()
    with pytest.raises(qd.QuadrantsRuntimeError, match="destroyed"):
        _ = tree.id


def test_empty_fields_builder_warns():
    with pytest.warns(UserWarning, match="Finalizing an empty FieldsBuilder"):
        qd.FieldsBuilder().finalize()
    qd.FieldsBuilder().finalize(raise_warning=False)


def test_deactivate_all_does_nothing_on_dense_trees():
    x = qd.field(qd.i32, shape=3)
    x.fill(4)
    qd.root.deactivate_all()
    x.parent().deactivate_all()
    qd.deactivate_all_snodes()
    fb = qd.FieldsBuilder()
    fb.deactivate_all()
    assert list(x.to_numpy()) == [4, 4, 4]


# ------------------------------------------------------------------------------------------- out of scope


@pytest.mark.parametrize(
    "use, construct",
    [
        (lambda: qd.root.pointer(qd.i, 4), "pointer SNodes"),
        (lambda: qd.root.dense(qd.i, 4).pointer(qd.j, 4), "pointer SNodes"),
        (lambda: qd.root.bitmasked(qd.i, 4), "bitmasked SNodes"),
        (lambda: qd.root.dynamic(qd.i, 16), "dynamic SNodes"),
        (lambda: qd.root.dense(qd.i, 4).hash(qd.j, 4), "hash SNodes"),
        (lambda: qd.root.quant_array(qd.i, 4, 32), "quantized arrays"),
        (lambda: qd.root.dense(qd.i, 4).bit_struct(32), "quantized bit structs"),
        (lambda: qd.FieldsBuilder().pointer(qd.i, 4), "pointer SNodes"),
    ],
)
def test_sparse_constructs_are_out_of_scope(use, construct):
    with pytest.raises(NotImplementedError, match=construct):
        use()


def test_the_tree_does_not_keep_fields_alive():
    import gc
    import weakref

    x = qd.field(qd.f32, shape=(1000,))
    ref = weakref.ref(x)
    node = x.snode
    del x
    gc.collect()
    assert ref() is None and node._field is None and node._name.startswith("S")


def test_vector_and_matrix_types_make_fields_placed_later():
    vec3i = qd.types.vector(3, qd.i32)
    x = vec3i.field()
    qd.root.dense(qd.i, 4).place(x)
    assert x.shape == (4,) and x.to_numpy().shape == (4, 3) and isinstance(x, qd.MatrixField)
    m = qd.types.matrix(2, 2, qd.f32).field(shape=(3,))
    assert m.to_numpy().shape == (3, 2, 2)
    nd = vec3i.ndarray(shape=(5,))
    assert isinstance(nd, qd.Ndarray) and nd.to_numpy().shape == (5, 3)


def test_placing_fields_leaves_the_fastcache_config_as_it_is():
    from quadrants.fastcache.keys import compile_config
    from quadrants.runtime.state import current_session

    before = compile_config(current_session())
    qd.root.dense(qd.i, 2).place(qd.field(qd.i32))
    qd.field(qd.f32, shape=3)
    assert compile_config(current_session()) == before


def test_sparse_snodes_say_upstreams_words_for_a_backend_without_them():
    with pytest.raises(qd.QuadrantsRuntimeError, match=r"Pointer SNode is not supported on this backend\."):
        qd.root.dense(qd.i, 4).pointer(qd.j, 4)
    with pytest.raises(qd.QuadrantsRuntimeError, match=r"Dynamic SNode is not supported on this backend\."):
        qd.root.dynamic(qd.i, 16)
