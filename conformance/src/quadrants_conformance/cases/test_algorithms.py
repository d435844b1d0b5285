"""docs/algorithms.md: ``qd.algorithms`` (sort, reduce, scan, select, reduce-by-key, the deprecated helpers), called
at the top level of a kernel. Inputs span several tiles of 256 elements; goldens from NumPy."""

import warnings

import numpy as np

import quadrants as qd
import quadrants.algorithms as alg
from quadrants_conformance import case

N = 600
_RNG = np.random.default_rng(7)
F32_KEYS = (_RNG.standard_normal(N) * 100).astype(np.float32)
F32_KEYS[:20] = F32_KEYS[20:40]  # duplicates: the sort must keep their order
I64_KEYS = _RNG.integers(-(2**40), 2**40, N).astype(np.int64)
VALUES = _RNG.random(N).astype(np.float32)
RUN_KEYS = np.repeat(np.arange(200), _RNG.integers(1, 30, 200))[:N].astype(np.int32)


def _nd(dtype, data):
    arr = qd.ndarray(dtype, data.shape)
    arr.from_numpy(data)
    return arr


def _sort(keys_np, key_dtype, end_bit):
    keys, tmp_keys = _nd(key_dtype, keys_np), qd.ndarray(key_dtype, (N,))
    values, tmp_values = _nd(qd.i32, np.arange(N, dtype=np.int32)), qd.ndarray(qd.i32, (N,))
    scratch = qd.ndarray(qd.u32, (alg.sort_scratch_slots(N),))
    n = qd.ndarray(qd.i32, ())
    n[()] = N

    @qd.kernel
    def k(
        keys: qd.types.NDArray,
        tmp_keys: qd.types.NDArray,
        values: qd.types.NDArray,
        tmp_values: qd.types.NDArray,
        scratch: qd.types.NDArray,
        n: qd.types.NDArray,
    ):
        alg.sort(keys, tmp_keys, values, tmp_values, scratch, n, key_dtype, True, end_bit, 2)

    k(keys, tmp_keys, values, tmp_values, scratch, n)
    return keys.to_numpy(), values.to_numpy()


@case(
    section="algorithms",
    golden={
        "keys": F32_KEYS[np.argsort(F32_KEYS, kind="stable")].tolist(),
        "order": np.argsort(F32_KEYS, kind="stable").tolist(),
    },
)
def sort_f32_keys_with_values_is_stable():
    keys, order = _sort(F32_KEYS, qd.f32, 32)
    return {"keys": keys, "order": order}


@case(section="algorithms", requires=("i64",), golden={"order": np.argsort(I64_KEYS, kind="stable").tolist()})
def sort_i64_keys():
    _, order = _sort(I64_KEYS, qd.i64, 64)
    return {"order": order}


_BITS = F32_KEYS.view(np.uint32)
_ORDERED = np.where(_BITS >> 31 == 1, ~_BITS, _BITS ^ np.uint32(1 << 31))  # unsigned order = float order


@case(section="algorithms", golden={"order": np.argsort(_ORDERED & 0xFFFFFF, kind="stable").tolist()})
def sort_on_the_low_bits_only():
    # end_bit=24 sorts by the low 24 bits of the order-preserving key bits
    _, order = _sort(F32_KEYS, qd.f32, 24)
    return {"order": order}


@case(
    section="algorithms",
    tol="reduction",
    golden={
        "sum": float(VALUES.astype(np.float64).sum()),
        "min": float(VALUES.min()),
        "max": float(VALUES.max()),
        "scan": np.concatenate([[0.0], np.cumsum(VALUES.astype(np.float64))[:-1]]).tolist(),
        "scan_max": np.concatenate([[-np.inf], np.maximum.accumulate(VALUES)[:-1]]).tolist(),
    },
)
def reduce_and_exclusive_scans():
    x = _nd(qd.f32, VALUES)
    outs = [qd.ndarray(qd.f32, (1,)) for _ in range(3)]
    scan, scan_max = qd.ndarray(qd.f32, (N,)), qd.ndarray(qd.f32, (N,))
    scratch = qd.ndarray(qd.u32, (max(alg.exclusive_scan_scratch_slots(N), alg.reduce_scratch_slots(N)),))

    @qd.kernel
    def k(
        x: qd.types.NDArray,
        s: qd.types.NDArray,
        lo: qd.types.NDArray,
        hi: qd.types.NDArray,
        scan: qd.types.NDArray,
        scan_max: qd.types.NDArray,
        scratch: qd.types.NDArray,
        n: qd.i32,
    ):
        alg.reduce_add(x, s, scratch, n, qd.f32, 2)
        alg.reduce_min(x, lo, scratch, n, qd.f32, 2)
        alg.reduce_max(x, hi, scratch, n, qd.f32, 2)
        alg.exclusive_scan_add(x, scan, scratch, n, qd.f32, 2)
        alg.exclusive_scan_max(x, scan_max, scratch, n, qd.f32, 2)

    k(x, *outs, scan, scan_max, scratch, N)
    return {
        "sum": outs[0].to_numpy()[0],
        "min": outs[1].to_numpy()[0],
        "max": outs[2].to_numpy()[0],
        "scan": scan.to_numpy(),
        "scan_max": scan_max.to_numpy(),
    }


