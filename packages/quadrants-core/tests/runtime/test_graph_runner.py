"""The host graph runner (docs/semantics.md §16.4) against a scripted fake executable."""

from __future__ import annotations

from quadrants.ir import nodes as ir
from quadrants.runtime.graph import RunState, run_items


class FakeExe:
    """Records the tasks it runs; 0-d flags are plain ints that tasks may change through ``effects``."""

    def __init__(self, flags: dict[int, int], effects: dict[str, dict[int, int]] | None = None):
        self.flags = dict(flags)
        self.effects = effects or {}
        self.ran: list[str] = []
        self.reads: list[int] = []

    def run_task(self, ctx, item):
        name = item.body[0].message
        self.ran.append(name)
        for arg, delta in self.effects.get(name, {}).items():
            self.flags[arg] += delta

    def read_i32(self, ctx, arg):
        self.reads.append(arg)
        return self.flags[arg]


def task(name: str) -> ir.SerialBlock:
    return ir.SerialBlock((ir.Check(ir.Const(True, _u1()), "assert", name),))


def _u1():
    from quadrants.ir.dtypes import u1

    return u1


def test_do_while_runs_at_least_once_and_repeats_while_nonzero():
    exe = FakeExe({0: 0})
    run_items(exe, None, (ir.DoWhile(0, 0, (task("body"),)),), RunState())
    assert exe.ran == ["body"]
    exe = FakeExe({0: 3}, {"body": {0: -1}})
    run_items(exe, None, (ir.DoWhile(0, 0, (task("body"),)),), RunState())
    assert exe.ran == ["body"] * 3


def test_negative_counters_keep_looping_until_zero():
    exe = FakeExe({0: -2}, {"body": {0: 1}})
    run_items(exe, None, (ir.DoWhile(0, 0, (task("body"),)),), RunState())
    assert exe.ran == ["body"] * 2


def test_checkpoint_flag_read_once_after_body_and_first_yielder_wins():
    items = (ir.Checkpoint(0, 1, (task("a"),)), ir.Checkpoint(1, 2, (task("b"),)), task("outside"))
    exe = FakeExe({1: 1, 2: 1})
    state = RunState()
    run_items(exe, None, items, state)
    assert exe.ran == ["a", "outside"] and state.yield_signal == 0 and exe.reads == [1]


def test_a_checkpoint_may_set_the_next_ones_flag():
    items = (ir.Checkpoint(0, 1, (task("a"),)), ir.Checkpoint(1, 2, (task("b"),)))
    exe = FakeExe({1: 0, 2: 0}, {"a": {2: 1}})
    state = RunState()
    run_items(exe, None, items, state)
    assert exe.ran == ["a", "b"] and state.yield_signal == 1


def test_resume_skips_earlier_checkpoints_but_never_outside_statements():
    items = (ir.Checkpoint(0, -1, (task("implicit"),)), task("outside"), ir.Checkpoint(1, 1, (task("target"),)))
    exe = FakeExe({1: 0})
    run_items(exe, None, items, RunState(resume_point=1))
    assert exe.ran == ["outside", "target"]


def test_yield_exits_every_enclosing_loop_after_the_current_pass():
    inner = ir.DoWhile(1, 2, (ir.Checkpoint(0, 3, (task("cp"),)), task("after-cp")))
    outer = ir.DoWhile(0, 1, (inner, task("outer-tail")))
    exe = FakeExe({1: 5, 2: 5, 3: 1})
    state = RunState()
    run_items(exe, None, (outer, task("end")), state)
    assert exe.ran == ["cp", "after-cp", "outer-tail", "end"] and state.yield_signal == 0


def test_resume_point_applies_only_until_the_first_body_boundary():
    loop = ir.DoWhile(0, 1, (ir.Checkpoint(0, -1, (task("early"),)), ir.Checkpoint(1, 2, (task("late"),))))
    exe = FakeExe({1: 2, 2: 0}, {"late": {1: -1}})
    run_items(exe, None, (loop,), RunState(resume_point=1))
    assert exe.ran == ["late", "early", "late"]


def test_a_failed_launch_is_aborted_and_a_finished_one_ended():
    import pytest

    from quadrants.runtime.graph import run_program

    class Recording(FakeExe):
        def begin(self, values):
            self.ran.append("begin")
            return list(values)

        def end(self, ctx):
            self.ran.append("end")
            return (7,)

        def abort(self, ctx):
            self.ran.append("abort")

        def run_task(self, ctx, item):
            super().run_task(ctx, item)
            if self.ran[-1] == "boom":
                raise RuntimeError("a task failed")

    ok = Recording({})
    assert run_program(ok, [1], (task("a"),), RunState()) == (7,)
    assert ok.ran == ["begin", "a", "end"]
    failed = Recording({})
    with pytest.raises(RuntimeError, match="a task failed"):
        run_program(failed, [1], (task("a"), task("boom"), task("c")), RunState())
    assert failed.ran == ["begin", "a", "boom", "abort"]
