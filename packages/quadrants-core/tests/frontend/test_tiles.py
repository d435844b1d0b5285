"""Register tiles (frontend/tiles.py, tile_slices.py; docs/simt.md "Tiles"): the objects, how an operation lowers
(one block exchange per step), values and references through funcs, and the errors. Numerics on every backend:
conformance module test_simt_tiles."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

import quadrants as qd
from quadrants.frontend.tiles import OuterProduct, TileType
from quadrants.ir import nodes as ir

F2 = qd.types.NDArray[qd.f32, 2]
T16 = qd.simt.Tile16x16


@pytest.fixture
def ref():
    qd.init(arch=qd.ref)
    yield
    qd.reset()


def _tile_arrays(program):
    return [a for a in program.args if a.name.startswith("qd_simt_tile")]


def _count(stmts, kind) -> int:
    total = 0
    for s in stmts:
        total += isinstance(s, kind)
        for attr in ("body", "then", "orelse"):
            total += _count(getattr(s, attr, ()) or (), kind)
    return total


# ------------------------------------------------------------------------------------------------- objects


def test_tile_classes_are_compile_time_objects():
    assert (qd.simt.Tile16x16.SIZE, qd.simt.Tile32x32.SIZE) == (16, 32)
    assert pickle.loads(pickle.dumps(qd.simt.Tile32x32)) is qd.simt.Tile32x32  # stable as a template argument
    assert hash(T16) == hash(qd.simt.Tile16x16) and repr(T16) == "qd.simt.Tile16x16"


def test_outer_products_do_not_compose():
    p = qd.outer(1.0, 2.0)
    assert isinstance(p, OuterProduct)
    with pytest.raises(TypeError, match="does not support composition"):
        p + qd.outer(3.0, 4.0)


# ------------------------------------------------------------------------------------------------- lowering


def test_cholesky_is_one_barrier_per_pivot(lower):
    def phases(body):
        @qd.kernel
        def k(a: F2):
            qd.loop_config(block_dim=16)
            for _ in range(16):
                t = T16.zeros(dtype=qd.f32)
                t[:] = a[0:16, 0:16]
                body(t)
                a[0:16, 0:16] = t

        program = lower(k, np.zeros((16, 16), np.float32), optimize=False)
        return program, _count(program.items[-1].body, ir.RangeFor)

    @qd.func
    def nothing(t: qd.template()):
        t.eye_()

    @qd.func
    def factor(t: qd.template()):
        t.cholesky_(1e-6)

    _, base = phases(nothing)
    program, with_factor = phases(factor)
    # without exchanges the loop stays plain; the factor's 16 pivots each publish a row in one of two alternating
    # arrays behind one barrier, and a final barrier ends it: 17 barriers, 18 phases of the lane loop
    assert (base, with_factor) == (0, 18)
    arrays = _tile_arrays(program)
    assert len(arrays) == 2 and all(a.dtype == qd.f32 and a.ndim == 3 for a in arrays)  # (slot, lane, register)


def test_rank1_update_exchanges_one_value_per_lane(lower):
    @qd.kernel
    def k(a: F2):
        qd.loop_config(block_dim=32)
        for _ in range(32):
            t = T16.zeros(dtype=qd.f32)
            t -= qd.outer(a[0:16, 0], a[0:16, 1])
            a[0:16, 0:16] = t

    program = lower(k, np.zeros((16, 16), np.float32))
    assert not _tile_arrays(program)  # the subgroup's exchange array, one value per lane
    assert [a.name for a in program.args if a.name.startswith("qd_simt_exchange")]


# ---------------------------------------------------------------------------------------- values and funcs


def test_tiles_are_values_and_template_params_are_references(ref):
    @qd.func
    def reset_copy(t):
        t.eye_()

    @qd.func
    def reset_ref(t: qd.template()):
        t.eye_()

    @qd.kernel
    def k(a: F2, b: F2, c: F2):
        qd.loop_config(block_dim=16)
        for _ in range(16):
            t = T16.zeros(dtype=qd.f32)
            t[:] = a[0:16, 0:16]
            u = t  # a copy
            u.r[3] = -1.0
            reset_copy(t)
            b[0:16, 0:16] = t
            reset_ref(u)
            c[0:16, 0:16] = u

    src = np.arange(256, dtype=np.float32).reshape(16, 16)
    a, b, c = (qd.ndarray(qd.f32, (16, 16)) for _ in range(3))
    a.from_numpy(src)
    k(a, b, c)
    np.testing.assert_array_equal(b.to_numpy(), src)
    np.testing.assert_array_equal(c.to_numpy(), np.eye(16, dtype=np.float32))


def test_tile_class_as_a_template_argument(ref):
    @qd.func
    def fill(Tile: qd.template(), out: qd.template()):
        t = Tile.eye(dtype=qd.f32)
        t.r[0] = t.r[0] + qd.cast(Tile.SIZE, qd.f32)
        out[0 : Tile.SIZE, 0 : Tile.SIZE] = t

    @qd.kernel
    def k(out: F2, big: qd.template()):
        qd.loop_config(block_dim=32)
        for _ in range(32):
            fill(qd.simt.Tile32x32 if qd.static(big) else T16, out)

    out = qd.ndarray(qd.f32, (32, 32))
    k(out, True)
    expected = np.eye(32, dtype=np.float32)
    expected[:, 0] += 32
    np.testing.assert_array_equal(out.to_numpy(), expected)


def test_tile_type_is_a_struct_with_the_row_registers():
    st = TileType(16, qd.f64)
    assert list(st.members) == ["r"] and st.members["r"].shape == (16,) and st.members["r"].dtype == qd.f64
    assert set(st.methods) == {"eye_", "cholesky_", "solve_triangular_"}


# ------------------------------------------------------------------------------------------------- errors


def _kernel(fn, what):
    @qd.kernel
    def k(a: F2):
        qd.loop_config(block_dim=16)
        for _ in range(16):
            fn(a, what)

    return k


@pytest.mark.parametrize(
    "fn, what, error, fragment",
    [
        ("_load", "open", qd.QuadrantsSyntaxError, "both start and stop indices are required"),
        ("_update", "add", TypeError, "unsupported augmented assignment op 'Add'"),
        ("_update", "scalar", TypeError, "unsupported augmented assignment with"),
        ("_solve", "upper", TypeError, "only lower=True is supported"),
        ("_load", "tile", TypeError, "can only be assigned from an array slice"),
        ("_load", "column", qd.QuadrantsCompilationError, "only valid in tile operations"),
        ("_load", "int", qd.QuadrantsTypeError, "needs a float type"),
        ("_load", "big", qd.QuadrantsSyntaxError, "a 32x32 tile needs 32 lanes"),
        ("_load", "row", qd.QuadrantsSyntaxError, "sliced in kernel code only for register tiles"),
        ("_load", "step", qd.QuadrantsSyntaxError, "a step is not supported"),
        ("_load", "negative", qd.QuadrantsSyntaxError, "Negative indices are not supported"),
        ("_load", "whole", qd.QuadrantsSyntaxError, "only the target of a load"),
        ("_load", "store", qd.QuadrantsTypeError, "only a register tile can be stored"),
        ("_update", "tile", qd.QuadrantsTypeError, "one scalar per lane or a column slice"),
    ],
)
def test_misuse_is_reported_at_the_users_line(lower, fn, what, error, fragment):
    with pytest.raises(error, match=fragment) as info:
        lower(_kernel(globals()[fn], what), np.zeros((16, 16), np.float32))
    assert info.value.loc.file == __file__


@qd.func
def _load(a: qd.template(), what: qd.template()):
    t = T16.zeros(dtype=qd.f32)
    if qd.static(what == "open"):
        t[:] = a[:16, 0:16]
    if qd.static(what == "tile"):
        t[:] = T16.eye()
    if qd.static(what == "column"):
        v = a[0:16, 1]
        t.r[0] = v + 1.0
    if qd.static(what == "int"):
        T16.zeros(dtype=qd.i32)
    if qd.static(what == "big"):
        qd.simt.Tile32x32.zeros()
    if qd.static(what == "row"):
        t[:] = a[0:16]
    if qd.static(what == "negative"):
        t[:] = a[0:16, -1:16]
    if qd.static(what == "step"):
        t[:] = a[0:16:2, 0:16]
    if qd.static(what == "whole"):
        u = t[:]
        a[0:16, 0:16] = u
    if qd.static(what == "store"):
        a[0:16, 0:16] = 1.0


@qd.func
def _update(a: qd.template(), what: qd.template()):
    t = T16.zeros(dtype=qd.f32)
    if qd.static(what == "add"):
        t += qd.outer(1.0, 2.0)
    if qd.static(what == "scalar"):
        t -= 3.0
    if qd.static(what == "tile"):
        t -= qd.outer(t, 1.0)


@qd.func
def _solve(a: qd.template(), what: qd.template()):
    t = T16.eye(dtype=qd.f32)
    u = T16.zeros(dtype=qd.f32)
    if qd.static(what == "upper"):
        t.solve_triangular_(u, lower=False)


def test_tiles_need_a_parallel_loop(lower):
    @qd.kernel
    def k(a: F2):
        t = T16.zeros(dtype=qd.f32)
        a[0:16, 0:16] = t

    with pytest.raises(qd.QuadrantsSyntaxError, match="need a parallel loop"):
        lower(k, np.zeros((16, 16), np.float32))


def test_a_solve_needs_tiles_of_one_size(lower):
    @qd.kernel
    def k(a: F2):
        qd.loop_config(block_dim=32)
        for _ in range(32):
            L = T16.eye(dtype=qd.f32)
            B = qd.simt.Tile32x32.zeros(dtype=qd.f32)
            L.solve_triangular_(B)
            a[0:32, 0:32] = B

    with pytest.raises(qd.QuadrantsTypeError, match="both tiles must have the same size"):
        lower(k, np.zeros((32, 32), np.float32))
