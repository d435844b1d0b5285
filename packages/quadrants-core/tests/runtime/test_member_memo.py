"""runtime/member_memo.py: launches with unchanged compound-argument members skip the member walk, and every
change a user can make between launches (rebinding, deleting, a destroyed SNode tree, a new compile) is still seen."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import quadrants as qd
from quadrants.runtime import member_memo

ND = qd.types.NDArray[qd.i32, 1]


@dataclasses.dataclass
class State:
    a: ND
    b: ND
    scale: int = 2


@dataclasses.dataclass
class Holder:
    f: qd.template()


@dataclasses.dataclass
class Host:
    x: ND


@pytest.fixture(autouse=True, params=["ref", "cpu"])
def _session(request):
    if request.param == "cpu":
        pytest.importorskip("quadrants_llvm")
    qd.init(arch=getattr(qd, request.param))
    yield
    qd.reset()


def _nd(*values):
    x = qd.ndarray(qd.i32, (len(values),))
    x.from_numpy(np.array(values, np.int32))
    return x


@qd.kernel
def add_scaled(s: State):
    for i in range(2):
        s.b[i] += s.a[i] * s.scale


def _memo(kernel):
    return kernel._primal._member_memo


def test_unchanged_members_hit_the_memo():
    s = State(_nd(1, 2), _nd(0, 0))
    for _ in range(3):
        add_scaled(s)
    assert s.b.to_numpy().tolist() == [6, 12]
    assert len(_memo(add_scaled)) == 1
    assert add_scaled.launch_observations.found_kernel_in_materialize_cache


def test_rebinding_an_array_member_launches_with_the_new_array():
    s = State(_nd(1, 2), _nd(0, 0))
    add_scaled(s)
    compiles = add_scaled._primal.compile_count
    old_b = s.b
    s.b = _nd(10, 10)
    add_scaled(s)
    assert old_b.to_numpy().tolist() == [2, 4]
    assert s.b.to_numpy().tolist() == [12, 14]
    s.a = _nd(5, 5)  # the other member too
    add_scaled(s)
    assert s.b.to_numpy().tolist() == [22, 24]
    assert add_scaled._primal.compile_count == compiles


def test_a_dataclass_int_member_is_read_at_every_launch():
    s = State(_nd(1, 1), _nd(0, 0))
    add_scaled(s)
    s.scale = 7
    add_scaled(s)
    assert s.b.to_numpy().tolist() == [9, 9]


def test_rebinding_a_baked_primitive_specializes_again():
    @qd.data_oriented
    class Sim:
        def __init__(self):
            self.out = qd.ndarray(qd.i32, (1,))
            self.n = 2  # a template primitive: baked into the code

        @qd.kernel
        def k(self):
            self.out[0] += self.n

    sim = Sim()
    sim.k()
    sim.k()
    sim.n = 7
    sim.k()
    assert sim.out.to_numpy().tolist() == [11]
    assert Sim.k.compile_count == 2
    sim.n = 2  # back to the first value: its specialization again, not the last launch's
    sim.k()
    assert sim.out.to_numpy().tolist() == [13]
    assert Sim.k.compile_count == 2


def test_a_member_of_another_dtype_is_checked_again():
    s = State(_nd(1, 1), _nd(0, 0))
    add_scaled(s)
    add_scaled(s)
    s.a = qd.ndarray(qd.f32, (2,))
    with pytest.raises(TypeError, match="Expect element type i32"):  # the member's annotation, as without the memo
        add_scaled(s)


def test_run_time_scalar_members_are_read_at_every_launch():
    @qd.data_oriented(template_primitives=False)
    class Sim:
        def __init__(self):
            self.out = qd.ndarray(qd.i32, (1,))
            self.n = 0

        @qd.kernel
        def k(self):
            self.out[0] += self.n

    sim = Sim()
    for n in range(1, 6):
        sim.n = n
        sim.k()
    assert sim.out.to_numpy().tolist() == [15]
    assert Sim.k.compile_count == 1
    assert len(Sim.k._member_memo) == 1 and not Sim.k._member_memo._misses


def test_rebinding_a_field_member():
    @qd.kernel
    def bump(h: Holder):
        for i in range(2):
            h.f[i] += 1

    first, second = qd.field(qd.i32, shape=2), qd.field(qd.i32, shape=2)
    h = Holder(first)
    bump(h)
    bump(h)
    h.f = second
    bump(h)
    assert first.to_numpy().tolist() == [2, 2] and second.to_numpy().tolist() == [1, 1]


def test_numpy_members_are_copied_back_and_not_memoised():
    @qd.kernel
    def inc(h: Host):
        for i in range(2):
            h.x[i] += 1

    h = Host(np.zeros(2, np.int32))
    inc(h)
    inc(h)
    assert h.x.tolist() == [2, 2]
    assert len(_memo(inc)) == 0


def test_a_deleted_member_raises_as_without_the_memo():
    @qd.data_oriented
    class Sim:
        def __init__(self):
            self.x = qd.ndarray(qd.i32, (1,))

        @qd.kernel
        def k(self):
            self.x[0] += 1

    sim = Sim()
    sim.k()
    del sim.x
    with pytest.raises(AttributeError):
        sim.k()


def test_a_destroyed_snode_tree_retires_the_memo():
    @qd.kernel
    def bump(h: Holder):
        for i in range(2):
            h.f[i] += 1

    x = qd.field(qd.i32)
    builder = qd.FieldsBuilder()
    builder.dense(qd.i, 2).place(x)
    tree = builder.finalize()
    h = Holder(x)
    bump(h)
    bump(h)
    tree.destroy()
    with pytest.raises(qd.QuadrantsRuntimeError, match="destroyed"):
        bump(h)


def test_a_compile_that_reads_new_members_clears_the_memo():
    @qd.kernel
    def pick(s: State, use_b: qd.template()):
        for i in range(2):
            if qd.static(use_b):
                s.b[i] += 1
            else:
                s.a[i] += 1

    s = State(_nd(0, 0), _nd(0, 0))
    pick(s, False)
    pick(s, False)
    assert len(_memo(pick)) == 1
    pick(s, True)  # reads s.b: a compile that adds a member path
    s.b = _nd(5, 5)
    pick(s, True)
    pick(s, False)
    assert s.a.to_numpy().tolist() == [3, 3] and s.b.to_numpy().tolist() == [6, 6]


def test_the_memo_stays_bounded_and_gives_up_on_members_that_never_match():
    @qd.data_oriented
    class Fresh:
        """A member that a property recomputes at every access: a new float object each time."""

        def __init__(self):
            self.out = qd.ndarray(qd.i32, (1,))
            self._scale = 0.5

        @property
        def scale(self):
            return self._scale * 1.0

        @qd.kernel
        def k(self):
            if self.scale > 0:
                self.out[0] += 1

    fresh = Fresh()
    launches = member_memo._MAX_MISSES + 5
    for _ in range(launches):
        fresh.k()
    assert fresh.out.to_numpy().tolist() == [launches]
    assert Fresh.k.compile_count == 1
    assert max(Fresh.k._member_memo._misses.values()) > member_memo._MAX_MISSES
    states = [State(_nd(1, 1), _nd(0, 0)) for _ in range(member_memo._MAX_ENTRIES + 6)]
    for s in states:
        add_scaled(s)
    assert len(_memo(add_scaled)) <= member_memo._MAX_ENTRIES
    assert all(s.b.to_numpy().tolist() == [2, 2] for s in states)


@dataclasses.dataclass(frozen=True)
class Frozen:
    a: ND
    k: qd.i32


@qd.kernel
def mixed(f: Frozen, s: State):
    for i in range(2):
        s.b[i] += f.a[i] * f.k


def test_a_frozen_argument_beside_a_mutable_one_is_checked_by_identity():
    f1, f2 = Frozen(_nd(1, 1), 3), Frozen(_nd(2, 2), 5)
    s = State(_nd(0, 0), _nd(0, 0))
    mixed(f1, s)
    mixed(f1, s)
    assert s.b.to_numpy().tolist() == [6, 6]
    entry = next(iter(_memo(mixed)._entries.values()))
    assert entry.leaves[0]() is f1  # the frozen argument itself (weakly), not its members
    mixed(f2, s)  # another frozen object: its own members and scalar
    s.b = _nd(0, 0)
    mixed(f2, s)
    assert s.b.to_numpy().tolist() == [10, 10]
    mixed(f1, s)
    assert s.b.to_numpy().tolist() == [13, 13]


def test_an_entry_dies_with_its_argument_objects():
    import gc
    import weakref

    f = Frozen(_nd(1, 1), 2)
    first = State(_nd(1, 1), _nd(0, 0))
    mixed(f, first)  # the compile keeps its own arguments alive (Compiled.keepalive)
    s = State(_nd(1, 1), _nd(0, 0))
    mixed(f, s)
    mixed(f, s)
    mixed(f, first)  # the arg memo now holds these arguments, not s
    assert len(_memo(mixed)) == 2
    array = weakref.ref(s.b)
    del s
    gc.collect()
    assert len(_memo(mixed)) == 1 and array() is None  # the dropped state and its arrays are freed


@qd.data_oriented
class Doubler:
    def __init__(self):
        self.x = qd.field(qd.f32, shape=3, needs_grad=True)
        self.y = qd.field(qd.f32, shape=3, needs_grad=True)

    @qd.kernel
    def double(self, scale: qd.f32):
        for i in self.x:
            self.y[i] += self.x[i] * scale


def test_adjoint_launches_share_the_memo_and_see_rebound_members():
    """kernel.grad takes the forward path's memos (runtime/autodiff.py): repeated adjoint launches hit the member
    memo, and a member rebound between them is launched with its new field and that field's gradient (issue 23)."""
    d = Doubler()
    d.y.grad.fill(1.0)
    for _ in range(3):
        d.double.grad(2.0)
    assert d.x.grad.to_numpy().tolist() == [6.0, 6.0, 6.0]
    assert len(_memo(d.double)) == 1
    old_x = d.x
    d.x = qd.field(qd.f32, shape=3, needs_grad=True)
    d.double.grad(0.5)
    assert d.x.grad.to_numpy().tolist() == [0.5, 0.5, 0.5]
    assert old_x.grad.to_numpy().tolist() == [6.0, 6.0, 6.0]
    d.x.from_numpy(np.array([1.0, 2.0, 3.0], np.float32))
    d.double(3.0)  # the forward launch after the derived ones reads the new member too
    assert d.y.to_numpy().tolist() == [3.0, 6.0, 9.0]


