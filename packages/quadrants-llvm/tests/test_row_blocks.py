"""Row-blocked lanes for GPU stencils (``quadrants_llvm.builder.row_blocks``, issue 18): which loops get them, the
load reuse in the PTX, and runs of the lowering on the host (``grid_emulator``) with tail rows and overlapping
arrays."""

from __future__ import annotations

import re

import numpy as np
import pytest

from quadrants.backend import CompileOptions
from quadrants.ir import dtypes as T, nodes as N
from quadrants.ir.ops import Op
from quadrants_llvm.builder import row_blocks
from quadrants_llvm.cuda import compile_ptx

from .conftest import const, op, pfor, program, ref, var
from .grid_emulator import emulate


@pytest.fixture(autouse=True)
def _row_blocks_on(monkeypatch):
    """These tests exercise row blocks whatever the default (row_blocks.ENABLED) is."""
    monkeypatch.setattr(row_blocks, "ENABLED", True)


F32_2 = [N.NdarrayArg("a", T.f32, 2), N.NdarrayArg("b", T.f32, 2)]


def _jacobi(horizontal: bool = True, begin: int = 1):
    """``b[i, j] = 0.25 * (a[i - 1, j] + a[i + 1, j] (+ a[i, j - 1] + a[i, j + 1]))`` over the interior of ``a``."""
    i, j = var("i"), var("j")
    near = [(op(Op.SUB, ref(i), const(1)), ref(j)), (op(Op.ADD, ref(i), const(1)), ref(j))]
    if horizontal:
        near += [(ref(i), op(Op.SUB, ref(j), const(1))), (ref(i), op(Op.ADD, ref(j), const(1)))]
    xs = [var(f"x{k}", T.f32) for k in range(len(near))]
    body = [N.Load(x, 0, idx) for x, idx in zip(xs, near, strict=True)]
    total = ref(xs[0])
    for x in xs[1:]:
        total = op(Op.ADD, total, ref(x))
    body.append(N.Store(1, (ref(i), ref(j)), op(Op.MUL, const(0.25, T.f32), total)))
    ends = [op(Op.SUB, N.Shape(0, axis, T.i32), const(1)) for axis in (0, 1)]
    return pfor([i, j], [begin, 1], ends, body)


def _expected(a: np.ndarray, horizontal: bool = True) -> np.ndarray:
    s = a[:-2, 1:-1] + a[2:, 1:-1]
    if horizontal:
        s = s + a[1:-1, :-2] + a[1:-1, 2:]
    return np.float32(0.25) * s


# ------------------------------------------------------------------------------------------------------- the plan
def test_a_two_axis_stencil_with_vertical_neighbours_gets_row_blocks():
    assert row_blocks.applies(_jacobi()) == row_blocks.ROWS == 4
    assert row_blocks.applies(_jacobi(horizontal=False)) == 4


def test_loops_without_shared_rows_keep_the_plain_lanes():
    i, j, x, y = var("i"), var("j"), var("x", T.f32), var("y", T.f32)
    ends = [const(8), const(8)]
    pointwise = pfor([i, j], [0, 0], ends, [N.Load(x, 0, (ref(i), ref(j))), N.Store(1, (ref(i), ref(j)), ref(x))])
    assert row_blocks.applies(pointwise) is None  # one row per load: nothing to share
    # two rows but of different columns (a[i, j] and a[i + 1, 0]): not the same column of the block
    skew = pfor(
        [i, j],
        [0, 0],
        ends,
        [
            N.Load(x, 0, (ref(i), ref(j))),
            N.Load(y, 0, (op(Op.ADD, ref(i), const(1)), const(0))),
            N.Store(1, (ref(i), ref(j)), op(Op.ADD, ref(x), ref(y))),
        ],
    )
    assert row_blocks.applies(skew) is None
    # a one-axis loop: there is no second-to-last axis
    k = var("k")
    one = pfor([k], [1], [const(8)], [N.Load(x, 0, (op(Op.SUB, ref(k), const(1)), ref(k)))])
    one = pfor([k], [1], [const(8)], [*one.body, N.Load(y, 0, (ref(k), ref(k))), N.Store(1, (ref(k), ref(k)), ref(x))])
    assert row_blocks.applies(one) is None


