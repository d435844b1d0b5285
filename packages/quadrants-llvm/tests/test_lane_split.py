"""Sub-lane split of a lane's serial sum loop (``quadrants_llvm.builder.lane_split``): which bodies qualify, the
PTX it gives, and the grid the host sizes for it. Pure or PTX-only: the GPU runs are the conformance cases
(``quadrants_conformance.cases.test_split_sums``) and ``test_split_sums_gpu`` below."""

from __future__ import annotations

import numpy as np
import pytest

import quadrants as qd
from quadrants.ir import dtypes as T, nodes as N
from quadrants.ir.ops import Op
from quadrants_llvm.builder import lane_split
from quadrants_llvm.cuda import lane_grid

from .conftest import const, op, pfor, program, ref, var

LANE, J, ACC, X = var("i"), var("j"), var("acc", T.f32), var("x", T.f32)
SUM = var("s")


def _body(update, pre=None, post=None, loop_extra=(), begin=None, end=None):
    """``for i: <pre>; acc = 0; for j in [begin, end): x = a[j]; <update>; <loop_extra>; <post>``."""
    pre = [N.Decl(ACC, const(0.0, T.f32)), N.Decl(SUM, const(0))] if pre is None else pre
    loop = N.RangeFor(
        J,
        begin or const(0),
        end or N.Shape(0, 0, T.i32),
        (N.Load(X, 0, (ref(J),)), *update, *loop_extra),
    )
    post = [N.Store(1, (ref(LANE),), ref(ACC))] if post is None else post
    return pfor([LANE], [0], [N.Shape(1, 0, T.i32)], [*pre, loop, *post])


def _add(v, e):
    return N.Assign(v, op(Op.ADD, ref(v), e))


def test_a_float_sum_splits_in_order_under_ieee_and_freely_under_fast_math():
    item = _body([_add(ACC, ref(X))])
    ordered = lane_split.plan(item, fast_math=False)
    assert ordered is not None and ordered.ordered and ordered.most == lane_split.ORDERED_MAX
    split = lane_split.plan(item, fast_math=True)
    assert split is not None and [v.name for v in split.accumulators] == ["acc"]
    assert isinstance(split.loop, N.RangeFor) and len(split.post) == 1
    assert not split.ordered and split.most == lane_split.SPLIT_MAX


def test_an_ordered_sum_needs_each_update_once_per_iteration():
    """In order, an update is one addend per iteration: under ``if``s yes, in an inner loop or after a top-level
    ``continue`` (which skips the chunk's adds) no; integer-only sums keep the free split."""
    guarded = N.If(
        op(Op.GT, ref(X), const(0.0, T.f32), dtype=T.u1), (_add(ACC, ref(X)),), (_add(ACC, const(1.0, T.f32)),)
    )
    assert lane_split.plan(_body([guarded, _add(ACC, ref(X))]), fast_math=False).ordered
    inner = N.RangeFor(var("k"), const(0), const(3), (_add(ACC, ref(X)),))
    assert lane_split.plan(_body([inner]), fast_math=False) is None
    assert lane_split.plan(_body([inner]), fast_math=True) is not None  # any order: any number of updates
    skip = N.If(op(Op.GT, ref(X), const(0.0, T.f32), dtype=T.u1), (N.Continue(),))
    assert lane_split.plan(_body([skip, _add(ACC, ref(X))]), fast_math=False) is None
    inner_skip = N.RangeFor(var("k"), const(0), const(3), (N.Continue(),))
    assert lane_split.plan(_body([inner_skip, _add(ACC, ref(X))]), fast_math=False) is not None


def test_slotted_body_keeps_the_updates_in_statement_order():
    from quadrants_llvm.builder.ordered_sums import slotted

    guarded = N.If(
        op(Op.GT, ref(X), const(0.0, T.f32), dtype=T.u1), (_add(ACC, ref(X)),), (_add(ACC, const(2.0, T.f32)),)
    )
    body, pairs = slotted((guarded, _add(ACC, const(3.0, T.f32))), frozenset({ACC.id}))
    assert [acc.name for acc, _ in pairs] == ["acc"] * 3
    slots = [slot for _, slot in pairs]
    assert len({v.id for v in slots}) == 3 and all(v.dtype == T.f32 for v in slots)
    assert body[0].then[0] == N.Assign(slots[0], ref(X)) and body[0].orelse[0].var == slots[1]
    assert body[1] == N.Assign(slots[2], const(3.0, T.f32))