@case(
    section="algorithms",
    golden={"count": int((VALUES > 0.5).sum()), "selected": VALUES[VALUES > 0.5].tolist()},
)
def select_compacts_in_order():
    x, flags = _nd(qd.f32, VALUES), _nd(qd.i32, (VALUES > 0.5).astype(np.int32))
    out, num = qd.ndarray(qd.f32, (N,)), qd.ndarray(qd.i32, (1,))
    scratch = qd.ndarray(qd.u32, (alg.select_scratch_slots(N),))

    @qd.kernel
    def k(
        x: qd.types.NDArray,
        flags: qd.types.NDArray,
        out: qd.types.NDArray,
        num: qd.types.NDArray,
        scratch: qd.types.NDArray,
        n: qd.i32,
    ):
        alg.select(x, flags, out, num, scratch, n, 2)

    k(x, flags, out, num, scratch, N)
    count = int(num.to_numpy()[0])
    return {"count": count, "selected": out.to_numpy()[:count]}


_RUN_IDS = np.concatenate([[0], np.cumsum(RUN_KEYS[1:] != RUN_KEYS[:-1])])
_RUN_SUMS = [
    float(np.float32(0) + np.add.reduce(VALUES[r == _RUN_IDS], dtype=np.float32)) for r in range(_RUN_IDS[-1] + 1)
]


@case(
    section="algorithms",
    tol="reduction",
    golden={
        "runs": int(_RUN_IDS[-1] + 1),
        "keys": RUN_KEYS[np.r_[0, np.flatnonzero(np.diff(RUN_KEYS)) + 1]].tolist(),
        "sums": _RUN_SUMS,
    },
)
def reduce_by_key_sums_runs():
    keys, values = _nd(qd.i32, RUN_KEYS), _nd(qd.f32, VALUES)
    keys_out, values_out, runs = qd.ndarray(qd.i32, (N,)), qd.ndarray(qd.f32, (N,)), qd.ndarray(qd.i32, (1,))
    scratch = qd.ndarray(qd.u32, (alg.reduce_by_key_scratch_slots(N),))

    @qd.kernel
    def k(
        keys: qd.types.NDArray,
        values: qd.types.NDArray,
        keys_out: qd.types.NDArray,
        values_out: qd.types.NDArray,
        runs: qd.types.NDArray,
        scratch: qd.types.NDArray,
        n: qd.i32,
    ):
        alg.reduce_by_key_add(keys, values, keys_out, values_out, runs, scratch, n, qd.f32, 2)

    k(keys, values, keys_out, values_out, runs, scratch, N)
    r = int(runs.to_numpy()[0])
    return {"runs": r, "keys": keys_out.to_numpy()[:r], "sums": values_out.to_numpy()[:r]}


@case(
    section="algorithms",
    golden={"prefix": np.cumsum(np.arange(N) % 7).tolist(), "sorted": np.sort(RUN_KEYS[::-1]).tolist()},
)
def deprecated_prefix_sum_executor_and_parallel_sort():
    field = qd.field(qd.i32, shape=N)
    field.from_numpy((np.arange(N) % 7).astype(np.int32))
    keys = qd.field(qd.i32, shape=N)
    keys.from_numpy(RUN_KEYS[::-1].copy())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        alg.PrefixSumExecutor(N).run(field)
        alg.parallel_sort(keys)
    return {"prefix": field.to_numpy(), "sorted": keys.to_numpy()}


@case(section="algorithms", raises=(qd.QuadrantsSyntaxError, "requires_top_level=True"))
def algorithms_must_be_called_at_the_top_level():
    x = _nd(qd.f32, VALUES)

    @qd.kernel
    def k(x: qd.types.NDArray, out: qd.types.NDArray, n: qd.i32):
        for _ in range(1):
            alg.reduce_add(x, out, out, n, qd.f32, 2)

    k(x, qd.ndarray(qd.f32, (1,)), N)
