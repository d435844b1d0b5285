"""One buffer passed as several ndarray arguments of a task, one of them written (wgsl/aliases.py): which arguments
alias, the variant that binds the buffer once (one ``read_write`` declaration, the aliases' accessors on the owner's
variable), its cache, and aliases among arrays in the arena or in windows (runtime/placement.py)."""

from __future__ import annotations

import numpy as np
import pytest

import quadrants as qd
from quadrants.ir import dtypes as T
from quadrants.ir.ops import Op
from quadrants_wgpu.wgsl.aliases import find_aliases, share_bindings
from quadrants_wgpu.wgsl.packing import ArgUse, cell, declaration
from quadrants_wgpu.wgsl.placement import BindingPlan, Placement

I32 = qd.types.NDArray[qd.i32, 1]
F32 = qd.types.NDArray[qd.f32, 1]
U8 = qd.types.NDArray[qd.u8, 1]
ANY = qd.types.ndarray()  # any element type: the kernel specializes per dtype

X, Y = object(), object()  # two buffers


# ------------------------------------------------------------------------------------------------ detection


def test_a_buffer_read_and_written_through_two_arguments_aliases_the_later_one():
    assert find_aliases(((0, True), (1, False)), {0: X, 1: X}) == ((1, 0),)
    assert find_aliases(((0, False), (1, True)), {0: X, 1: X}) == ((1, 0),)


def test_three_arguments_of_one_buffer_share_the_first_ones_binding():
    bindings = ((0, True), (2, True), (5, False))
    assert find_aliases(bindings, {0: X, 2: X, 5: X}) == ((2, 0), (5, 0))


def test_two_written_arguments_of_one_buffer_alias():
    assert find_aliases(((1, False), (3, False)), {1: Y, 3: Y}) == ((3, 1),)


def test_read_only_or_distinct_buffers_keep_their_own_bindings():
    assert find_aliases(((0, True), (1, True)), {0: X, 1: X}) == ()  # read-only usages combine in WebGPU
    assert find_aliases(((0, True), (1, False)), {0: X, 1: Y}) == ()
    assert find_aliases((((0, 1), True), ("f32", False)), {0: X}) == ()  # windows and views are not arguments


def test_groups_of_two_buffers_are_found_separately():
    bindings = ((0, True), (1, False), (2, False), (3, True))
    assert find_aliases(bindings, {0: X, 1: Y, 2: X, 3: Y}) == ((2, 0), (3, 1))


def test_binding_plan_owners():
    plan = BindingPlan(aliases=((2, 0), (3, 0)))
    assert plan.owner(2) == 0 and plan.owner(3) == 0 and plan.owner(0) == 0 and plan.owner(1) == 1
    assert plan and not BindingPlan()


# ------------------------------------------------------------------------------------------------ the shader


def test_a_group_takes_the_union_of_its_uses():
    owner = ArgUse(0, T.u8, loads=True)
    alias = ArgUse(1, T.u8, stores=True, owner=0)
    other = ArgUse(2, T.u8, loads=True)
    share_bindings({0: owner, 1: alias, 2: other})
    assert owner.stores and alias.loads and not other.stores
    # packed stores need atomic words: the owner's declaration is read_write atomic<u32>, as the alias writes it
    assert declaration(owner, 3) == "@group(0) @binding(3) var<storage, read_write> qd_a0: array<atomic<u32>>;"
    assert cell(alias, "i") == "qd_a0[i]"


def test_atomic_ops_of_a_group_decide_the_storage_of_all():
    owner = ArgUse(0, T.f32, atomic_ops={Op.ATOMIC_ADD}, owner=None)
    alias = ArgUse(1, T.f32, atomic_ops={Op.ATOMIC_MAX}, owner=0)
    share_bindings({0: owner, 1: alias})
    assert owner.atomic_ops == alias.atomic_ops == {Op.ATOMIC_ADD, Op.ATOMIC_MAX}
    assert owner.atomic_ops is not alias.atomic_ops


def test_an_alias_of_an_unused_argument_is_refused():
    with pytest.raises(AssertionError, match="aliases argument 0"):
        share_bindings({1: ArgUse(1, T.i32, loads=True, owner=0)})


def test_an_alias_sits_where_its_owner_does():
    alias = ArgUse(4, T.i32, owner=1, placement=Placement(chunks=2, chunk_log2=10), chunk=1)
    assert cell(alias, "i") == "qd_a1_c1[i]"


def _stencil():
    @qd.kernel
    def k(a: F32, b: F32):
        for i in range(4):  # reads elements 0..4, writes 5..8: no element both
            b[i + 5] = a[i] + a[i + 1]

    return k


