"""docs/semantics.md §9: local variables and scoping."""

import quadrants as qd
from quadrants_conformance import case

I32_1 = qd.types.NDArray[qd.i32, 1]
F32_1 = qd.types.NDArray[qd.f32, 1]


@case(
    section="9",
    warns=(qd.QuadrantsWarning, "Assign may lose precision: i32 <- f32"),
    golden={"x": [2, 3, -2], "f": [3.0]},
)
def first_assignment_fixes_type():
    @qd.kernel
    def k(x: I32_1, f: F32_1, a: qd.i32):
        t = 1
        t = 2.7
        x[0] = t
        w = a  # i32
        w = w / 2  # 3.5 -> 3
        x[1] = w
        v = a - 7
        v = -2.9
        x[2] = v
        u = 1.5
        u = 3
        f[0] = u

    x = qd.ndarray(qd.i32, shape=(3,))
    f = qd.ndarray(qd.f32, shape=(1,))
    k(x, f, 7)
    return {"x": x.to_numpy(), "f": f.to_numpy()}


@case(section="9", golden={"f": [0.5, 3.5], "x": [1, 2, 16777216]})
def annotated_local_declares_type():
    @qd.kernel
    def k(f: F32_1, x: I32_1, a: qd.i32):
        y: qd.f32 = 1
        f[0] = y / 2
        y = 7
        f[1] = y / 2
        z: qd.u32 = -1
        x[0] = z > 0  # unsigned
        w: qd.i32 = 2.7
        x[1] = w
        g: qd.f32 = a  # 16777217 rounds in f32
        x[2] = int(g)

    f = qd.ndarray(qd.f32, shape=(2,))
    x = qd.ndarray(qd.i32, shape=(3,))
    k(f, x, 16777217)
    return {"f": f.to_numpy(), "x": x.to_numpy()}


@case(section="9", raises=(qd.QuadrantsSyntaxError, ""))
def reannotation_with_other_type_error():
    @qd.kernel
    def k(x: I32_1):
        v: qd.i32 = 1
        v: qd.f32 = 2.0
        x[0] = v

    k(qd.ndarray(qd.i32, shape=(1,)))


@case(section="9", raises=(qd.QuadrantsNameError, 'Name "u" is not defined'))
def name_bound_in_if_not_visible_after():
    @qd.kernel
    def k(x: I32_1, a: qd.i32):
        if a > 0:
            u = 5
        x[0] = u

    k(qd.ndarray(qd.i32, shape=(1,)), 1)


@case(section="9", raises=(qd.QuadrantsNameError, 'Name "u" is not defined'))
def name_bound_in_else_not_visible_after():
    @qd.kernel
    def k(x: I32_1, a: qd.i32):
        if a > 0:
            pass
        else:
            u = 5
        x[0] = u

    k(qd.ndarray(qd.i32, shape=(1,)), 1)


@case(section="9", raises=(qd.QuadrantsNameError, 'Name "u" is not defined'))
def name_bound_in_loop_not_visible_after():
    @qd.kernel
    def k(x: I32_1):
        for _ in range(1):
            for j in range(3):
                u = j
            x[0] = u

    k(qd.ndarray(qd.i32, shape=(1,)))


@case(section="9", raises=(qd.QuadrantsNameError, 'Name "u" is not defined'))
def name_bound_in_static_if_not_visible_after():
    @qd.kernel
    def k(x: I32_1):
        if qd.static(True):
            u = 5
        x[0] = u

    k(qd.ndarray(qd.i32, shape=(1,)))


@case(section="9", raises=(qd.QuadrantsNameError, 'Name "u" is not defined'))
def name_bound_in_static_for_not_visible_after():
    @qd.kernel
    def k(x: I32_1):
        for v in qd.static(range(2)):
            u = v
        x[0] = u

    k(qd.ndarray(qd.i32, shape=(1,)))


@case(section="9", golden={"x": [5, 0, 6, 3]})
def name_bound_before_block_is_updated():
    @qd.kernel
    def k(x: I32_1, a: qd.i32):
        u = 0
        if a > 0:
            u = 5
        x[0] = u
        w = 0
        if a < 0:
            w = 5
        x[1] = w
        for _ in range(1):
            s = 0
            for j in range(4):  # a nested, serial loop
                s += j
            x[2] = s
        last = -1
        for v in qd.static(range(4)):
            last = v
        x[3] = last

    x = qd.ndarray(qd.i32, shape=(4,))
    k(x, 1)
    return {"x": x.to_numpy()}