def test_an_int_sum_splits_without_fast_math():
    item = _body([_add(SUM, op(Op.CAST, ref(X), dtype=T.i32))], post=[N.Store(1, (ref(LANE),), ref(SUM))])
    split = lane_split.plan(item, fast_math=False)
    assert split is not None and [v.name for v in split.accumulators] == ["s"]


@pytest.mark.parametrize(
    "why, update, extra",
    [
        ("reads the accumulator", [N.Assign(ACC, op(Op.MUL, ref(ACC), ref(X)))], ()),
        ("a store in the loop", [_add(ACC, ref(X))], (N.Store(1, (ref(J),), ref(X)),)),
        ("an atomic in the loop", [_add(ACC, ref(X))], (N.AtomicRMW(None, Op.ATOMIC_ADD, 1, (ref(J),), (ref(X),)),)),
        ("break", [_add(ACC, ref(X))], (N.Break(),)),
        ("a print", [_add(ACC, ref(X))], (N.Print(("x",)),)),
        ("the addend reads an accumulator", [_add(ACC, op(Op.ADD, ref(X), ref(ACC)))], ()),
    ],
)
def test_loops_that_do_more_than_sum_keep_one_thread_per_lane(why, update, extra):
    assert lane_split.plan(_body(update, loop_extra=extra), fast_math=True) is None, why


def test_pre_statements_must_be_pure_and_short_constant_loops_stay():
    store_first = [N.Store(1, (ref(LANE),), const(0.0, T.f32)), N.Decl(ACC, const(0.0, T.f32))]
    assert lane_split.plan(_body([_add(ACC, ref(X))], pre=store_first), fast_math=True) is None
    short = _body([_add(ACC, ref(X))], end=const(lane_split.MIN_TRIPS - 1))
    assert lane_split.plan(short, fast_math=True) is None
    long = _body([_add(ACC, ref(X))], end=const(lane_split.MIN_TRIPS))
    assert lane_split.plan(long, fast_math=True) is not None


def test_a_short_loop_bounded_by_a_constant_local_stays_with_its_lane():
    """``qd.grouped(qd.ndrange(...))`` loops run to a ``trip_count`` local declared with a constant (Genesis's SPH
    visits 27 neighbour cells so): short is short through the local too, unless the local is assigned again."""
    trips = var("trip_count")

    def body(n, reassign=False):
        pre = [N.Decl(ACC, const(0.0, T.f32)), N.Decl(trips, const(n))]
        if reassign:
            pre.append(N.Assign(trips, op(Op.ADD, ref(trips), N.Shape(0, 0, T.i32))))
        return _body([_add(ACC, ref(X))], pre=pre, end=ref(trips))

    assert lane_split.plan(body(27), fast_math=True) is None
    assert lane_split.plan(body(lane_split.MIN_TRIPS), fast_math=True) is not None
    assert lane_split.plan(body(27, reassign=True), fast_math=True) is not None  # not a constant any more


def test_the_strided_loop_takes_every_sth_iteration_from_the_sub_lane():
    """The IR share of sub-lane ``sub`` of ``S``: evaluated by hand over all (sub, S) for odd, empty, negative and
    offset ranges, the shares partition the original iterations."""
    for begin, end in [(0, 1001), (5, 998), (10, 10), (9, 2), (-7, 40)]:
        for count in (1, 2, 4, 8, 16, 32):
            seen = []
            for sub in range(count):
                first = begin + sub
                trips = (max(end - begin, 0) - sub + count - 1) // count
                seen += [first + k * count for k in range(trips)]
            assert sorted(seen) == list(range(begin, end)), (begin, end, count)
    decls = lane_split.strided_loop(N.RangeFor(J, const(-7), const(40), ()))
    assert [type(s) for s in decls] == [N.Decl, N.Decl, N.RangeFor]
    assert isinstance(decls[2].body[0], N.Decl) and decls[2].body[0].var == J


def test_ptx_shuffles_within_the_group_and_keeps_plain_tasks_unchanged():
    from quadrants.backend import CompileOptions
    from quadrants_llvm.cuda import compile_ptx

    args = [N.NdarrayArg("a", T.f32, 1), N.NdarrayArg("out", T.f32, 1)]
    prog = program(args, [_body([_add(ACC, ref(X))])])
    fast = compile_ptx(prog, CompileOptions(fast_math=True)).ptx
    assert fast.count("shfl.sync.bfly.b32") == 5  # offsets 16 .. 1, each behind a uniform S > offset test
    ieee = compile_ptx(prog, CompileOptions()).ptx
    assert "shfl.sync.bfly.b32" not in ieee  # IEEE: no partial sums ...
    # ... but each sub-lane's addend, in order, after the warp agrees on its chunk count (16 even lanes, i64 halves)
    assert ieee.count("shfl.sync.idx.b32") == lane_split.ORDERED_MAX + 32