@dataclasses.dataclass
class Rows:
    x: ND


@qd.kernel
def reverse_blocks(r: Rows):
    qd.loop_config(block_dim=4)
    for i in range(8):
        sh = qd.simt.block.SharedArray((4,), qd.i32)
        sh[qd.simt.block.thread_idx()] = i
        qd.simt.block.sync()
        r.x[i] += sh[3 - qd.simt.block.thread_idx()]


def test_a_memo_hit_keeps_the_sessions_scratch_arrays_without_looking_them_up(monkeypatch):
    from quadrants.runtime import members

    r = Rows(_nd(*([0] * 8)))
    reverse_blocks(r)
    looked_up = []
    scratch = members.scratch_storage
    monkeypatch.setattr(members, "scratch_storage", lambda *a: looked_up.append(a) or scratch(*a))
    reverse_blocks(r)  # a memo hit: the scratch array is the entry's, as a field's storage would be
    assert looked_up == [] and len(_memo(reverse_blocks)) == 1
    assert r.x.to_numpy().tolist() == [2 * (i // 4 * 4 + 3 - i % 4) for i in range(8)]
    r.x = _nd(*([1] * 8))  # a rebound member: the full walk, which looks the scratch array up again
    reverse_blocks(r)
    assert len(looked_up) == 1 and r.x.to_numpy().tolist() == [1 + i // 4 * 4 + 3 - i % 4 for i in range(8)]