def test_an_array_read_and_written_at_other_lanes_elements_keeps_the_plain_lanes():
    i, j, x, y = var("i"), var("j"), var("x", T.f32), var("y", T.f32)
    body = [  # a[i, j] = a[i - 1, j] + a[i + 1, j] + b[i, j]: copies would reuse values the copies themselves write
        N.Load(x, 0, (op(Op.SUB, ref(i), const(1)), ref(j))),
        N.Load(y, 0, (op(Op.ADD, ref(i), const(1)), ref(j))),
        N.Store(0, (ref(i), ref(j)), op(Op.ADD, ref(x), ref(y))),
        N.Load(y, 1, (ref(i), ref(j))),
    ]
    assert row_blocks.applies(pfor([i, j], [1, 1], [const(7), const(7)], body)) is None


def test_a_written_array_read_at_the_lanes_own_elements_is_allowed():
    i, j, x, y, z = var("i"), var("j"), var("x", T.f32), var("y", T.f32), var("z", T.f32)
    body = [  # b[i, j] = b[i, j] + a[i - 1, j] + a[i + 1, j]
        N.Load(x, 0, (op(Op.SUB, ref(i), const(1)), ref(j))),
        N.Load(y, 0, (op(Op.ADD, ref(i), const(1)), ref(j))),
        N.Load(z, 1, (ref(i), ref(j))),
        N.Store(1, (ref(i), ref(j)), op(Op.ADD, ref(z), op(Op.ADD, ref(x), ref(y)))),
    ]
    assert row_blocks.applies(pfor([i, j], [1, 1], [const(7), const(7)], body)) == 4


def test_heavy_bodies_and_reductions_are_left_to_the_caller_and_never_reach_emit():
    """grid.py asks for a plan only for light bodies without reductions or a lane split: a body with a loop keeps
    its PTX free of the row-blocked loop."""
    i, j, x, y, t = var("i"), var("j"), var("x", T.f32), var("y", T.f32), var("t")
    inner = N.RangeFor(t, const(0), const(3), (N.Load(y, 0, (op(Op.ADD, ref(i), const(1)), ref(j))),))
    body = [N.Load(x, 0, (op(Op.SUB, ref(i), const(1)), ref(j))), inner, N.Store(1, (ref(i), ref(j)), ref(x))]
    item = pfor([i, j], [1, 1], [const(7), const(7)], body)
    ir = compile_ptx(program(F32_2, [item]), CompileOptions()).ir_text
    assert "rows." not in ir


# -------------------------------------------------------------------------------------------------------- the PTX
def _block_ptx() -> str:
    """The PTX of the full row block of Jacobi: between its first and its last store."""
    ptx = compile_ptx(program(F32_2, [_jacobi()]), CompileOptions()).ptx
    stores = [m.start() for m in re.finditer(r"st\.global\.b32", ptx)]
    first = ptx.rindex("$L__BB", 0, stores[0])
    return ptx[first : ptx.index("\n", stores[3])]


def test_the_row_block_loads_each_shared_row_once():
    block = _block_ptx()
    assert block.count("st.global.b32") == 4  # four rows, one store each
    # rows r0 - 1 .. r0 + 4 once each (6) and two horizontal neighbours per row (8): 3.5 loads a point, not 4
    assert len(re.findall(r"ld\.global\.nc\.b32", block)) == 14
    assert "ld.global.b32" not in block  # a is never written: the read-only path
    assert not re.search(r"\b(div|rem)\.", block)


def test_the_plain_loop_remains_for_overlapping_arrays():
    ir = compile_ptx(program(F32_2, [_jacobi()]), CompileOptions()).ir_text
    assert "rows.plain" in ir or "grid.head" in ir
    assert ir.count("ptrtoint") >= 2  # the overlap test reads both arrays' ranges
    ptx = compile_ptx(program(F32_2, [_jacobi()]), CompileOptions()).ptx
    assert re.search(r"ld\.global\.b32", ptx)  # the plain loop's coherent loads (any aliasing)


