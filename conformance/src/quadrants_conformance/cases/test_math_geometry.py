"""``qd.math`` vector and matrix functions (docs/semantics.md §1, §6): dot, cross, length, distance, normalize, reflect,
refract, determinant, inverse, eye, and the transform builders vdir, rotation2d, rotation3d, rot_yaw_pitch_roll,
rot_by_axis, translate, scale.

Golden values are upstream Quadrants 1.3.3's on ``qd.cpu`` with ``fast_math=False``. Functions built from
``+ - * /`` and ``sqrt`` compare exactly; the ones that call ``sin``/``cos`` within the transcendental budget.
"""

import quadrants as qd
from quadrants_conformance import case

F32_1 = qd.types.NDArray[qd.f32, 1]
F64_1 = qd.types.NDArray[qd.f64, 1]
I32_1 = qd.types.NDArray[qd.i32, 1]


@case(
    section="6",
    golden={
        "o": [
            1.7300000190734863,
            -3.0899999141693115,
            6.769999980926514,
            2.68999981880188,
            2.68999981880188,
            2.8460497856140137,
            3.5693137645721436,
            5.0,
        ]
    },
)
def dot_cross_length_distance():
    @qd.kernel
    def k(o: F32_1, x: qd.f32, y: qd.f32, z: qd.f32):
        v = qd.Vector([x, y, z])
        w = qd.Vector([z, x, y])
        o[0] = qd.math.dot(v, w)
        c = qd.math.cross(v, w)
        o[1] = c[0]
        o[2] = c[1]
        o[3] = c[2]
        o[4] = qd.math.cross(qd.Vector([x, y]), qd.Vector([z, x]))  # 2D: a scalar
        o[5] = qd.math.length(v)
        o[6] = qd.math.distance(v, w)
        o[7] = qd.math.length(qd.Vector([3, 4]))  # an int vector has a default_fp length

    o = qd.ndarray(qd.f32, shape=(8,))
    k(o, 1.3, -0.4, 2.5)
    return {"o": o.to_numpy()}


@case(
    section="6",
    golden={
        "o": [
            0.45677343010902405,
            -0.14054568111896515,
            0.8784105181694031,
            0.23209857940673828,
            -0.9553086757659912,
            2.6708641052246094,
            -0.45249632000923157,
            -0.4999455511569977,
            0.7384454011917114,
            0.0,
            -0.0,
            0.0,
        ]
    },
)
def normalize_reflect_refract():
    @qd.kernel
    def k(o: F32_1, x: qd.f32, y: qd.f32, z: qd.f32):
        v = qd.Vector([x, y, z])
        n = qd.math.normalize(qd.Vector([z, x, y]))
        u = qd.math.normalize(v)
        r = qd.math.reflect(v, n)
        t = qd.math.refract(u, n, 0.7)
        total = qd.math.refract(u, n, 3.0)  # total internal reflection: zero
        for i in qd.static(range(3)):
            o[i] = u[i]
            o[3 + i] = r[i]
            o[6 + i] = t[i]
            o[9 + i] = total[i]

    o = qd.ndarray(qd.f32, shape=(12,))
    k(o, 1.3, -0.4, 2.5)
    return {"o": o.to_numpy()}


@case(section="6", warns=(UserWarning, "may lose precision"), golden={"o": [2, -1, 2]})  # a QuadrantsWarning
def refract_keeps_the_incident_type():
    # upstream's docstring example: an integer incident vector gives an integer result (with the narrowing warning)
    @qd.kernel
    def k(o: I32_1, eta: qd.f32):
        r = qd.math.refract(qd.Vector([1, 1, 1]), qd.Vector([0, 1, 0]), eta)
        for i in qd.static(range(3)):
            o[i] = r[i]

    o = qd.ndarray(qd.i32, shape=(3,))
    k(o, 2.0)
    return {"o": o.to_numpy()}