@case(section="9", golden={"x": [2, 1, 5, 9, 10, 18]})
def tuple_assignment_and_swap():
    @qd.kernel
    def k(x: I32_1, p: qd.i32, q: qd.i32):
        a, b = 1, 2
        a, b = b, a
        x[0] = a
        x[1] = b
        c, d = p, q
        c, d = d, c + d  # right side evaluated before assigning
        x[2] = c
        x[3] = d
        (e, f) = (c * 2, d * 2)
        x[4] = e
        x[5] = f

    x = qd.ndarray(qd.i32, shape=(6,))
    k(x, 4, 5)
    return {"x": x.to_numpy()}


@case(section="9", raises=(qd.QuadrantsSyntaxError, "loop variable"))
def assign_to_range_loop_variable_error():
    @qd.kernel
    def k(x: I32_1):
        for i in range(4):
            i = 2
            x[i] = 1

    k(qd.ndarray(qd.i32, shape=(4,)))


@case(section="9", raises=(qd.QuadrantsSyntaxError, "loop variable"))
def assign_to_nested_loop_variable_error():
    @qd.kernel
    def k(x: I32_1):
        for _ in range(1):
            for j in range(4):
                j += 1
                x[0] = j

    k(qd.ndarray(qd.i32, shape=(4,)))


@case(section="9", raises=(qd.QuadrantsSyntaxError, "loop variable"))
def assign_to_ndrange_loop_variable_error():
    @qd.kernel
    def k(x: qd.types.NDArray[qd.i32, 2]):
        for i, j in qd.ndrange(2, 2):
            j = 0
            x[i, j] = 1

    k(qd.ndarray(qd.i32, shape=(2, 2)))


@case(section="9", golden={"s": [3, 4, 2, 1], "a": [3, 3, 3], "b": [4, 4, 4, 4]})
def shape_is_runtime_value():
    @qd.kernel
    def k(s: I32_1, x: qd.types.NDArray[qd.i32, 2]):
        s[0] = x.shape[0]
        s[1] = x.shape[1]
        s[2] = x.shape[1] // x.shape[0] + 1
        s[3] = (x.shape[0] - 4) < 0  # i32: signed

    @qd.kernel
    def fill_len(y: I32_1):
        for i in range(y.shape[0]):
            y[i] = y.shape[0]

    s = qd.ndarray(qd.i32, shape=(4,))
    k(s, qd.ndarray(qd.i32, shape=(3, 4)))
    a = qd.ndarray(qd.i32, shape=(3,))
    b = qd.ndarray(qd.i32, shape=(4,))
    fill_len(a)
    fill_len(b)  # same specialization, other shape
    return {"s": s.to_numpy(), "a": a.to_numpy(), "b": b.to_numpy()}


@case(section="9", golden={"x": [1, 3, 5, 7, 9, 11, 13, 15]})
def parallel_iterations_have_private_locals():
    @qd.kernel
    def k(x: I32_1):
        for i in range(8):
            t = i * 2
            t = t + 1
            x[i] = t

    x = qd.ndarray(qd.i32, shape=(8,))
    k(x)
    return {"x": x.to_numpy()}


@case(section="9", golden={"x": [15, 7, 28, 3, 1, 12, 9, 1]})
def augmented_assignment_on_locals():
    @qd.kernel
    def k(x: I32_1, a: qd.i32):
        t = a  # 5
        t += 10
        x[0] = t
        t -= 8
        x[1] = t
        t *= 4
        x[2] = t
        t //= 8
        x[3] = t
        t %= 2
        x[4] = t
        t <<= 2
        t |= 8
        x[5] = t
        t ^= 5
        x[6] = t
        t &= 3
        x[7] = t

    x = qd.ndarray(qd.i32, shape=(8,))
    k(x, 5)
    return {"x": x.to_numpy()}


@case(section="9", golden={"a": 3.0, "b": 2.0, "c": 5.0})
def static_of_fields_names_the_fields():
    # a field is a compile-time object: qd.static(f) and qd.static(f, g) (a tuple) name the fields themselves
    a = qd.field(qd.f32, ())
    b = qd.field(qd.f32, ())
    c = qd.field(qd.f32, ())

    @qd.kernel
    def k():
        p, q = qd.static(b, a)
        p[None], q[None] = 2, 3
        r = qd.static(c)
        r[None] = p[None] + q[None]

    k()
    return {"a": a[None], "b": b[None], "c": c[None]}