# ------------------------------------------------------------------------------------------------ runs (emulated)
@pytest.mark.parametrize("shape", [(6, 7), (7, 5), (11, 9), (12, 4), (3, 6), (2, 5)])
@pytest.mark.parametrize("grid", [(1, 1), (2, 3), (4, 32)])
def test_row_blocks_compute_every_point_once(shape, grid):
    """Interior rows ``shape[0] - 2``: multiples of 4 and not (a tail block), a single row, none at all."""
    rng = np.random.default_rng(sum(shape))
    a = rng.random(shape, dtype=np.float32)
    b = np.full(shape, -1.0, np.float32)
    emulate(program(F32_2, [_jacobi()]), [a, b], *grid)
    want = np.full(shape, -1.0, np.float32)
    want[1:-1, 1:-1] = _expected(a)
    np.testing.assert_array_equal(b, want)


def test_three_axes_block_the_second_to_last():
    k, i, j, x, y = var("k"), var("i"), var("j"), var("x", T.f32), var("y", T.f32)
    body = [  # b[k, i, j] = a[k, i - 1, j] + a[k, i + 1, j] for i in [1, n - 1)
        N.Load(x, 0, (ref(k), op(Op.SUB, ref(i), const(1)), ref(j))),
        N.Load(y, 0, (ref(k), op(Op.ADD, ref(i), const(1)), ref(j))),
        N.Store(1, (ref(k), ref(i), ref(j)), op(Op.ADD, ref(x), ref(y))),
    ]
    ends = [N.Shape(0, 0, T.i32), op(Op.SUB, N.Shape(0, 1, T.i32), const(1)), N.Shape(0, 2, T.i32)]
    item = pfor([k, i, j], [0, 1, 0], ends, body)
    assert row_blocks.applies(item) == 4
    args = [N.NdarrayArg("a", T.f32, 3), N.NdarrayArg("b", T.f32, 3)]
    a = np.random.default_rng(3).random((3, 8, 5), dtype=np.float32)
    b = np.zeros_like(a)
    emulate(program(args, [item]), [a, b], 2, 7)
    want = np.zeros_like(a)
    want[:, 1:-1] = a[:, :-2] + a[:, 2:]
    np.testing.assert_array_equal(b, want)


def test_overlapping_arrays_take_the_plain_loop_and_stay_exact():
    """``b`` starts at ``a``'s last element (neither read nor written there): the ranges overlap, so the kernel runs
    the plain loop; the result is the same."""
    n, m = 9, 6
    buf = np.zeros(2 * n * m, np.float32)
    buf[: n * m] = np.random.default_rng(5).random(n * m, dtype=np.float32)
    a = buf[: n * m].reshape(n, m)
    b = buf[n * m - 1 : 2 * n * m - 1].reshape(n, m)
    want = _expected(a.copy(), horizontal=False)
    emulate(program(F32_2, [_jacobi(horizontal=False)]), [a, b], 2, 5)
    np.testing.assert_array_equal(b[1:-1, 1:-1], want)


def test_a_lane_own_written_array_reads_its_old_values():
    i, j, x, y, z = var("i"), var("j"), var("x", T.f32), var("y", T.f32), var("z", T.f32)
    body = [  # b[i, j] = b[i, j] + a[i - 1, j] + a[i + 1, j]
        N.Load(x, 0, (op(Op.SUB, ref(i), const(1)), ref(j))),
        N.Load(y, 0, (op(Op.ADD, ref(i), const(1)), ref(j))),
        N.Load(z, 1, (ref(i), ref(j))),
        N.Store(1, (ref(i), ref(j)), op(Op.ADD, ref(z), op(Op.ADD, ref(x), ref(y)))),
    ]
    ends = [op(Op.SUB, N.Shape(0, 0, T.i32), const(1)), N.Shape(0, 1, T.i32)]
    rng = np.random.default_rng(7)
    a = rng.random((11, 3), dtype=np.float32)
    b = rng.random((11, 3), dtype=np.float32)
    want = b.copy()
    want[1:-1] += a[:-2] + a[2:]
    emulate(program(F32_2, [pfor([i, j], [1, 0], ends, body)]), [a, b], 1, 4)
    np.testing.assert_array_equal(b, want)


