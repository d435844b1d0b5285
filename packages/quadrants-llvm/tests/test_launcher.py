"""cpu/launcher.py: the generated launch function skips the overlap test only for the address ranges it passed."""

from __future__ import annotations

import numpy as np

from quadrants.ir import dtypes as T, nodes as N
from quadrants.ir.ops import Op
from quadrants_llvm.cpu import BACKEND

from .conftest import const, load, op, program, ref, var


def _shift_program():
    """b[i + 1] = a[i] for i in [0, 3): with a and b overlapping, the alias-safe variant must run."""
    i, v = var("i"), var("v")
    body = [N.Load(v, 0, (ref(i),)), N.Store(1, (op(Op.ADD, ref(i), const(1)),), ref(v))]
    arrays = [N.NdarrayArg(name, T.i32, 1) for name in ("a", "b")]
    return program(arrays, [N.ParallelFor((i,), (const(0),), (const(3),), tuple(body))])


def test_overlap_is_tested_again_when_the_ranges_change():
    exe = load(_shift_program())
    calls = []
    aliased = exe.launch_aliased
    exe.launch_aliased = lambda args: calls.append(1) or aliased(args)  # the launch looks it up at each call
    src, dst = np.arange(4, dtype=np.int32), np.zeros(4, np.int32)
    wrapped = [BACKEND.wrap_numpy(src), BACKEND.wrap_numpy(dst)]
    for _ in range(3):  # the same disjoint ranges: no alias-safe launch
        exe.launch(wrapped)
    assert calls == [] and dst.tolist() == [0, 0, 1, 2]
    x = np.arange(5, dtype=np.int32)
    exe.launch([BACKEND.wrap_numpy(x), BACKEND.wrap_numpy(x[1:])])  # overlapping ranges after passing ones
    assert calls == [1]
    x = np.arange(5, dtype=np.int32)
    overlapping = [BACKEND.wrap_numpy(x), BACKEND.wrap_numpy(x[1:])]
    exe.launch(overlapping)  # an overlapping launch is never remembered as passed
    exe.launch(overlapping)
    assert calls == [1, 1, 1]
    exe.launch(wrapped)
    assert calls == [1, 1, 1]


def test_the_task_by_task_path_runs_the_alias_safe_variant_where_arguments_overlap():
    """begin/run_task/end (graph programs, profiled launches) makes the same choice as the fast path."""
    exe = load(_shift_program())
    item = exe.program.items[0]
    src, dst = np.arange(4, dtype=np.int32), np.zeros(4, np.int32)
    ctx = exe.begin([BACKEND.wrap_numpy(src), BACKEND.wrap_numpy(dst)])
    assert ctx.tasks is exe._tasks and exe._aliased is None
    exe.run_task(ctx, item)
    exe.end(ctx)
    assert dst.tolist() == [0, 0, 1, 2]
    x = np.arange(5, dtype=np.int32)
    ctx = exe.begin([BACKEND.wrap_numpy(x), BACKEND.wrap_numpy(x[1:])])
    assert exe._aliased is not None and ctx.tasks is exe._aliased._tasks
    exe.run_task(ctx, item)
    exe.end(ctx)
    assert x.tolist() == [0, 1, 0, 1, 0]  # x[i + 2] = x[i] in lane order: x[4] takes the x[2] that lane 0 wrote


def test_the_sorted_sweep_agrees_with_the_pairwise_overlap_test():
    """launcher.overlap_test against ``a.ptr < b.end and b.ptr < a.end`` for every pair with a written member, on
    random ranges with many ties and empty ranges."""
    from types import SimpleNamespace

    from quadrants_llvm.cpu.launcher import overlap_test

    rng = np.random.default_rng(7)
    for trial in range(3000):
        n = int(rng.integers(1, 7))
        written = {k for k in range(n) if rng.random() < 0.4}
        program = SimpleNamespace(args=tuple(N.NdarrayArg(f"a{k}", T.f32, 1) for k in range(n)))
        test = overlap_test(program, written)
        starts = rng.integers(0, 8, n)
        args = [SimpleNamespace(ptr=int(s), end=int(s + rng.integers(0, 4))) for s in starts]
        brute = any(
            args[a].ptr < args[b].end and args[b].ptr < args[a].end
            for a in range(n)
            for b in range(a + 1, n)
            if a in written or b in written
        )
        assert (test is not None and test(args)) == brute, (trial, written, [(a.ptr, a.end) for a in args])
        assert (test is None) == (not written)
