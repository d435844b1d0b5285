"""qd.algorithms (quadrants/algorithms, docs/algorithms.md): scratch sizes, the deprecated host helpers, u64 sorts and
graph do_while use. Cross-backend results: conformance module test_algorithms."""

import warnings

import numpy as np
import pytest

import quadrants as qd
import quadrants.algorithms as alg


@pytest.fixture(autouse=True)
def ref():
    qd.init(arch="ref")
    yield
    qd.reset()


def test_scratch_slots_cover_the_tiles():
    assert alg.sort_scratch_slots(0) == 1
    assert alg.sort_scratch_slots(1) == 256
    assert alg.sort_scratch_slots(257, 2) == 512
    assert alg.exclusive_scan_scratch_slots(1000) == 4
    assert alg.select_scratch_slots(1000) == 1004 and alg.select_scratch_slots(0) == 1
    assert alg.reduce_by_key_scratch_slots(10) == 10
    assert alg.reduce_scratch_slots(10**6) == 1
    with pytest.raises(ValueError, match="log256_max_n"):
        alg.sort_scratch_slots(10, 0)


def test_deprecated_helpers_warn_and_work():
    f = qd.field(qd.i32, shape=5)
    f.from_numpy(np.array([3, 1, 4, 1, 5], np.int32))
    with pytest.warns(DeprecationWarning, match="PrefixSumExecutor is deprecated"):
        ex = alg.PrefixSumExecutor(5)
    ex.run(f)
    assert f.to_numpy().tolist() == [3, 4, 8, 9, 14]
    keys = qd.ndarray(qd.f32, (4,))
    keys.from_numpy(np.array([2.0, -1.0, 2.0, 0.5], np.float32))
    vals = qd.ndarray(qd.i32, (4,))
    vals.from_numpy(np.arange(4, dtype=np.int32))
    with pytest.warns(DeprecationWarning, match="parallel_sort is deprecated"):
        alg.parallel_sort(keys, vals)
    assert keys.to_numpy().tolist() == [-1.0, 0.5, 2.0, 2.0] and vals.to_numpy().tolist() == [1, 3, 0, 2]
    with pytest.raises(RuntimeError, match=r"Only qd\.i32"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        alg.PrefixSumExecutor(2).run(qd.field(qd.f32, shape=2))


def test_sort_inside_a_graph_do_while_resorts_every_pass():
    n_keys = 300
    keys = qd.ndarray(qd.u32, (n_keys,))
    tmp = qd.ndarray(qd.u32, (n_keys,))
    scratch = qd.ndarray(qd.u32, (alg.sort_scratch_slots(n_keys),))
    n = qd.ndarray(qd.i32, ())
    n[()] = n_keys
    passes = qd.ndarray(qd.i32, ())
    passes[()] = 2

    @qd.kernel(graph=True)
    def k(
        keys: qd.types.NDArray,
        tmp: qd.types.NDArray,
        scratch: qd.types.NDArray,
        n: qd.types.NDArray,
        passes: qd.types.NDArray,
    ):
        while qd.graph.do_while(passes):
            for i in range(n[()]):
                keys[i] = qd.u32((i * 7919 + passes[()] * 13) % 1000)
            alg.sort(keys, tmp, keys, tmp, scratch, n, qd.u32, False, 32, 2)
            for _ in range(1):
                passes[()] -= 1

    k(keys, tmp, scratch, n, passes)
    expected = np.sort((np.arange(n_keys) * 7919 + 1 * 13) % 1000)
    assert keys.to_numpy().tolist() == expected.tolist()
