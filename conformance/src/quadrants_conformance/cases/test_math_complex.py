"""``qd.math`` complex numbers as 2D vectors ``(re, im)`` (docs/semantics.md §1, §6): cmul, cdiv, cconj, cinv, csqrt,
cpow, cexp, clog.

Golden values are upstream Quadrants 1.3.3's on ``qd.cpu`` with ``fast_math=False``. cmul/cdiv/cconj/cinv use only
``+ - * /`` and compare exactly; the others within the transcendental budget (``cpow`` within the ``pow`` budget).
"""

import quadrants as qd
from quadrants_conformance import case

F32_1 = qd.types.NDArray[qd.f32, 1]
F64_1 = qd.types.NDArray[qd.f64, 1]


@case(
    section="6",
    golden={
        "o": [
            8.375,
            5.5,
            -0.4747081696987152,
            -0.40466925501823425,
            1.5,
            2.0,
            0.015564202331006527,
            -0.24902723729610443,
            1.0,
            0.0,
            5.0,
        ]
    },
)
def complex_arithmetic():
    @qd.kernel
    def k(o: F32_1, a: qd.f32, b: qd.f32, c: qd.f32, d: qd.f32):
        z = qd.math.vec2(a, b)
        w = qd.math.vec2(c, d)
        p = qd.math.cmul(z, w)
        q = qd.math.cdiv(z, w)
        j = qd.math.cconj(z)
        i = qd.math.cinv(w)
        one = qd.math.cmul(w, qd.math.cinv(w))
        for t in qd.static(range(2)):
            o[t] = p[t]
            o[2 + t] = q[t]
            o[4 + t] = j[t]
            o[6 + t] = i[t]
            o[8 + t] = one[t]
        o[10] = qd.math.cmul(qd.Vector([1, 2]), qd.Vector([3, -1]))[0]  # int operands: default_fp result

    o = qd.ndarray(qd.f32, shape=(11,))
    k(o, 1.5, -2.0, 0.25, 4.0)
    return {"o": o.to_numpy()}


@case(
    section="6",
    tol="pow",
    golden={
        "o": [
            1.0506516695022583,
            -0.5948688387870789,
            -3.278353943869661e-08,
            0.75,
            -3.09375,
            -0.15625068545341492,
            1.0506517887115479,
            -0.5948688983917236,
            0.66753751039505,
            -2.009000539779663,
            0.37688589096069336,
            -1.0303767919540405,
            0.0,
            0.0,
        ]
    },
)
def complex_functions():
    @qd.kernel
    def k(o: F32_1, a: qd.f32, b: qd.f32):
        z = qd.math.vec2(a, b)
        s = qd.math.csqrt(z)
        n = qd.math.csqrt(qd.math.vec2(-a * a, 0.0))  # sqrt(-a^2) = (0, a)
        p = qd.math.cpow(z, 3)
        h = qd.math.cpow(z, 0.5)
        e = qd.math.cexp(z)
        g = qd.math.clog(z)
        zero = qd.math.csqrt(z * 0.0) + qd.math.cpow(z * 0.0, 2.0)  # z == 0: zero, not NaN
        for t in qd.static(range(2)):
            o[t] = s[t]
            o[2 + t] = n[t]
            o[4 + t] = p[t]
            o[6 + t] = h[t]
            o[8 + t] = e[t]
            o[10 + t] = g[t]
            o[12 + t] = zero[t]

    o = qd.ndarray(qd.f32, shape=(14,))
    k(o, 0.75, -1.25)
    return {"o": o.to_numpy()}


@case(section="6", requires=("f64",), golden={"o": [0.05999999865889549, 0.5999999865889549, 0.10000000149011612]})
def complex_results_are_default_fp_vectors():
    # vec2(...) converts to default_fp: cmul of f64 operands rounds to f32; cdiv then divides by an f64 dot(z, z)
    @qd.kernel
    def k(o: F64_1, a: qd.f64, b: qd.f64):
        z = qd.Vector([a, b])
        o[0] = qd.math.cmul(z, z)[1]
        o[1] = qd.math.cdiv(z, qd.Vector([b, a]))[0]
        o[2] = qd.math.cconj(z)[0]

    o = qd.ndarray(qd.f64, shape=(3,))
    k(o, 0.1, 0.3)
    return {"o": o.to_numpy()}


@case(section="6", raises=(qd.QuadrantsTypeError, "'cos' takes real inputs only"))
def cexp_of_an_int_vector_error():
    @qd.kernel
    def k(o: F32_1):
        o[0] = qd.math.cexp(qd.Vector([1, 2]))[0]

    k(qd.ndarray(qd.f32, shape=(1,)))
