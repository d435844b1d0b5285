"""``qd.math`` component-wise functions (docs/semantics.md §1, §6: "the whole of qd.math, as upstream defines it").

clamp, mix, step, smoothstep, fract, sign, mod, log2, degrees, radians, isnan, isinf and fns, on scalars, vectors and
matrices, with their result types and errors. Every golden value is what upstream Quadrants 1.3.3 computes for the
same program on ``qd.cpu`` with ``fast_math=False``; functions built from ``+ - * /``, ``floor`` and comparisons
compare exactly, ``log2`` within the transcendental budget.
"""

import numpy as np

import quadrants as qd
from quadrants_conformance import case

F32_1 = qd.types.NDArray[qd.f32, 1]
F64_1 = qd.types.NDArray[qd.f64, 1]
I32_1 = qd.types.NDArray[qd.i32, 1]
U32_1 = qd.types.NDArray[qd.u32, 1]

INF = float("inf")
NAN = float("nan")


@case(
    section="6",
    golden={
        "o": [
            0.8999999761581421,
            -0.4000000059604645,
            0.32499998807907104,
            1.2899999618530273,
            0.5199999809265137,
            1.0,
            1.0,
            1.0,
        ]
    },
)
def clamp_mix_step_on_scalars():
    @qd.kernel
    def k(o: F32_1, x: qd.f32, lo: qd.f32, hi: qd.f32):
        o[0] = qd.math.clamp(x, lo, hi)
        o[1] = qd.math.clamp(-x, lo, hi)
        o[2] = qd.math.clamp(x * 0.25, lo, hi)
        o[3] = qd.math.mix(lo, hi, x)
        o[4] = qd.math.mix(x, -x, 0.3)
        o[5] = qd.math.step(lo, x)
        o[6] = qd.math.step(hi, x)
        o[7] = qd.math.step(x, x)  # edge itself: 1.0

    o = qd.ndarray(qd.f32, shape=(8,))
    k(o, 1.3, -0.4, 0.9)
    return {"o": o.to_numpy()}


@case(
    section="6",
    golden={
        "o": [
            0.7182499170303345,
            0.3690209984779358,
            0.0,
            0.2999999523162842,
            0.7000000476837158,
            1.0,
            -1.0,
            0.0,
            -0.30000007152557373,
            -0.09999990463256836,
            0.09999990463256836,
            74.48451232910156,
            2.268928050994873,
        ]
    },
)
def smoothstep_fract_sign_mod_on_scalars():
    @qd.kernel
    def k(o: F32_1, x: qd.f32, y: qd.f32):
        o[0] = qd.math.smoothstep(0.0, 1.0, x * 0.5)
        o[1] = qd.math.smoothstep(y, x, 0.3)
        o[2] = qd.math.smoothstep(0.0, 1.0, -x)  # clamped to 0
        o[3] = qd.math.fract(x)
        o[4] = qd.math.fract(-x)
        o[5] = qd.math.sign(x)
        o[6] = qd.math.sign(-x)
        o[7] = qd.math.sign(x - x)
        o[8] = qd.math.mod(x, y)
        o[9] = qd.math.mod(-x, y)
        o[10] = qd.math.mod(x, -y)
        o[11] = qd.math.degrees(x)
        o[12] = qd.math.radians(x * 100.0)

    o = qd.ndarray(qd.f32, shape=(13,))
    k(o, 1.3, -0.4)
    return {"o": o.to_numpy()}


@case(section="6", tol="transcendental", golden={"o": [1.5849624872207642, 10.0, -1.4150375127792358]})
def log2_of_floats_and_ints():
    @qd.kernel
    def k(o: F32_1, x: qd.f32, n: qd.i32):
        o[0] = qd.math.log2(x)
        o[1] = qd.math.log2(n)  # an int becomes default_fp
        o[2] = qd.math.log2(x * 0.125)

    o = qd.ndarray(qd.f32, shape=(3,))
    k(o, 3.0, 1024)
    return {"o": o.to_numpy()}