@case(
    section="6",
    golden={
        "o": [
            2.299999952316284,
            5.670999526977539,
            7.732301235198975,
            0.5325339436531067,
            0.14106860756874084,
            -0.17986246943473816,
            -1.0447893142700195,
            0.5510492324829102,
            -0.07758770138025284,
            -0.22041969001293182,
            0.07406101375818253,
            0.40557223558425903,
            0.6112022995948792,
            0.15519315004348755,
            -0.22321943938732147,
            -0.12674106657505035,
            -1.5910528898239136,
            0.45296990871429443,
            0.22347815334796906,
            0.8800743818283081,
            0.04849785566329956,
            0.12234392017126083,
            0.25736191868782043,
            -0.43324747681617737,
            -0.4552331864833832,
            -0.0817350521683693,
            0.25089555978775024,
            0.7334167957305908,
            5.0,
            1.0,
        ]
    },
)
def determinant_inverse_eye():
    @qd.kernel
    def k(o: F32_1, x: qd.f32, y: qd.f32, z: qd.f32):
        m2 = qd.Matrix([[x, y], [z, 1.0]])
        m3 = qd.Matrix([[x, y, 0.5], [z, 1.0, x], [0.25, y, z]])
        m4 = qd.Matrix([[x, y, 0.5, 1.0], [z, 1.0, x, 0.0], [0.25, y, z, 2.0], [1.0, 0.0, y, x]])
        o[0] = qd.math.determinant(m2)
        o[1] = qd.math.determinant(m3)
        o[2] = qd.math.determinant(m4)
        i3 = qd.math.inverse(m3)
        i4 = qd.math.inverse(m4)
        for r, c in qd.static(qd.ndrange(3, 3)):
            o[3 + r * 3 + c] = i3[r, c]
        for r, c in qd.static(qd.ndrange(4, 4)):
            o[12 + r * 4 + c] = i4[r, c]
        e = qd.math.eye(3)
        o[28] = e[0, 0] + 2.0 * e[0, 1] + 4.0 * e[1, 1] + 8.0 * e[2, 1]
        o[29] = qd.math.determinant(qd.Matrix([[2, 1], [7, 4]]))  # an int matrix: an int determinant

    o = qd.ndarray(qd.f32, shape=(30,))
    k(o, 1.3, -0.4, 2.5)
    return {"o": o.to_numpy()}


@case(
    section="6",
    golden={
        "o": [16.0, 0.0, 0.0, 1.5, 0.0, -19.0, 0.0, -2.0, 0.0, 0.0, 3.5, 0.25, 0.0, 0.0, 0.0, 11.0, 3.0, -6.0, 1.0, 1.0]
    },
)
def translate_and_scale():
    @qd.kernel
    def k(o: F32_1, x: qd.f32, y: qd.f32, z: qd.f32):
        t = qd.math.translate(x, y, z)
        s = qd.math.scale(x, y, z)
        p = t @ s @ qd.Vector([1.0, 2.0, 3.0, 1.0])
        for r, c in qd.static(qd.ndrange(4, 4)):
            o[r * 4 + c] = t[r, c] + 10.0 * s[r, c]
        for r in qd.static(range(4)):
            o[16 + r] = p[r]

    o = qd.ndarray(qd.f32, shape=(20,))
    k(o, 1.5, -2.0, 0.25)
    return {"o": o.to_numpy()}


