"""f32 operand sets that stress correctly rounded division and sqrt (shared by the model and the device tests).

Random bit patterns cover every exponent; the rest are the hard cases: quotients and roots within a hair of a
halfway point between two floats, exact results, quotients that land exactly halfway between two subnormals, results
at the overflow and underflow thresholds, subnormal operands, and every pairing of zeros, infinities and NaN.
"""

from __future__ import annotations

import numpy as np

F32 = np.float32
SPECIALS = np.array(
    [0.0, -0.0, np.inf, -np.inf, np.nan, 1.0, -1.0, 1e-45, -1e-45, 1.1754942e-38, 1.1754944e-38, 3.4028235e38,
     -3.4028235e38, 2.0**-126, 2.0**127, 2.0**-149 * 3, 0.5, 3.0, 7.0],
    dtype=F32,
)  # fmt: skip


def bits(x: np.ndarray) -> np.ndarray:
    return np.asarray(x, F32).view(np.uint32)


def floats(u: np.ndarray) -> np.ndarray:
    return np.asarray(u, np.uint32).view(F32)


def _random_floats(rng, n: int) -> np.ndarray:
    return floats(rng.integers(0, 1 << 32, n, dtype=np.uint64).astype(np.uint32))


def _near_halfway(rng, n: int) -> tuple[np.ndarray, np.ndarray]:
    """(a, b) whose quotient is within 2^-40 ulp of a midpoint between two floats: for odd B (b's significand) and a
    small odd t, the odd 25-bit N with N * B = t (mod 2^25) makes a = (N * B - t) / 2^25 an integer, and a / b is
    N / 2^25 (a midpoint) minus t / (2^25 * B)."""
    big = np.int64(1) << 25
    bs = rng.integers(1 << 22, 1 << 23, 4 * n) * 2 + 1  # odd 24-bit significands
    ts = rng.integers(-8, 8, 4 * n) * 2 + 1
    ns = np.array([(int(t) * pow(int(b), -1, 1 << 25)) % (1 << 25) for b, t in zip(bs, ts)], dtype=np.int64)
    keep = ns >= (1 << 24)
    bs, ts, ns = bs[keep][:n], ts[keep][:n], ns[keep][:n]
    a_sig = (ns * bs - ts) // big  # exact: N * B - t is a multiple of 2^25, below 2^49
    a = np.ldexp(a_sig.astype(np.float64), rng.integers(-100, 100, a_sig.size)).astype(F32)
    b = np.ldexp(bs.astype(np.float64), rng.integers(-100, 100, bs.size)).astype(F32)
    sign = rng.choice(np.array([-1, 1], F32), a.size)
    return (a * sign).astype(F32), b


def _sqrt_near_halfway() -> np.ndarray:
    """m whose square root is within 2^-40 ulp of a midpoint: x odd with x^2 = t (mod 2^26) for small t = 1 (mod 8)
    (lifted bit by bit); x / 2^25 is a midpoint and m = (x^2 - t) / 2^26 (or / 2^25) a float."""
    out = []
    for t in range(-4000 + 1, 4000, 8):
        if t == 1:
            continue
        x = 1
        for j in range(3, 26):  # x^2 = t (mod 2^j) -> (mod 2^(j+1))
            if (x * x - t) % (1 << (j + 1)):
                x += 1 << (j - 1)
        for r in {x % (1 << 26), (-x) % (1 << 26), (x + (1 << 25)) % (1 << 26), (-x + (1 << 25)) % (1 << 26)}:
            if (1 << 24) <= r < (1 << 25):
                sq = r * r - t
                shift = 26 if sq >= 1 << 49 else 25
                if sq % (1 << shift) == 0:
                    out.append(float(sq >> shift) * 2.0 ** (shift - 50))
    return np.array(out, F32)


def division_operands(n: int = 1 << 14, seed: int = 7) -> tuple[np.ndarray, np.ndarray]:
    """(a, b) pairs for ``a / b``."""
    rng = np.random.default_rng(seed)
    parts_a, parts_b = [], []
    parts_a.append(_random_floats(rng, n))
    parts_b.append(_random_floats(rng, n))
    a, b = _near_halfway(rng, n)
    parts_a.append(a)
    parts_b.append(b)
    # significands in [1, 2): the common case, both signs
    parts_a.append(rng.uniform(-2, 2, n).astype(F32))
    parts_b.append(rng.uniform(-2, 2, n).astype(F32))
    # exact quotients and subnormal ties: odd multiples of the smallest subnormal over powers of two
    k = rng.integers(1, 1 << 23, n).astype(np.uint32) | 1
    parts_a.append(floats(k))
    parts_b.append(np.ldexp(F32(1), rng.integers(-3, 24, n)).astype(F32))
    # results around the overflow and underflow thresholds
    parts_a.append(floats(rng.integers(0x7E000000, 0x7F800000, n).astype(np.uint32)))
    parts_b.append(rng.uniform(0.25, 4, n).astype(F32))
    parts_a.append(floats(rng.integers(0x00000001, 0x01800000, n).astype(np.uint32)))
    parts_b.append(rng.uniform(0.25, 4, n).astype(F32))
    parts_a.append(rng.uniform(0.25, 4, n).astype(F32))
    parts_b.append(floats(rng.integers(0x7E000000, 0x7F800000, n).astype(np.uint32)))
    parts_a.append(rng.uniform(0.25, 4, n).astype(F32))
    parts_b.append(floats(rng.integers(0x00000001, 0x01000000, n).astype(np.uint32)))
    # every pair of special values
    sa, sb = np.meshgrid(SPECIALS, SPECIALS)
    parts_a.append(sa.ravel())
    parts_b.append(sb.ravel())
    return np.concatenate(parts_a).astype(F32), np.concatenate(parts_b).astype(F32)


def sqrt_operands(n: int = 1 << 14, seed: int = 11) -> np.ndarray:
    """Operands of ``sqrt``: random bits (half of them negative), near-halfway roots, squares, subnormals."""
    rng = np.random.default_rng(seed)
    near = _sqrt_near_halfway()
    exact = floats(rng.integers(0x3F800000, 0x3F800000 + (1 << 12), n).astype(np.uint32)).astype(np.float64) ** 2
    shift = 2 * rng.integers(-60, 60, n)
    return np.concatenate(
        [
            _random_floats(rng, n),
            np.ldexp(near, 2 * rng.integers(-60, 60, near.size)).astype(F32),
            np.ldexp(exact.astype(F32), shift).astype(F32),
            floats(rng.integers(1, 0x00800000, n).astype(np.uint32)),
            rng.uniform(0, 4, n).astype(F32),
            SPECIALS,
        ]
    ).astype(F32)


def same(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Elementwise: the same bits, or both NaN (a NaN's sign and payload are not part of the semantics)."""
    return (bits(x) == bits(y)) | (np.isnan(x) & np.isnan(y))


def expected_div(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(all="ignore"):
        return np.divide(a, b)


def expected_sqrt(v: np.ndarray) -> np.ndarray:
    with np.errstate(all="ignore"):
        return np.sqrt(v)
