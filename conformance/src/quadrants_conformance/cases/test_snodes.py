"""Dense SNode trees (docs/snodes.md): ``qd.root.dense(...)``, nested ``dense``, ``place``, ``qd.FieldsBuilder``.

A field placed in a node takes the node's shape: one entry per axis used on the path from the root, in axis order,
nesting the same axis multiplies its sizes. The tree decides the index space only; a placed field behaves exactly
like ``qd.field(dtype, shape=node.shape)``. Sparse nodes are out of scope (their ``NotImplementedError`` is checked by
the unit tests of quadrants-core: upstream has them).
"""

import numpy as np

import quadrants as qd
from quadrants_conformance import case


@case(section="13", golden={"x": [[0, 1, 2], [10, 11, 12]], "y": [[0.0, 0.5, 1.0], [0.0, 0.5, 1.0]], "shape": (2, 3)})
def dense_2d_node_with_two_fields():
    x = qd.field(qd.i32)
    y = qd.field(qd.f32)
    qd.root.dense(qd.ij, (2, 3)).place(x, y)

    @qd.kernel
    def k():
        for i, j in x:
            x[i, j] = i * 10 + j
            y[i, j] = j * 0.5

    k()
    return {"x": x.to_numpy(), "y": y.to_numpy(), "shape": x.shape}


@case(section="13", golden={"x": list(range(32)), "shape": (32,)})
def nested_dense_on_the_same_axis_multiplies():
    x = qd.field(qd.i32)
    qd.root.dense(qd.i, 4).dense(qd.i, 8).place(x)

    @qd.kernel
    def k():
        for i in x:
            x[i] = i

    k()
    return {"x": x.to_numpy(), "shape": x.shape}


@case(section="13", golden={"ij": (4, 8), "ji": (4, 3), "ik": (3, 2), "jk": (5,), "broadcast": (5, 5, 5), "sum": 160})
def node_shapes_follow_axis_order():
    a, b, c, d, e = (qd.field(qd.i32) for _ in range(5))
    qd.root.dense(qd.i, 4).dense(qd.j, 8).place(a)
    qd.root.dense(qd.j, 3).dense(qd.i, 4).place(b)
    qd.root.dense(qd.i, 3).dense(qd.k, 2).place(c)
    qd.root.dense(qd.k, 5).place(d)
    qd.root.dense(qd.ijk, (5,)).place(e)

    @qd.kernel
    def k():
        for i, j in a:
            a[i, j] = i + j

    k()
    return {
        "ij": a.shape,
        "ji": b.shape,
        "ik": c.shape,
        "jk": d.shape,
        "broadcast": e.shape,
        "sum": int(a.to_numpy().sum()),
    }


@case(section="13", golden={"c": 5, "shape": ()})
def root_place_gives_a_0d_field():
    c = qd.field(qd.i32)
    qd.root.place(c)

    @qd.kernel
    def k():
        for idx in qd.grouped(c):
            c[idx] = 5

    k()
    return {"c": c[None], "shape": c.shape}


@case(section="13", golden={"placed": [0, 3, 6, 9, 12], "shaped": [0, 3, 6, 9, 12]})
def placed_field_behaves_like_a_field_with_shape():
    placed = qd.field(qd.i32)
    qd.root.dense(qd.i, 5).place(placed)
    shaped = qd.field(qd.i32, shape=5)

    @qd.kernel
    def k(f: qd.template()):
        for i in f:
            f[i] = 3 * i

    k(placed)
    k(shaped)
    return {"placed": placed.to_numpy(), "shaped": shaped.to_numpy()}


@case(section="13", golden={"v": [[100, 101, 102], [110, 111, 112]], "u": [[[0, 1]] * 3] * 2, "u_shape": (2, 3, 2)})
def struct_for_over_snodes():
    v = qd.field(qd.i32)
    u = qd.field(qd.i32)
    block = qd.root.dense(qd.ij, (2, 3))
    block.place(v)
    block.dense(qd.k, 2).place(u)

    @qd.kernel
    def k():
        for i, j in block:
            v[i, j] = i * 10 + j
        for i, j, kk in u.parent():
            u[i, j, kk] = kk
        for idx in qd.grouped(block):
            v[idx] += 100

    k()
    return {"v": v.to_numpy(), "u": u.to_numpy(), "u_shape": u.shape}


@case(section="13", golden={"r": 5})
def snode_introspection_in_a_kernel():
    v = qd.field(qd.i32)
    block = qd.root.dense(qd.ij, (2, 3))
    block.place(v)
    block.dense(qd.k, 2).place(qd.field(qd.i32))

    @qd.kernel
    def k() -> qd.i32:
        return v.shape[0] + v.snode.parent().shape[1]

    return {"r": k()}


