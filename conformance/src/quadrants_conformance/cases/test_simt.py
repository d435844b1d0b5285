"""docs/simt.md: ``qd.simt`` blocks, shared arrays, subgroups (32 lanes) and warps, the same on every backend.

A block is ``block_dim`` consecutive iterations of the parallel loop (linear index ``// block_dim``); the lane is
``linear % block_dim``; a subgroup is 32 consecutive lanes. Goldens are computed with NumPy from that definition.
"""

import numpy as np

import quadrants as qd
from quadrants_conformance import case
from quadrants_conformance.cases.test_random import _f32 as _rand

I32_1 = qd.types.NDArray[qd.i32, 1]
U32_1 = qd.types.NDArray[qd.u32, 1]
F32_1 = qd.types.NDArray[qd.f32, 1]
I32_2 = qd.types.NDArray[qd.i32, 2]

N = 64  # two blocks of 32, or one block of 64
LANES = np.arange(N)
VALUES = (LANES * 37 + 11) % 23 - 7  # a fixed, non-monotonic integer sequence


def _groups(values, width):
    return values.reshape(-1, width)


def _per_group(values, width, fn):
    return np.concatenate([fn(g) for g in _groups(np.asarray(values), width)]).tolist()


def _i32(n):
    return qd.ndarray(qd.i32, (n,))


# ------------------------------------------------------------------------------------------ blocks and barriers