def test_the_host_sizes_a_split_task_for_its_sub_lanes():
    count = lane_grid.lane_counter(pfor([LANE], [0], [N.ArgRef(0, T.i32)], []))
    # 4096 lanes: 4096 * 32 threads in blocks of 256 (capped at the full grid); without the split, 128 blocks of 32
    assert lane_grid.launch_dims(count, [4096], 256, 1056, 132, True, lane_split.SPLIT_MAX) == (512, 256)
    assert lane_grid.launch_dims(count, [4096], 256, 1056, 132, True) == (128, 32)
    assert lane_grid.launch_dims(count, [1 << 20], 256, 1056, 132, True, lane_split.SPLIT_MAX) == (1056, 256)


def test_sub_lane_count_is_the_largest_power_of_two_that_fits():
    """The in-kernel choice of S, evaluated through llvmlite's constant folding of the same builder calls."""
    import ctypes

    import llvmlite.binding as llvm
    import llvmlite.ir as ll

    def chosen(total, threads):
        module = ll.Module()
        fn = ll.Function(module, ll.FunctionType(ll.IntType(64), []), name="f")
        b = ll.IRBuilder(fn.append_basic_block())
        i64 = ll.IntType(64)
        lanes = lane_split.SubLanes(b, ll.Constant(i64, total), ll.Constant(i64, threads), ll.Constant(i64, 0))
        b.ret(lanes.count)
        mod = llvm.parse_assembly(str(module))
        target = llvm.Target.from_default_triple().create_target_machine()
        engine = llvm.create_mcjit_compiler(mod, target)
        engine.finalize_object()
        return ctypes.CFUNCTYPE(ctypes.c_int64)(engine.get_function_address("f"))()

    assert chosen(4096, 4096 * 32) == 32
    assert chosen(16384, 270336) == 16
    assert chosen(1 << 20, 270336) == 1
    assert chosen(37, 256) == 4


def _init_cuda(**options) -> None:
    """``qd.init(arch=qd.cuda, **options)``, or skip the test without a CUDA device."""
    from quadrants_llvm.cuda import driver

    ok, why = driver.probe()
    if not ok:
        pytest.skip(f"no CUDA device: {why}")
    qd.init(arch=qd.cuda, **options)


def test_split_sums_gpu():
    """On a CUDA device: a 4096-lane float sum under fast_math against NumPy (skips without one)."""
    _init_cuda(fast_math=True)
    try:

        @qd.kernel
        def sums(a: qd.types.NDArray[qd.f32, 2], out: qd.types.NDArray[qd.f32, 1]):
            for i in range(a.shape[0]):
                s = 0.0
                for j in range(a.shape[1]):
                    s += a[i, j]
                out[i] = s

        a = np.random.default_rng(1).random((4096, 3000)).astype(np.float32)
        out = np.zeros(4096, np.float32)
        sums(a, out)
        np.testing.assert_allclose(out, a.astype(np.float64).sum(axis=1), rtol=1e-5)
    finally:
        qd.reset()


def test_ordered_sums_gpu():
    """On a CUDA device: a few-lane float sum under the default IEEE semantics has the bits of the serial loop
    (NumPy's sequential ``add.accumulate`` in float32), over addends of very different sizes (skips without one)."""
    _init_cuda()
    try:

        @qd.kernel
        def sums(a: qd.types.NDArray[qd.f32, 2], out: qd.types.NDArray[qd.f32, 1]):
            for i in range(a.shape[0]):
                s = 0.5
                for j in range(a.shape[1]):
                    if a[i, j] > 0:
                        s += a[i, j] * 3.0
                    s += a[i, j]
                out[i] = s

        rng = np.random.default_rng(2)
        a = (rng.standard_normal((61, 3001)) * 10.0 ** rng.integers(-6, 7, (61, 3001))).astype(np.float32)
        out = np.zeros(61, np.float32)
        sums(a, out)
        addends = np.stack([np.where(a > 0, a * np.float32(3.0), np.float32(-0.0)), a], axis=2).reshape(61, -1)
        seq = np.add.accumulate(np.concatenate([np.full((61, 1), 0.5, np.float32), addends], axis=1), axis=1)[:, -1]
        assert out.tobytes() == seq.astype(np.float32).tobytes()
    finally:
        qd.reset()