def test_the_variant_binds_the_buffer_once_and_the_default_stays_read_only(device, limits):
    real = device.device.limits
    made = limits(real["max-storage-buffer-binding-size"], real["max-storage-buffers-per-shader-stage"])
    qd.init(arch=qd.vulkan)
    k = _stencil()
    x = qd.ndarray(qd.f32, 9)
    x.from_numpy(np.arange(9, dtype=np.float32))
    y = qd.ndarray(qd.f32, 9)
    k(x, y)
    np.testing.assert_array_equal(y.to_numpy(), [0, 0, 0, 0, 0, 1, 3, 5, 7])
    k(x, x)
    k(x, x)
    np.testing.assert_array_equal(x.to_numpy(), [0, 1, 2, 3, 4, 1, 3, 5, 7])
    k(y, x)  # distinct again: the default shader
    np.testing.assert_array_equal(x.to_numpy(), [0, 1, 2, 3, 4, 0, 0, 0, 0])
    (exe,) = made
    (task,) = exe._tasks
    assert list(task.variants) == [BindingPlan(), BindingPlan(aliases=((1, 0),))]  # emitted once, then cached
    default, _, _ = task.variants[BindingPlan()]
    shared, _, _ = task.variants[BindingPlan(aliases=((1, 0),))]
    assert "var<storage, read> qd_a0: array<f32>;" in default.wgsl and default.bindings == ((0, True), (1, False))
    assert "var<storage, read_write> qd_a0: array<f32>;" in shared.wgsl and shared.bindings == ((0, False),)
    assert "qd_a1:" not in shared.wgsl and "qd_a0[i] = v;" in shared.wgsl
    assert {entry[2] for entry in task.bind_groups.values()} == {BindingPlan(), BindingPlan(aliases=((1, 0),))}
    qd.reset()


def test_aliases_in_the_arena_are_copied_back(vulkan_modes, limits):
    made = limits(1 << 20, 6)  # 3 fixed + 3: five arrays need the arena

    @qd.kernel
    def k(a: I32, b: I32, c: I32, d: I32, e: I32, big: I32):
        for i in range(4):
            b[i + 4] = a[i] + c[i] + d[i] + e[i] + big[i]

    x = qd.ndarray(qd.i32, 8)
    x.from_numpy(np.arange(8, dtype=np.int32))
    ones = [qd.ndarray(qd.i32, 1024) for _ in range(3)]  # dearer to copy than x
    for o in ones:
        o.from_numpy(np.ones(1024, np.int32))
    big = qd.ndarray(qd.i32, 4096)
    big.from_numpy(np.full(4096, 10, np.int32))
    k(x, x, *ones, big)
    plans = [p for exe in made for t in exe._tasks for p in t.variants if p]
    (plan,) = plans
    assert plan.aliases == ((1, 0),)
    offsets = dict(plan.arena)
    assert 0 in offsets and offsets[0] == offsets[1]  # the alias is placed with its owner (and copied back)
    np.testing.assert_array_equal(x.to_numpy(), [0, 1, 2, 3, 13, 14, 15, 16])


def test_an_aliased_array_in_windows(vulkan_modes, limits):
    made = limits(1024, 8)  # 2048 bytes: two windows

    @qd.kernel
    def k(a: I32, b: I32):
        for i in range(256):
            b[i + 256] = a[i] * 2

    x = qd.ndarray(qd.i32, 512)
    x.from_numpy(np.arange(512, dtype=np.int32))
    k(x, x)
    (plan,) = [p for exe in made for t in exe._tasks for p in t.variants if p]
    assert plan.aliases == ((1, 0),) and plan.chunks == ((0, 2, 10),)
    np.testing.assert_array_equal(x.to_numpy(), np.concatenate([np.arange(256), np.arange(256) * 2]))


def test_packed_and_atomic_groups_run(vulkan_modes):
    @qd.kernel
    def bump(a: U8, b: U8):
        for i in range(5):
            b[i + 5] = qd.cast(a[i] + 1, qd.u8)

    @qd.kernel
    def gather(a: F32, b: F32):
        for i in range(2, 8):  # elements 2.. are only read; 0 and 1 only updated atomically
            qd.atomic_max(b[0], a[i])
            qd.atomic_add(b[1], a[i])

    u = qd.ndarray(qd.u8, 10)
    u.from_numpy(np.arange(10, dtype=np.uint8))
    bump(u, u)
    np.testing.assert_array_equal(u.to_numpy(), [0, 1, 2, 3, 4, 1, 2, 3, 4, 5])
    f = qd.ndarray(qd.f32, 8)
    f.from_numpy(np.arange(8, dtype=np.float32))
    gather(f, f)
    # max and add on one f32 binding: atomic words for every member of the group (no native f32 atomic_max)
    np.testing.assert_array_equal(f.to_numpy(), [7, 28, 2, 3, 4, 5, 6, 7])


@pytest.mark.filterwarnings("ignore:Assign may lose precision")  # i16 <- i32: the product is stored narrowed
@pytest.mark.parametrize("name", ["i64", "u64", "i16"])
def test_wide_and_narrow_groups_run(vulkan_modes, name):
    """i64/u64 (native, or u32 word pairs when emulated) and i16 (packed) elements: a read, a store and an atomic
    through three arguments of one buffer."""

    @qd.kernel
    def mix(a: ANY, b: ANY, c: ANY):
        for i in range(4):
            b[i + 4] = a[i] * 3
            qd.atomic_add(c[8], a[i])

    x = qd.ndarray(getattr(qd, name), 9)
    x.from_numpy(np.array([1, 2, 3, 4, 0, 0, 0, 0, 5], dtype=name.replace("i", "int").replace("u", "uint")))
    mix(x, x, x)
    np.testing.assert_array_equal(x.to_numpy(), [1, 2, 3, 4, 3, 6, 9, 12, 15])
