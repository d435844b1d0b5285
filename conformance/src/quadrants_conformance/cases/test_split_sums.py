"""Sums in a lane's serial loop that llvm-cuda shares out over several threads (docs/backends/gpu.md, sub-lane split).

A parallel loop with few lanes whose lanes each run a long summing loop is where llvm-cuda gives each lane up to 32
threads: they take every S-th iteration, restart the accumulators at the identity, and add their partial sums with
warp shuffles before one of them runs the rest of the body. Integer sums give the same bits in any order (they
wrap), so these cases compare exactly; float sums may be reordered only under ``fast_math=True`` (docs/semantics.md
§4.4), compared with the ``fast_math`` tolerance. Under the default strict IEEE semantics the threads compute the
addends of consecutive iterations side by side and add them in iteration order, so those cases compare bit for bit
(the sign of zero included) over addends of very different sizes, where any other order would change the result. The
shapes probe the edges: a trip count that no power of two divides, an empty loop, a negative extent, a nonzero start
value, ``continue``, a guarded update, an inner loop, a reduction and an atomic after the loop, and lanes whose
loops have different lengths.
"""

import numpy as np

import quadrants as qd
from quadrants_conformance import case

I32_1 = qd.types.NDArray[qd.i32, 1]
F32_1 = qd.types.NDArray[qd.f32, 1]

LANES = 37  # few lanes: each gets many threads on a GPU


def _ints(n: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(-(2**31), 2**31 - 1, n, dtype=np.int64).astype(np.int32)


@case(section="10")
def int_sum_loop_shared_out_wraps_exactly():
    @qd.kernel
    def sums(x: I32_1, out: I32_1, start: qd.i32, stop: qd.i32):
        for i in range(out.shape[0]):
            s = i * 7  # the start value counts once, not once per thread
            t = 0
            for j in range(start, stop):
                s += x[j] * (i + 1)
                t = t + 1
            out[i] = s + t * 1000

    x = _ints(1001, 3)
    results = {}
    for name, (start, stop) in {"odd": (0, 1001), "offset": (5, 998), "empty": (10, 10), "negative": (9, 2)}.items():
        out = np.zeros(LANES, np.int32)
        sums(x, out, start, stop)
        results[name] = out
    return results


@case(section="10")
def int_sums_with_continue_guard_and_inner_loop():
    @qd.kernel
    def sums(x: I32_1, out: I32_1, total: qd.types.NDArray[qd.i32, 0], most: qd.types.NDArray[qd.i32, 0]):
        for i in range(out.shape[0]):
            a = 0
            b = -5
            for j in range(x.shape[0]):
                if (x[j] + i) % 3 == 0:
                    continue
                if x[j] > 0:
                    a += x[j] ^ i
                for k in range(j % 4):
                    b = b + k * x[j]
            out[i] = a - b
            total[()] += a  # after the loop: once per lane
            qd.atomic_max(most[()], a % 1000)

    x = _ints(517, 5)
    out = np.zeros(LANES, np.int32)
    total, most = np.zeros((), np.int32), np.zeros((), np.int32)
    sums(x, out, total, most)
    return {"out": out, "total": total, "most": most}


@case(section="10")
def lanes_with_loops_of_different_lengths():
    @qd.kernel
    def tri(out: I32_1):
        for i in range(out.shape[0]):
            s = 0
            for j in range(i * 11):
                s += j * j - i
            out[i] = s

    out = np.zeros(LANES, np.int32)
    tri(out)
    return {"out": out}


@case(section="4.4", tol="fast_math")
def fast_math_force_sum_shared_out():
    qd.cfg.fast_math = True
    try:

        @qd.kernel
        def forces(px: F32_1, py: F32_1, ax: F32_1, ay: F32_1):
            for i in range(ax.shape[0]):
                xi, yi = px[i], py[i]
                sx = 0.0
                sy = 1.0  # a start value: added once
                for j in range(px.shape[0]):
                    if i != j:
                        dx = px[j] - xi
                        dy = py[j] - yi
                        r2 = dx * dx + dy * dy + 0.01
                        inv = 1.0 / (r2 * qd.sqrt(r2))
                        sx += dx * inv
                        sy += dy * inv
                ax[i] = sx
                ay[i] = sy

        rng = np.random.default_rng(11)
        px, py = (rng.random(1500).astype(np.float32) for _ in range(2))
        ax, ay = np.zeros(LANES, np.float32), np.zeros(LANES, np.float32)
        forces(px, py, ax, ay)
    finally:
        qd.cfg.fast_math = False
    return {"ax": ax, "ay": ay}


F64_1 = qd.types.NDArray[qd.f64, 1]


def _spread(n: int, seed: int) -> np.ndarray:
    """Values over twelve decades and both signs: a sum of them in another order has other bits."""
    rng = np.random.default_rng(seed)
    return (rng.standard_normal(n) * 10.0 ** rng.integers(-6, 7, n)).astype(np.float32)


@case(section="4.4", tol="bitwise")
def ieee_force_sums_keep_the_serial_order():
    @qd.kernel
    def forces(px: F32_1, py: F32_1, ax: F32_1, ay: F32_1, start: qd.i32, stop: qd.i32):
        for i in range(ax.shape[0]):
            xi, yi = px[i], py[i]
            sx = 0.0
            sy = -0.0  # an empty loop leaves -0.0; adding -0.0 for a skipped update must too
            for j in range(start, stop):
                if i != j:
                    dx = px[j] - xi
                    dy = py[j] - yi
                    r2 = dx * dx + dy * dy + 0.01
                    inv = 1.0 / (r2 * qd.sqrt(r2))
                    sx += dx * inv
                    sy += dy * inv
                else:
                    sy += 1.0e-3  # the other branch updates the same accumulator
                sx += px[j] * 1.0e-4  # a second update of sx in the same iteration, after the first
            ax[i] = sx
            ay[i] = sy

    px, py = _spread(1501, 21), _spread(1501, 22)
    results = {}
    for name, (start, stop) in {"odd": (0, 1501), "offset": (3, 999), "empty": (10, 10), "negative": (9, 2)}.items():
        ax, ay = np.zeros(LANES, np.float32), np.zeros(LANES, np.float32)
        forces(px, py, ax, ay, start, stop)
        results[f"{name}.ax"], results[f"{name}.ay"] = ax, ay
    return results


@case(section="4.4", tol="bitwise", requires=("f64",))
def ieee_mixed_accumulators_with_loops_of_different_lengths():
    @qd.kernel
    def sums(x: F32_1, y: F64_1, f: F32_1, d: F64_1, n: I32_1):
        for i in range(f.shape[0]):
            a = 0.0
            b = qd.f64(1.0e10)
            c = 0
            for j in range(i * 41):
                v = x[j % x.shape[0]]
                a += v * v - 0.5
                if v > 0:
                    b += y[j % y.shape[0]] * qd.f64(v)
                    c += 1
            f[i] = a
            d[i] = b
            n[i] = c

    x = _spread(997, 23)
    y = _spread(1009, 24).astype(np.float64) * np.float64(1.0e3)
    f, d, n = np.zeros(LANES, np.float32), np.zeros(LANES, np.float64), np.zeros(LANES, np.int32)
    sums(x, y, f, d, n)
    return {"f": f, "d": d, "n": n}