def test_continue_skips_one_row_of_a_block_only():
    i, j, x, y = var("i"), var("j"), var("x", T.f32), var("y", T.f32)
    body = [  # if i % 3 == 1: continue;  b[i, j] = a[i - 1, j] + a[i + 1, j]
        N.If(op(Op.EQ, op(Op.MOD, ref(i), const(3)), const(1)), (N.Continue(),), ()),
        N.Load(x, 0, (op(Op.SUB, ref(i), const(1)), ref(j))),
        N.Load(y, 0, (op(Op.ADD, ref(i), const(1)), ref(j))),
        N.Store(1, (ref(i), ref(j)), op(Op.ADD, ref(x), ref(y))),
    ]
    ends = [op(Op.SUB, N.Shape(0, 0, T.i32), const(1)), N.Shape(0, 1, T.i32)]
    a = np.random.default_rng(11).random((14, 4), dtype=np.float32)
    b = np.zeros_like(a)
    emulate(program(F32_2, [pfor([i, j], [1, 0], ends, body)]), [a, b], 3, 2)
    want = np.zeros_like(a)
    want[1:-1] = a[:-2] + a[2:]
    want[[r for r in range(14) if r % 3 == 1]] = 0
    np.testing.assert_array_equal(b, want)


@pytest.mark.parametrize("rows", [2, 8])
def test_other_row_counts_per_lane_are_exact_and_share_their_loads(rows, monkeypatch):
    """``emit`` takes any power of two (the A/B probe ``benchmarks/jacobi_rows_ab.py`` tries 2 and 8 on a GPU)."""
    monkeypatch.setattr(row_blocks, "plan", lambda item: rows)
    for shape in [(13, 5), (2 + 2 * rows, 6)]:
        a = np.random.default_rng(rows).random(shape, dtype=np.float32)
        b = np.zeros(shape, np.float32)
        emulate(program(F32_2, [_jacobi()]), [a, b], 2, 3)
        np.testing.assert_array_equal(b[1:-1, 1:-1], _expected(a))
    ptx = compile_ptx(program(F32_2, [_jacobi()]), CompileOptions()).ptx
    stores = [m.start() for m in re.finditer(r"st\.global\.b32", ptx)]
    block = ptx[ptx.rindex("$L__BB", 0, stores[0]) : stores[rows - 1]]
    assert len(re.findall(r"ld\.global\.nc\.b32", block)) == (rows + 2) + 2 * rows


# ------------------------------------------------------------------------------------------------ the host's grid
def test_the_artifact_names_its_row_blocked_tasks():
    plain = pfor([var("i")], [0], [N.Shape(0, 0, T.i32)], [N.Store(1, (ref(var("i")),), const(0.0, T.f32))])
    art = compile_ptx(program([N.NdarrayArg("a", T.f32, 1), N.NdarrayArg("b", T.f32, 1)], [plain]), CompileOptions())
    assert art.rows_per_lane == (1,)
    art = compile_ptx(program(F32_2, [_jacobi()]), CompileOptions())
    assert art.rows_per_lane == (row_blocks.ROWS,)


def test_the_host_launches_a_thread_per_row_block_past_the_occupancy_grid():
    pytest.importorskip("cuda.bindings.driver", reason="the null driver uses cuda-bindings' types")
    from types import SimpleNamespace

    from quadrants_llvm.cuda import driver, null_driver
    from quadrants_llvm.cuda.executable import CudaExecutable

    null_driver.install()
    try:
        exe = CudaExecutable(compile_ptx(program(F32_2, [_jacobi()]), CompileOptions()), driver.device(), {})
        big = SimpleNamespace(shape=(16384, 16384))
        blocks, threads = exe.grid(0, [big, big])
        assert threads == 256 and blocks == -(-(16382 * 16382) // row_blocks.ROWS // 256)
        assert blocks > exe.full_grids[0][0]  # more than the occupancy-sized grid
    finally:
        null_driver.uninstall()