@case(
    section="13",
    golden={
        "str": "qd.root => dense [4] => dense [4, 8] => place [4, 8]",
        "parents": ("qd.root", "None"),
        "same": True,
        "children": 2,
        "node_shape": (4,),
    },
)
def snode_introspection_on_the_host():
    x = qd.field(qd.f32)
    y = qd.field(qd.i32)
    outer = qd.root.dense(qd.i, 4)
    outer.dense(qd.j, 8).place(x, y)
    return {
        "str": str(x.snode),
        "parents": (repr(x.snode.parent(3)), repr(x.snode.parent(4))),
        "same": x.parent() == y.parent(),
        "children": len(x.parent()._get_children()),
        "node_shape": x.snode.parent(2).shape,
    }


@case(section="13", golden={"x": [1, 2, 3, 4], "error": "finalize"})
def fields_builder_finalize_then_use():
    x = qd.field(qd.i32)
    fb = qd.FieldsBuilder()
    fb.dense(qd.i, 4).place(x)
    try:
        x[0] = 1
        error = ""
    except qd.QuadrantsRuntimeError as exc:
        error = "finalize" if "finalize" in str(exc) else str(exc)
    fb.finalize()

    @qd.kernel
    def k():
        for i in x:
            x[i] = i + 1

    k()
    return {"x": x.to_numpy(), "error": error}


@case(section="13", raises=(qd.QuadrantsRuntimeError, "FieldsBuilder finalized"))
def fields_builder_finalized_twice_error():
    fb = qd.FieldsBuilder()
    fb.dense(qd.i, 4).place(qd.field(qd.i32))
    fb.finalize()
    fb.finalize()


@case(section="13", raises=(qd.QuadrantsRuntimeError, "destroyed"))
def destroyed_snode_tree_error():
    x = qd.field(qd.i32)
    fb = qd.FieldsBuilder()
    fb.dense(qd.i, 4).place(x)
    tree = fb.finalize()
    tree.destroy()
    x.fill(1)


@case(
    section="13",
    golden={
        "x": [[-15, -14, -13], [-5, -4, -3], [5, 6, 7], [15, 16, 17]],
        "y": [10.0, 11.0, 12.0],
        "reads": (-15, 17, 12.0),
    },
)
def field_index_offsets():
    x = qd.field(qd.i32, shape=(4, 3), offset=(-2, 5))
    y = qd.field(qd.f32)
    qd.root.dense(qd.i, 3).place(y, offset=10)

    @qd.kernel
    def k():
        for i, j in x:
            x[i, j] = i * 10 + j
        for i in y:
            y[i] = i

    k()
    return {"x": x.to_numpy(), "y": y.to_numpy(), "reads": (x[-2, 5], x[1, 7], y[12])}


@case(section="19.2", golden={"total": 2 * sum(range(8)) * 3})
def data_oriented_class_places_its_fields():
    @qd.data_oriented
    class Grid:
        def __init__(self, n, m):
            self.val = qd.field(qd.i32)
            self.total = qd.field(qd.i32)
            qd.root.dense(qd.ij, (n, m)).place(self.val)
            qd.root.place(self.total)

        @qd.kernel
        def fill(self):
            for i, j in self.val:
                self.val[i, j] = 2 * i

        @qd.kernel
        def reduce(self):
            for i, j in self.val:
                self.total[None] += self.val[i, j]

    g = Grid(8, 3)
    g.fill()
    g.reduce()
    return {"total": g.total[None]}


# ---------------------------------------------------------------------------------------------- errors


@case(section="13", raises=(RuntimeError, "has been placed"))
def place_a_field_twice_error():
    x = qd.field(qd.i32, shape=3)
    qd.root.dense(qd.i, 3).place(x)


@case(section="13", raises=(ValueError, "cannot be placed"))
def place_a_non_field_error():
    qd.root.dense(qd.i, 3).place(3)


@case(section="13", raises=(qd.QuadrantsRuntimeError, "axes and sizes must have the same size"))
def dense_axes_and_sizes_mismatch_error():
    qd.root.dense(qd.ij, (2, 3, 4))


@case(section="13", raises=(qd.QuadrantsRuntimeError, "should be positive"))
def dense_zero_size_error():
    qd.root.dense(qd.i, 0)


@case(section="13", raises=(RuntimeError, "not placed"))
def unplaced_field_in_a_kernel_error():
    x = qd.field(qd.i32)

    @qd.kernel
    def k():
        x[0] = 1

    k()


@case(section="13", golden={"x": [0, 1, 2]})
def deactivate_all_on_a_dense_tree_does_nothing():
    x = qd.field(qd.i32)
    node = qd.root.dense(qd.i, 3)
    node.place(x)
    x.from_numpy(np.arange(3, dtype=np.int32))
    node.deactivate_all()
    qd.deactivate_all_snodes()
    return {"x": x.to_numpy()}