@case(
    section="6",
    golden={
        "o": [
            0.75,
            0.0,
            0.0,
            1.0,
            0.8125,
            -0.625,
            0.1875,
            2.6875,
            1.0,
            0.0,
            0.0,
            1.0,
            0.75,
            0.5,
            0.25,
            0.25,
            1.0,
            -1.0,
            -1.0,
            1.0,
            0.0,
            0.0,
            0.0,
            0.0,
            0.95703125,
            0.0,
            0.01123046875,
            0.7182499170303345,
        ]
    },
)
def component_wise_on_vectors_with_broadcast():
    @qd.kernel
    def k(o: F32_1, a: qd.f32, b: qd.f32):
        v = qd.Vector([a, b, a + b, a - b])
        c = qd.math.clamp(v, 0.0, 1.0)
        m = qd.math.mix(v, qd.Vector([1.0, 2.0, 3.0, 4.0]), 0.25)
        s = qd.math.step(0.5, v)
        f = qd.math.fract(v)
        g = qd.math.sign(v)
        h = qd.math.mod(v, 0.75)
        t = qd.math.smoothstep(-1.0, qd.Vector([1.0, 2.0, 3.0, 4.0]), v)
        for i in qd.static(range(4)):
            o[i] = c[i]
            o[4 + i] = m[i]
            o[8 + i] = s[i]
            o[12 + i] = f[i]
            o[16 + i] = g[i]
            o[20 + i] = h[i]
            o[24 + i] = t[i]

    o = qd.ndarray(qd.f32, shape=(28,))
    k(o, 0.75, -1.5)
    return {"o": o.to_numpy()}


@case(section="6", golden={"o": [0.5, 1.0, 0.5, 2.0, 1.0, 1.0, 0.0, 0.0]})
def clamp_and_step_on_matrices():
    # upstream's own docstring examples
    @qd.kernel
    def k(o: F32_1):
        c = qd.math.clamp(qd.Matrix([[0.0, 1.0], [-2.0, 2.0]]), 0.5, qd.Matrix([[1.0, 2.0], [1.0, 2.0]]))
        s = qd.math.step(qd.Matrix([[0.0, 1.0], [2.0, 3.0]]), 1)
        for i, j in qd.static(qd.ndrange(2, 2)):
            o[i * 2 + j] = c[i, j]
            o[4 + i * 2 + j] = s[i, j]

    o = qd.ndarray(qd.f32, shape=(8,))
    k(o)
    return {"o": o.to_numpy()}


@case(section="6", requires=("f64",), golden={"o": [0.0, 0.1, 1.0, 0.1, 2.0, 0.11999999806284906, 5.729578018188477]})
def result_types_follow_upstream():
    # stored into f64 so that an f32 result is visible: step/sign are default_fp whatever the operand, mod of ints is
    # a float, clamp of ints stays an int
    @qd.kernel
    def k(o: F64_1, d: qd.f64, n: qd.i32):
        o[0] = qd.math.step(0.1, d)
        o[1] = qd.math.sign(d) * d
        o[2] = qd.math.mod(n, 3)
        o[3] = qd.math.fract(d)
        a = qd.math.clamp(n, 0, 10)
        a = 2.75  # a is an int: 2
        o[4] = a
        o[5] = qd.math.mix(d, d * 3.0, 0.1)
        o[6] = qd.math.degrees(d)

    o = qd.ndarray(qd.f64, shape=(7,))
    k(o, 0.1, 7)
    return {"o": o.to_numpy()}


@case(section="6", golden={"o": [0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 1, 1, 0, 1, 0, 0, 1, 1, 0]})
def isnan_isinf_f32():
    @qd.kernel
    def k(o: I32_1, z: qd.f32, one: qd.f32, big: qd.f32):
        values = qd.Vector([one, -one, one / z, -one / z, z / z, big * big, -(z / z), z])
        nan = qd.math.isnan(values)
        inf = qd.math.isinf(values)
        for i in qd.static(range(8)):
            o[i] = nan[i]
            o[8 + i] = inf[i]
        o[16] = qd.math.isnan(qd.math.nan)
        o[17] = qd.math.isinf(-qd.math.inf)
        o[18] = qd.math.isnan(7) + qd.math.isinf(-7)  # integers are never NaN or infinite

    o = qd.ndarray(qd.i32, shape=(19,))
    k(o, 0.0, 1.0, 3e38)
    return {"o": o.to_numpy()}


