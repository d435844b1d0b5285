"""Grid sizes of llvm-cuda parallel tasks from their bounds (``quadrants_llvm.cuda.lane_grid``): pure, no GPU."""

from __future__ import annotations

from types import SimpleNamespace

from quadrants.ir import nodes as N
from quadrants.ir.dtypes import f32, i32
from quadrants.ir.ops import Op
from quadrants_llvm.cuda import lane_grid


def _const(v, dtype=i32):
    return N.Const(v, dtype)


def _for(begins, ends, body=()):
    vars_ = tuple(N.Var(k, f"i{k}", i32) for k in range(len(ends)))
    return N.ParallelFor(vars=vars_, begins=tuple(begins), ends=tuple(ends), body=tuple(body))


def _arr(*shape):
    return SimpleNamespace(shape=shape)


def test_constant_bounds_count_their_lanes():
    count = lane_grid.lane_counter(_for([_const(0)], [_const(16)]))
    assert count([]) == 16
    assert lane_grid.blocks(count, [], 256, 1056) == 1


def test_shapes_and_scalars_are_read_from_the_arguments():
    # qd.ndrange((1, x.shape[0] - 1), n): 2-d, one axis from a shape, one from a scalar argument
    inner = N.OpExpr(Op.SUB, (N.Shape(0, 0, i32), _const(1)), i32)
    item = _for([_const(1), _const(0)], [inner, N.ArgRef(1, i32)])
    count = lane_grid.lane_counter(item)
    assert count([_arr(10, 3), 7]) == 8 * 7
    assert lane_grid.blocks(count, [_arr(1 << 20), 1000], 256, 1056) == 1056  # capped at the full grid
    assert lane_grid.blocks(count, [_arr(1 << 10), 100], 256, 1056) == -(-1022 * 100 // 256)


def test_empty_and_negative_ranges_still_launch_one_block():
    count = lane_grid.lane_counter(_for([_const(5)], [N.ArgRef(0, i32)]))
    assert count([2]) == 0
    assert lane_grid.blocks(count, [2], 256, 1056) == 1


def test_division_by_zero_in_a_bound_follows_the_language():
    item = _for([_const(0)], [N.OpExpr(Op.FLOORDIV, (_const(64), N.ArgRef(0, i32)), i32)])
    count = lane_grid.lane_counter(item)
    assert count([0]) == 0 and count([4]) == 16


def test_kernel_variables_and_float_bounds_keep_the_full_grid():
    local = N.LocalRef(N.Var(99, "n", i32))
    assert lane_grid.lane_counter(_for([_const(0)], [local])) is None
    as_float = N.OpExpr(Op.CAST, (N.OpExpr(Op.ADD, (_const(1.5, f32), _const(2.0, f32)), f32),), i32)
    assert lane_grid.lane_counter(_for([_const(0)], [as_float])) is None
    assert lane_grid.blocks(None, [], 256, 1056) == 1056


def test_an_unreadable_argument_falls_back_to_the_full_grid():
    count = lane_grid.lane_counter(_for([_const(0)], [N.Shape(0, 2, i32)]))
    assert lane_grid.blocks(count, [_arr(4)], 256, 1056) == 1056  # axis 2 of a 1-d array: IndexError


def test_heavy_tasks_with_few_lanes_get_smaller_blocks_to_reach_every_sm():
    count = lane_grid.lane_counter(_for([_const(0)], [N.ArgRef(0, i32)]))
    # 4096 lanes on 132 SMs: 16 blocks of 256 would leave 116 SMs idle; blocks of 32 give 128 blocks
    assert lane_grid.launch_dims(count, [4096], 256, 1056, 132, spread=True) == (128, 32)
    # 16384 lanes: halve until the blocks reach the SMs (64 threads, 256 blocks)
    assert lane_grid.launch_dims(count, [16384], 256, 1056, 132, spread=True) == (256, 64)
    # enough lanes for every SM, a light task, or an unknown count: the usual blocks
    assert lane_grid.launch_dims(count, [1 << 20], 256, 1056, 132, spread=True) == (1056, 256)
    assert lane_grid.launch_dims(count, [4096], 256, 1056, 132, spread=False) == (16, 256)
    assert lane_grid.launch_dims(None, [4096], 256, 1056, 132, spread=True) == (1056, 256)
    assert lane_grid.launch_dims(count, [0], 256, 1056, 132, spread=True) == (1, 32)  # no lanes: one small block


def test_a_task_is_heavy_when_its_lanes_loop():
    inner = N.RangeFor(var=N.Var(1, "j", i32), begin=_const(0), end=_const(8), body=())
    assert lane_grid.heavy(_for([_const(0)], [_const(16)], body=(inner,)))
    assert not lane_grid.heavy(_for([_const(0)], [_const(16)]))


def test_row_blocked_tasks_get_a_thread_per_row_block_past_the_occupancy_grid():
    count = lane_grid.lane_counter(_for([_const(0), _const(0)], [N.ArgRef(0, i32), N.ArgRef(1, i32)]))
    # 16384^2 points, 4 rows a thread: 2^26 threads in 2^18 blocks, not the 1056 blocks that fill an H100
    assert lane_grid.launch_dims(count, [16384, 16384], 256, 1056, 132, False, rows=4) == (1 << 18, 256)
    # a point count that is no multiple of the rows rounds up; without rows the grid stays capped
    assert lane_grid.launch_dims(count, [9, 9], 256, 1056, 132, False, rows=4) == (1, 256)
    assert lane_grid.launch_dims(count, [16384, 16384], 256, 1056, 132, False) == (1056, 256)
    # an unknown lane count keeps the occupancy-sized grid (the grid-stride loop walks the row blocks)
    assert lane_grid.launch_dims(None, [], 256, 1056, 132, False, rows=4) == (1056, 256)
    huge = lane_grid.launch_dims(count, [1 << 40, 1 << 20], 256, 1056, 132, False, rows=4)
    assert huge == (lane_grid.MAX_BLOCKS, 256)


def test_counters_of_constant_bounds_say_so():
    assert lane_grid.lane_counter(_for([_const(0), _const(1)], [_const(16), _const(9)])).constant
    assert not lane_grid.lane_counter(_for([_const(0)], [N.ArgRef(0, i32)])).constant
    assert not lane_grid.lane_counter(_for([_const(0)], [N.Shape(0, 0, i32)])).constant