@case(section="simt", golden={"x": [int(((i // 32) * 32 + (i % 32 + 1) % 32) * 10) for i in range(N)]})
def shared_array_and_block_sync_exchange_between_lanes():
    @qd.kernel
    def k(x: I32_1):
        qd.loop_config(block_dim=32)
        for i in range(N):
            sh = qd.simt.block.SharedArray((32,), qd.i32)
            tid = qd.simt.block.thread_idx()
            sh[tid] = i * 10
            qd.simt.block.sync()
            x[i] = sh[(tid + 1) % 32]

    x = _i32(N)
    k(x)
    return {"x": x.to_numpy()}


@case(section="simt", golden={"sums": [int(VALUES[b * 16 : b * 16 + 16].sum()) for b in range(4)]})
def block_reduction_through_shared_memory_with_lane_zero_loop():
    @qd.kernel
    def k(v: I32_1, sums: I32_1):
        qd.loop_config(block_dim=16)
        for i in range(N):
            sh = qd.simt.block.SharedArray((16,), qd.i32)
            tid = qd.simt.block.thread_idx()
            sh[tid] = v[i]
            qd.simt.block.sync()
            if tid == 0:
                total = 0
                for j in range(16):
                    total += sh[j]
                sums[i // 16] = total

    v, sums = _i32(N), _i32(4)
    v.from_numpy(VALUES.astype(np.int32))
    k(v, sums)
    return {"sums": sums.to_numpy()}


def _staged_expected():
    acc = np.zeros(N, np.int64)
    for rep in range(3):  # each round reads the neighbour's value of the previous round
        acc = acc + np.roll(acc.reshape(2, 32) + rep, -1, axis=1).reshape(-1)
    return acc.tolist()


@case(section="simt", golden={"x": _staged_expected()})
def barriers_inside_a_block_uniform_loop_and_a_func():
    @qd.func
    def publish(sh: qd.template(), tid, value):
        qd.simt.block.sync()  # everyone finished reading the previous round
        sh[tid] = value
        qd.simt.block.sync()

    @qd.kernel
    def k(x: I32_1):
        qd.loop_config(block_dim=32)
        for i in range(N):
            sh = qd.simt.block.SharedArray((32,), qd.i32)
            tid = qd.simt.block.thread_idx()
            acc = 0
            for rep in range(3):
                publish(sh, tid, acc + rep)
                acc += sh[(tid + 1) % 32]
            x[i] = acc

    x = _i32(N)
    k(x)
    return {"x": x.to_numpy()}


@case(section="simt", golden={"x": [(-1 if (i // 32) == 1 else 32 * 31 // 2 + (i // 32) * 32 * 32) for i in range(96)]})
def a_block_uniform_continue_skips_the_whole_block():
    @qd.kernel
    def k(x: I32_1):
        qd.loop_config(block_dim=32)
        for i in range(96):
            if i // 32 == 1:
                x[i] = -1
                continue
            x[i] = qd.simt.block.reduce_add(i, 32, qd.i32)

    x = _i32(96)
    k(x)
    return {"x": x.to_numpy()}


@case(section="simt", golden={"tid": [j % 8 for j in range(24)], "linear": list(range(24))})
def thread_idx_and_global_thread_idx_over_an_ndrange():
    @qd.kernel
    def k(tid: I32_2, linear: I32_2):
        qd.loop_config(block_dim=8)
        for i, j in qd.ndrange((2, 5), 8):
            tid[i - 2, j] = qd.simt.block.thread_idx()
            linear[i - 2, j] = qd.global_thread_idx()

    tid, linear = qd.ndarray(qd.i32, (3, 8)), qd.ndarray(qd.i32, (3, 8))
    k(tid, linear)
    return {"tid": tid.to_numpy().reshape(-1), "linear": linear.to_numpy().reshape(-1)}


@case(
    section="simt",
    golden={"x": [float(np.float32(_rand(i, 0, 0)) + np.float32(_rand(i, 1, 0))) for i in range(N)]},
)
def random_draws_across_a_barrier_continue_the_lane_stream():
    @qd.kernel
    def k(x: F32_1):
        qd.loop_config(block_dim=32)
        for i in range(N):
            a = qd.random()
            qd.simt.block.sync()
            x[i] = a + qd.random()

    x = qd.ndarray(qd.f32, (N,))
    k(x)
    return {"x": x.to_numpy()}


# ------------------------------------------------------------------------------------------------- subgroups


def _subgroup_kernel(fn, dtype=qd.i32, block_dim=64):
    """Run ``out[i] = fn(v[i], lane)`` (``fn`` a @qd.func) over two subgroups in one block of 64."""
    out_t = qd.types.NDArray[dtype, 1]

    @qd.kernel
    def k(v: I32_1, out: out_t):
        qd.loop_config(block_dim=block_dim)
        for i in range(N):
            out[i] = fn(v[i], i % 32)

    v, out = _i32(N), qd.ndarray(dtype, (N,))
    v.from_numpy(VALUES.astype(np.int32))
    k(v, out)
    return out.to_numpy()


sg = qd.simt.subgroup


@qd.func
def _shuffle(v, lane):
    return sg.shuffle(v, qd.u32((lane * 5 + 3) % 32))


@qd.func
def _xor(v, lane):
    return sg.shuffle_xor(v, qd.u32(5))


@qd.func
def _up(v, lane):
    return sg.shuffle_up(v, qd.u32(3))


@qd.func
def _down(v, lane):
    return sg.shuffle_down(v, qd.u32(3))


@qd.func
def _first(v, lane):
    return sg.broadcast_first(v)


@qd.func
def _lane_id(v, lane):
    return sg.invocation_id()


@qd.func
def _elect(v, lane):
    return sg.elect()


@case(
    section="simt",
    golden={
        "shuffle": _per_group(VALUES, 32, lambda g: g[(np.arange(32) * 5 + 3) % 32]),
        "xor": _per_group(VALUES, 32, lambda g: g[np.arange(32) ^ 5]),
        "up": _per_group(VALUES, 32, lambda g: np.where(np.arange(32) >= 3, g[np.arange(32) - 3], g)),
        "down": _per_group(VALUES, 32, lambda g: np.where(np.arange(32) + 3 < 32, g[(np.arange(32) + 3) % 32], g)),
        "first": _per_group(VALUES, 32, lambda g: np.full(32, g[0])),
        "lane": [i % 32 for i in range(N)],
        "elect": [int(i % 32 == 0) for i in range(N)],
    },
)
def subgroup_shuffles_broadcasts_and_lanes():
    return {
        "shuffle": _subgroup_kernel(_shuffle),
        "xor": _subgroup_kernel(_xor),
        "up": _subgroup_kernel(_up),
        "down": _subgroup_kernel(_down),
        "first": _subgroup_kernel(_first),
        "lane": _subgroup_kernel(_lane_id),
        "elect": _subgroup_kernel(_elect),
    }


def _scan(g, fn, inclusive=True, identity=0):
    out, acc = [], identity
    for x in g:
        if inclusive:
            acc = fn(acc, x)
            out.append(acc)
        else:
            out.append(acc)
            acc = fn(acc, x)
    return np.array(out)


@qd.func
def _reduce_add(v, lane):
    return sg.reduce_add(v)


@qd.func
def _reduce_min(v, lane):
    return sg.reduce_all_min(v)


@qd.func
def _reduce_max_tiled(v, lane):
    return sg.reduce_max_tiled(v, 3)


@qd.func
def _inclusive_add(v, lane):
    return sg.inclusive_add(v)


@qd.func
def _exclusive_max(v, lane):
    return sg.exclusive_max(v)


@qd.func
def _exclusive_xor_tiled(v, lane):
    return sg.exclusive_xor_tiled(v, 2)


@qd.func
def _segmented(v, lane):
    return sg.segmented_reduce_add(v, lane % 5 == 0)


@case(
    section="simt",
    golden={
        "reduce_add": _per_group(VALUES, 32, lambda g: np.full(32, g.sum())),
        "reduce_min": _per_group(VALUES, 32, lambda g: np.full(32, g.min())),
        "reduce_max_tiled": _per_group(VALUES, 8, lambda g: np.full(8, g.max())),
        "inclusive_add": _per_group(VALUES, 32, np.cumsum),
        "exclusive_max": _per_group(
            VALUES, 32, lambda g: _scan(g, max, inclusive=False, identity=np.iinfo(np.int32).min)
        ),
        "exclusive_xor_tiled": _per_group(VALUES, 4, lambda g: _scan(g, lambda a, b: a ^ b, inclusive=False)),
        "segmented": _per_group(
            VALUES,
            32,
            lambda g: np.array([g[(j // 5) * 5 : j + 1].sum() for j in range(32)]),
        ),
    },
)
def subgroup_reductions_and_scans():
    return {
        "reduce_add": _subgroup_kernel(_reduce_add),
        "reduce_min": _subgroup_kernel(_reduce_min),
        "reduce_max_tiled": _subgroup_kernel(_reduce_max_tiled),
        "inclusive_add": _subgroup_kernel(_inclusive_add),
        "exclusive_max": _subgroup_kernel(_exclusive_max),
        "exclusive_xor_tiled": _subgroup_kernel(_exclusive_xor_tiled),
        "segmented": _subgroup_kernel(_segmented),
    }


@qd.func
def _ballot_low(v, lane):
    return qd.i32(sg.ballot(qd.i32(v > 0)) & qd.u64(0xFFFF))  # ballot takes an i32 predicate


@qd.func
def _ballot_first(v, lane):
    return qd.i32(sg.ballot_first_n(v > 0, 10))


@qd.func
def _all_any_equal(v, lane):
    return sg.all_true(v > -100) * 100 + sg.any_true(v > 100) * 10 + sg.all_equal(v * 0)


@qd.func
def _warp_ops(v, lane):
    mask = qd.u32(0xFFFFFFFF)
    return qd.simt.warp.shfl_down_i32(mask, v, 1) + qd.simt.warp.shfl_xor_i32(mask, v, 16) * 1000


@qd.func
def _match_any(v, lane):
    return qd.i32(qd.simt.warp.match_any(qd.u32(0xFFFFFFFF), v % 3) & qd.u32(0xFF))


def _bits(g, first=32):
    bits = 0
    for j, x in enumerate(g[:first]):
        bits |= int(x > 0) << j
    return bits


@case(
    section="simt",
    golden={
        "ballot_low": _per_group(VALUES, 32, lambda g: np.full(32, _bits(g) & 0xFFFF)),
        "ballot_first": _per_group(VALUES, 32, lambda g: np.full(32, _bits(g, 10))),
        "votes": [100 + 0 + 1] * N,
        "warp": _per_group(
            VALUES,
            32,
            lambda g: np.where(np.arange(32) + 1 < 32, g[(np.arange(32) + 1) % 32], g) + g[np.arange(32) ^ 16] * 1000,
        ),
        "match_any": _per_group(
            VALUES, 32, lambda g: np.array([sum(int(g[j] % 3 == g[i] % 3) << j for j in range(8)) for i in range(32)])
        ),
    },
)
def subgroup_ballots_votes_and_warp_functions():
    # Python's % matches the kernel's floor modulo for the negative values in VALUES
    return {
        "ballot_low": _subgroup_kernel(_ballot_low),
        "ballot_first": _subgroup_kernel(_ballot_first),
        "votes": _subgroup_kernel(_all_any_equal),
        "warp": _subgroup_kernel(_warp_ops),
        "match_any": _subgroup_kernel(_match_any),
    }


def _sorted_pairs(keys, vals, width):
    out_k, out_v = [], []
    for kg, vg in zip(_groups(keys, width), _groups(vals, width)):
        pairs = sorted(zip(kg.tolist(), vg.tolist()))
        out_k += [p[0] for p in pairs]
        out_v += [p[1] for p in pairs]
    return out_k, out_v


_SORT_KEYS = VALUES % 5
_SORT_VALS = (LANES * 7) % 11


@case(
    section="simt",
    golden={
        "keys": _sorted_pairs(_SORT_KEYS, _SORT_VALS, 32)[0],
        "vals": _sorted_pairs(_SORT_KEYS, _SORT_VALS, 32)[1],
        "tiled_keys": _sorted_pairs(_SORT_KEYS, _SORT_VALS, 8)[0],
    },
)
def subgroup_sorts_key_value_pairs():
    @qd.kernel
    def k(keys: I32_1, vals: I32_1, tiled: I32_1):
        qd.loop_config(block_dim=32)
        for i in range(N):
            key = ((i * 37 + 11) % 23 - 7) % 5  # floor modulo, as NumPy computes _SORT_KEYS
            keys[i], vals[i] = qd.simt.subgroup.bitonic_sort_kv(key, (i * 7) % 11)
            tiled[i], _v = qd.simt.subgroup.bitonic_sort_kv_tiled(key, (i * 7) % 11, 3)

    keys, vals, tiled = _i32(N), _i32(N), _i32(N)
    k(keys, vals, tiled)
    return {"keys": keys.to_numpy(), "vals": vals.to_numpy(), "tiled_keys": tiled.to_numpy()}


# ------------------------------------------------------------------------------------------------ block ops


@qd.func
def _mul(a, b):
    return a * b


@case(
    section="simt",
    golden={
        "sum": _per_group(VALUES, 64, lambda g: np.full(64, g.sum())),
        "inclusive": _per_group(VALUES, 64, np.cumsum),
        "exclusive_max": _per_group(VALUES, 64, lambda g: _scan(g, max, False, np.iinfo(np.int32).min)),
        "product": _per_group((LANES % 3) + 1, 64, lambda g: np.full(64, int(np.prod(g[:20])))),
        "count": _per_group(VALUES, 64, lambda g: np.full(64, int((g > 0).sum()))),
        "all_any": [0 * 10 + 1] * N,
    },
)
def block_reductions_scans_and_predicates():
    @qd.kernel
    def k(v: I32_1, s: I32_1, inc: I32_1, exm: I32_1, prod: I32_1, cnt: I32_1, aa: I32_1):
        qd.loop_config(block_dim=64)
        for i in range(N):
            x = v[i]
            s[i] = qd.simt.block.reduce_add(x, 64, qd.i32)
            inc[i] = qd.simt.block.inclusive_add(x, 64, qd.i32)
            exm[i] = qd.simt.block.exclusive_max(x, 64, qd.i32)
            factor = i % 3 + 1
            if i >= 20:
                factor = 1
            prod[i] = qd.simt.block.reduce(factor, 64, _mul, qd.i32)
            cnt[i] = qd.simt.block.sync_count_nonzero(x > 0)
            aa[i] = qd.simt.block.sync_all_nonzero(x > 0) * 10 + qd.simt.block.sync_any_nonzero(x > 0)

    v = _i32(N)
    v.from_numpy(VALUES.astype(np.int32))
    outs = [_i32(N) for _ in range(6)]
    k(v, *outs)
    return dict(zip(("sum", "inclusive", "exclusive_max", "product", "count", "all_any"), (o.to_numpy() for o in outs)))


def _radix_expected(keys):
    digits = (keys >> 2) & 0x7
    rank = [int((digits < d).sum() + (digits[:i] == d).sum()) for i, d in enumerate(digits)]
    bins = [int((digits == d).sum()) for d in range(8)]
    excl = [int((digits < d).sum()) for d in range(8)]
    return rank, bins, excl


_RADIX_KEYS = (np.arange(8) * 29 + 5) % 64


@case(
    section="simt",
    golden=dict(zip(("rank", "bins", "excl"), _radix_expected(_RADIX_KEYS))),
)
def block_radix_rank():
    @qd.kernel
    def k(keys: U32_1, rank: I32_1, bins_out: I32_1, excl_out: I32_1):
        qd.loop_config(block_dim=8)
        for i in range(8):
            bins = qd.simt.block.SharedArray((8,), qd.i32)
            excl = qd.simt.block.SharedArray((8,), qd.i32)
            rank[i] = qd.simt.block.radix_rank_match_atomic_or(keys[i], 8, 3, 2, 3, bins, excl)
            bins_out[i] = bins[i]
            excl_out[i] = excl[i]

    keys = qd.ndarray(qd.u32, (8,))
    keys.from_numpy(_RADIX_KEYS.astype(np.uint32))
    rank, bins, excl = _i32(8), _i32(8), _i32(8)
    k(keys, rank, bins, excl)
    return {"rank": rank.to_numpy(), "bins": bins.to_numpy(), "excl": excl.to_numpy()}


@case(section="simt", golden={"x": [5, 5, 1, 0, 7]})
def in_serial_code_a_group_is_the_one_running_lane():
    @qd.kernel
    def k(x: I32_1):
        v = 5
        qd.simt.block.sync()
        x[0] = qd.simt.subgroup.shuffle(v, qd.u32(3))
        x[1] = qd.simt.subgroup.reduce_add(v)
        x[2] = qd.simt.subgroup.elect()
        x[3] = qd.simt.block.thread_idx()
        sh = qd.simt.block.SharedArray((4,), qd.i32)
        sh[2] = 7
        x[4] = sh[2]

    x = _i32(5)
    k(x)
    return {"x": x.to_numpy()}


# ---------------------------------------------------------------------------------------------------- errors


@case(section="simt", raises=(qd.QuadrantsRuntimeError, "multiple of block_dim=32"))
def iteration_count_must_be_a_multiple_of_block_dim():
    @qd.kernel
    def k(x: I32_1):
        qd.loop_config(block_dim=32)
        for i in range(40):
            qd.simt.block.sync()
            x[i] = 1

    k(_i32(40))


def _sized_by_a_shape(x_size):
    """A SIMT loop over ``3 * x.shape[0]`` lanes (blocks of 32) between two plain loops over ``y``: the range is a
    kernel variable set from a shape (a GPU backend may decide the block_dim check before the launch)."""

    @qd.kernel
    def k(x: I32_1, y: I32_1):
        n = x.shape[0]
        for i in range(y.shape[0]):
            y[i] = 1
        qd.loop_config(block_dim=32)
        for i in range(n * 3):
            qd.simt.block.sync()
            qd.atomic_add(x[i % n], 1)
        for i in range(y.shape[0]):
            y[i] = y[i] + 2

    x, y = _i32(x_size), _i32(4)
    try:
        k(x, y)
        raised = 0
    except qd.QuadrantsRuntimeError as error:
        raised = int("multiple of block_dim=32" in str(error))
    return {"x": x.to_numpy(), "y": y.to_numpy(), "raised": np.array([raised], np.int32)}


@case(section="simt", golden={"x": [3] * 32, "y": [3] * 4, "raised": [0]})
def a_block_dim_check_on_a_range_set_from_a_shape_passes():
    return _sized_by_a_shape(32)


@case(section="simt", golden={"raised": [1]})
def a_block_dim_check_on_a_range_set_from_a_shape_fails():
    # 60 lanes; the launch's other effects are unspecified once a check fails (docs/semantics/memory.md)
    return {"raised": _sized_by_a_shape(20)["raised"]}


@case(section="simt", raises=(TypeError, "expected i32 for argument #1, but got u1"))
def subgroup_ballot_of_a_comparison_error():
    @qd.kernel
    def k(x: I32_1):
        for i in range(32):
            x[i] = qd.i32(sg.ballot(x[i] > 0) & qd.u64(1))  # the predicate must be an i32: qd.i32(x[i] > 0)

    k(_i32(32))


@case(section="simt", raises=(qd.QuadrantsSyntaxError, "needs block_dim to be a multiple of 32"))
def subgroup_operations_need_whole_subgroups():
    @qd.kernel
    def k(x: I32_1):
        qd.loop_config(block_dim=48)
        for i in range(48):
            x[i] = qd.simt.subgroup.reduce_add(i)

    k(_i32(48))


@case(section="simt", raises=(qd.QuadrantsSyntaxError, "can only be called from a @qd.kernel"))
def simt_functions_are_kernel_only():
    qd.simt.block.sync()