@case(section="6", requires=("f64",), golden={"o": [0, 1, 0, 0, 1, 0]})
def isnan_isinf_f64_test_the_f64_value():
    # upstream converts to default_fp first, so isinf(1e300) is true there (and isinf(inf) false under its fast math):
    # a deliberate difference (docs/semantics-decisions.md)
    @qd.kernel
    def k(o: I32_1, big: qd.f64, z: qd.f64):
        o[0] = qd.math.isinf(big)
        o[1] = qd.math.isinf(big * big)
        o[2] = qd.math.isnan(big)
        o[3] = qd.math.isnan(big * big)
        o[4] = qd.math.isnan(z / z)
        o[5] = qd.math.isinf(z / z)

    o = qd.ndarray(qd.i32, shape=(6,))
    k(o, 1e300, 0.0)
    return {"o": o.to_numpy()}


@case(section="6", requires=("f16",), golden={"o": [1, 0, 0, 1, 0, 0]})
def isnan_isinf_f16():
    @qd.kernel
    def k(o: I32_1, h: qd.f16):
        big = h * h * h  # 60000 * 60000 overflows f16
        o[0] = qd.math.isinf(big)
        o[1] = qd.math.isnan(big)
        o[2] = qd.math.isinf(h)
        o[3] = qd.math.isnan(big - big)
        o[4] = qd.math.isinf(big - big)
        o[5] = qd.math.isnan(h)

    o = qd.ndarray(qd.i32, shape=(6,))
    k(o, 60000.0)
    return {"o": o.to_numpy()}


def _fns_model(mask: int, base: int, offset: int) -> int:
    """Upstream's portable ``fns`` loop, bit by bit (CUDA's ``__nv_fns``)."""
    found = 0xFFFFFFFF
    if offset == 0:
        return base if base < 32 and (mask >> base) & 1 else found
    n = abs(offset) if offset != -(2**31) else None
    positions = range(32) if offset > 0 else range(31, -1, -1)
    for pos in positions:
        if n is None or not ((pos >= base) if offset > 0 else (pos <= base)):
            continue
        if (mask >> pos) & 1:
            n -= 1
            if n == 0:
                return pos
    return found


def _fns_inputs():
    rng = np.random.default_rng(2024)
    n = 256
    masks = rng.integers(0, 2**32, n, dtype=np.uint64).astype(np.uint32)
    masks[:32] = np.array([0, 1, 0xFFFFFFFF, 0x80000000, 5, 0x80000001, 0xAAAAAAAA, 0x0F0F0F0F] * 4, np.uint32)
    bases = rng.integers(0, 40, n).astype(np.uint32)
    offsets = rng.integers(-12, 13, n).astype(np.int32)
    offsets[:8] = [-(2**31), 2**31 - 1, 0, 32, -32, 33, 1, -1]
    return masks, bases, offsets


_M, _B, _O = _fns_inputs()


@case(section="6", golden={"r": [_fns_model(int(m), int(b), int(o)) for m, b, o in zip(_M, _B, _O)]})
def fns_finds_the_nth_set_bit():
    @qd.kernel
    def k(r: U32_1, m: U32_1, b: U32_1, off: I32_1):
        for i in range(r.shape[0]):
            r[i] = qd.math.fns(m[i], b[i], off[i])

    n = len(_M)
    r, m, b, off = (
        qd.ndarray(qd.u32, (n,)),
        qd.ndarray(qd.u32, (n,)),
        qd.ndarray(qd.u32, (n,)),
        qd.ndarray(qd.i32, (n,)),
    )
    m.from_numpy(_M)
    b.from_numpy(_B)
    off.from_numpy(_O)
    k(r, m, b, off)
    return {"r": r.to_numpy()}


@case(section="6", raises=(qd.QuadrantsTypeError, "'floor' takes real inputs only"))
def fract_of_int_error():
    @qd.kernel
    def k(o: F32_1, n: qd.i32):
        o[0] = qd.math.fract(n)

    k(qd.ndarray(qd.f32, shape=(1,)), 3)


@case(section="6", raises=(qd.QuadrantsSyntaxError, "Missing argument 'xmax'"))
def missing_argument_error():
    @qd.kernel
    def k(o: F32_1, x: qd.f32):
        o[0] = qd.math.clamp(x, 0.0)

    k(qd.ndarray(qd.f32, shape=(1,)), 3.0)


@case(section="6", raises=(qd.QuadrantsTypeError, "unsupported operand type(s)"))
def shape_mismatch_error():
    @qd.kernel
    def k(o: F32_1, x: qd.f32):
        v = qd.math.clamp(qd.Vector([x, x, x]), qd.Vector([0.0, 0.0]), 1.0)
        o[0] = v[0]

    k(qd.ndarray(qd.f32, shape=(1,)), 3.0)
