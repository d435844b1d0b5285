"""qd.random / qd.randn (frontend/random.py, docs/random.md): the generator, the stream structure, seeds, statistics.

Cross-backend equality of the streams is the conformance module ``test_random``; these tests pin the generator
against the published Philox known-answer vectors, check the IR shape and run the statistical sanity checks on ref.
"""

from __future__ import annotations

import numpy as np
import pytest

import quadrants as qd
from quadrants.frontend.random import philox4x32
from quadrants.runtime.random_state import seed_words

F1 = qd.types.NDArray[qd.f32, 1]
F64_1 = qd.types.NDArray[qd.f64, 1]
U1 = qd.types.NDArray[qd.u32, 1]


# Random123's kat_vectors for philox4x32 with 10 rounds: (counter, key) -> output
KAT = [
    ((0, 0, 0, 0), (0, 0), (0x6627E8D5, 0xE169C58D, 0xBC57AC4C, 0x9B00DBD8)),
    ((0xFFFFFFFF,) * 4, (0xFFFFFFFF,) * 2, (0x408F276D, 0x41C83B0E, 0xA20BC7C6, 0x6D5451FD)),
    (
        (0x243F6A88, 0x85A308D3, 0x13198A2E, 0x03707344),
        (0xA4093822, 0x299F31D0),
        (0xD16CFE09, 0x94FDCCEB, 0x5001E420, 0x24126EA1),
    ),
]


@pytest.mark.parametrize(("counter", "key", "expected"), KAT)
def test_philox_known_answers(counter, key, expected):
    assert philox4x32(counter, key) == expected


def test_seed_words_wrap_modulo_2_64():
    assert seed_words(5) == (5, 0)
    assert seed_words((7 << 32) | 3) == (3, 7)
    assert seed_words(-1) == (0xFFFFFFFF, 0xFFFFFFFF)


@pytest.fixture
def ref_session():
    def start(**options):
        return qd.init(arch="ref", **options)

    yield start
    qd.reset()


def _fill_u32(n: int):
    @qd.kernel
    def k(x: U1):
        for i in x:
            x[i] = qd.random(qd.u32)

    x = qd.ndarray(qd.u32, (n,))
    k(x)
    return x.to_numpy()


def test_kernel_draws_are_philox_of_lane_draw_launch_and_seed(ref_session):
    seed = (9 << 32) | 12345
    ref_session(random_seed=seed)
    got = _fill_u32(5)
    key = seed_words(seed)
    assert got.tolist() == [philox4x32((i, 0, 0, 0), key)[0] for i in range(5)]


def test_same_seed_same_stream_other_seed_other_stream(ref_session):
    ref_session(random_seed=3)
    a = _fill_u32(64)
    ref_session(random_seed=3)
    b = _fill_u32(64)
    ref_session(random_seed=4)
    c = _fill_u32(64)
    assert np.array_equal(a, b)
    assert (a != c).mean() > 0.95


def test_default_seed_is_zero(ref_session):
    ref_session()
    assert _fill_u32(3).tolist() == [philox4x32((i, 0, 0, 0), (0, 0))[0] for i in range(3)]


def test_each_call_is_a_new_launch_number(ref_session):
    ref_session()

    @qd.kernel
    def k(x: U1):
        for i in x:
            x[i] = qd.random(qd.u32)

    x = qd.ndarray(qd.u32, (2,))
    seen = []
    for _ in range(3):
        k(x)
        seen.append(x.to_numpy().tolist())
    assert seen == [[philox4x32((i, 0, launch, 0), (0, 0))[0] for i in range(2)] for launch in range(3)]


def test_uniform_f32_statistics(ref_session):
    ref_session(random_seed=11)
    n = 200_000

    @qd.kernel
    def k(x: F1):
        for i in x:
            x[i] = qd.random()

    x = qd.ndarray(qd.f32, (n,))
    k(x)
    v = x.to_numpy().astype(np.float64)
    assert v.min() >= 0.0 and v.max() < 1.0
    # mean 1/2 (sd of the mean 0.00065), variance 1/12 (sd about 0.00015): 6-sigma bounds
    assert abs(v.mean() - 0.5) < 0.004
    assert abs(v.var() - 1 / 12) < 0.001
    counts, _ = np.histogram(v, bins=10, range=(0, 1))
    assert np.all(np.abs(counts - n / 10) < 6 * np.sqrt(n / 10))


def test_randn_statistics(ref_session):
    ref_session(random_seed=12)
    n = 200_000

    @qd.kernel
    def k(x: F64_1):
        for i in x:
            x[i] = qd.randn(qd.f64)

    x = qd.ndarray(qd.f64, (n,))
    k(x)
    v = x.to_numpy()
    assert np.all(np.isfinite(v))
    assert abs(v.mean()) < 0.015  # sd of the mean 0.0022
    assert abs(v.var() - 1.0) < 0.02  # sd of the variance about 0.0032
    assert abs(np.mean(np.abs(v) < 1.0) - 0.6827) < 0.01


def test_u32_bits_are_balanced(ref_session):
    ref_session(random_seed=13)
    v = _fill_u32(50_000)
    bits = (v[:, None] >> np.arange(32, dtype=np.uint32)) & 1
    assert np.all(np.abs(bits.mean(axis=0) - 0.5) < 0.015)  # sd 0.0022 per bit


def test_state_is_a_hidden_u32_argument(lower):
    @qd.kernel
    def k(x: F1):
        for i in x:
            x[i] = qd.random()

    program = lower(k, np.zeros(4, np.float32))
    assert [a.name for a in program.args] == ["x", "qd_random_state"]
    assert program.args[1].dtype == qd.u32 and program.args[1].ndim == 1


def test_kernel_without_random_has_no_state_argument(lower):
    @qd.kernel
    def k(x: F1):
        for i in x:
            x[i] = 1.0

    assert [a.name for a in lower(k, np.zeros(4, np.float32)).args] == ["x"]


def test_random_in_python_scope_points_at_the_caller():
    with pytest.raises(qd.QuadrantsSyntaxError, match=r"can only be called from a @qd\.kernel") as info:
        qd.random()
    assert info.value.loc is not None and info.value.loc.file == __file__
    with pytest.raises(qd.QuadrantsSyntaxError, match=r"qd\.randn"):
        qd.randn()


@pytest.mark.parametrize("dtype", [qd.i8, qd.u8, qd.i16, qd.u16, qd.u1])
def test_unsupported_dtypes_are_type_errors(lower, dtype):
    @qd.kernel
    def k(x: F1):
        x[0] = qd.random(dtype)

    with pytest.raises(qd.QuadrantsTypeError, match="is not supported"):
        lower(k, np.zeros(1, np.float32))


def test_random_default_dtypes_follow_the_session(ref_session):
    ref_session(default_fp=qd.f64, default_ip=qd.i64)

    @qd.kernel
    def k() -> qd.f64:
        return qd.random(float) + qd.random()

    @qd.kernel
    def kint() -> qd.i64:
        return qd.random(int)

    assert 0.0 <= k() < 2.0
    w = philox4x32((0, 0, 1, 0), (0, 0))
    assert kint() == int(np.uint64(w[0] | (w[1] << 32)).astype(np.int64))