@case(
    section="6",
    tol="transcendental",
    golden={
        "o": [
            0.8678191900253296,
            -0.49688011407852173,
            0.49688011407852173,
            0.8678191900253296,
            0.050483524799346924,
            -0.6133964657783508,
            -0.788159966468811,
            0.0,
            0.6583315134048462,
            0.6138850450515747,
            -0.43559691309928894,
            0.0,
            0.7510333061218262,
            -0.49688011407852173,
            0.4348093271255493,
            0.0,
            0.0,
            0.0,
            0.0,
            1.0,
            0.0,
            0.0,
            0.0,
            0.0,
            0.0,
            0.0,
            0.0,
            0.0,
            0.0,
            0.0,
            0.0,
            0.0,
            0.0,
            0.0,
            0.0,
            0.0,
            0.8978719115257263,
            0.277413934469223,
            -0.34185898303985596,
            0.0,
            -0.3539813756942749,
            0.9165882468223572,
            -0.18591168522834778,
            0.0,
            0.2617694139480591,
            0.28793659806251526,
            0.9211782217025757,
            0.0,
            0.0,
            0.0,
            0.0,
            1.0,
            0.7073882222175598,
            -0.7068251967430115,
        ]
    },
)
def rotations():
    @qd.kernel
    def k(o: F32_1, a: qd.f32, b: qd.f32, c: qd.f32):
        r2 = qd.math.rotation2d(a)
        r3 = qd.math.rotation3d(a, b, c)
        ypr = qd.math.rot_yaw_pitch_roll(c, a, b)
        ax = qd.math.rot_by_axis(qd.Vector([b, 1.0, c]), a)
        d = qd.math.vdir(b)
        for r, s in qd.static(qd.ndrange(2, 2)):
            o[r * 2 + s] = r2[r, s]
        for r, s in qd.static(qd.ndrange(4, 4)):
            o[4 + r * 4 + s] = r3[r, s]
            o[20 + r * 4 + s] = ypr[r, s] - r3[r, s]  # rotation3d(a, b, c) is rot_yaw_pitch_roll(c, a, b)
            o[36 + r * 4 + s] = ax[r, s]
        o[52] = d[0]
        o[53] = d[1]

    o = qd.ndarray(qd.f32, shape=(54,))
    k(o, 0.52, -0.785, 1.046)
    return {"o": o.to_numpy()}


@case(
    section="6",
    requires=("f64",),
    golden={
        "o": [
            1.0677078252031311,
            0.0936585811581694,
            1.067707825203131,
            -0.4799999999999999,
            1.4583333333333333,
            0.10000000149011612,
        ]
    },
)
def f64_vectors_stay_f64():
    @qd.kernel
    def k(o: F64_1, x: qd.f64, y: qd.f64):
        v = qd.Vector([x, y, x + y])
        u = qd.math.normalize(v)
        o[0] = qd.math.length(v)
        o[1] = u[0]
        o[2] = qd.math.dot(u, v)
        o[3] = qd.math.determinant(qd.Matrix([[x, y], [y, x]]))
        o[4] = qd.math.inverse(qd.Matrix([[x, y], [y, x]]))[0, 1]
        o[5] = qd.math.translate(x, y, x)[0, 3]  # a mat4: default_fp (f32) entries

    o = qd.ndarray(qd.f64, shape=(6,))
    k(o, 0.1, 0.7)
    return {"o": o.to_numpy()}


@case(section="6", raises=(qd.QuadrantsTypeError, "cannot be interpreted as an integer"))
def eye_of_a_run_time_size_error():
    @qd.kernel
    def k(o: F32_1, n: qd.i32):
        o[0] = qd.math.eye(n)[0, 0]

    k(qd.ndarray(qd.f32, shape=(1,)), 3)


@case(section="6", raises=(qd.QuadrantsTypeError, "'cos' takes real inputs only"))
def rotation_of_an_int_angle_error():
    @qd.kernel
    def k(o: F32_1, a: qd.i32):
        o[0] = qd.math.rotation2d(a)[0, 0]

    k(qd.ndarray(qd.f32, shape=(1,)), 1)


@case(section="6", raises=(qd.QuadrantsCompilationError, "not tensor type"))
def length_of_a_scalar_error():
    @qd.kernel
    def k(o: F32_1, x: qd.f32):
        o[0] = qd.math.length(x)

    k(qd.ndarray(qd.f32, shape=(1,)), 1.0)
