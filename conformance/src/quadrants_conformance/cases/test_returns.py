"""docs/semantics.md §11: kernel return values."""

import quadrants as qd
from quadrants_conformance import case

I32_1 = qd.types.NDArray[qd.i32, 1]


@case(section="11", golden={"i": 7, "f": 2.5, "i_is_int": True, "f_is_float": True})
def scalar_returns_are_python_numbers():
    @qd.kernel
    def ki(a: qd.i32) -> qd.i32:
        return a + 4

    @qd.kernel
    def kf(a: qd.f32) -> qd.f32:
        return a * 2.0

    i = ki(3)
    f = kf(1.25)
    return {"i": i, "f": f, "i_is_int": type(i) is int, "f_is_float": type(f) is float}


@case(section="11", golden={"r": (3, 2.5), "is_tuple": True, "types": [True, True]})
def tuple_return():
    @qd.kernel
    def k(a: qd.i32, b: qd.f32) -> tuple[qd.i32, qd.f32]:
        return a + 1, b * 2.0

    r = k(2, 1.25)
    return {
        "r": r,
        "is_tuple": isinstance(r, tuple),
        "types": [type(r[0]) is int, type(r[1]) is float],
    }


@case(section="11", golden={"r": [2, -2, 16777216.0, 4294967295, 1, 0]})
def return_value_converted_to_annotation():
    @qd.kernel
    def k_int() -> qd.i32:
        return 2.7

    @qd.kernel
    def k_neg(a: qd.f32) -> qd.i32:
        return a

    @qd.kernel
    def k_f32(a: qd.i32) -> qd.f32:
        return a

    @qd.kernel
    def k_u32(a: qd.i32) -> qd.u32:
        return a

    @qd.kernel
    def k_cmp(a: qd.i32) -> qd.i32:
        return a > 0

    @qd.kernel
    def k_nan(z: qd.f32) -> qd.i32:
        return z / z

    return {"r": [k_int(), k_neg(-2.9), k_f32(16777217), k_u32(-1), k_cmp(5), k_nan(0.0)]}


@case(section="11", golden={"r": (2, -1)})
def tuple_return_converts_each_element():
    @qd.kernel
    def k(a: qd.f32, b: qd.f32) -> tuple[qd.i32, qd.i32]:
        return a, b

    return {"r": k(2.7, -1.5)}


_UNANNOTATED = "A kernel with a return value must be annotated with a return type"


@case(section="11", raises=(qd.QuadrantsSyntaxError, _UNANNOTATED))
def return_without_annotation_error():
    @qd.kernel
    def k(a: qd.i32):
        return a + 1

    k(1)


@case(section="11", raises=(qd.QuadrantsSyntaxError, "Kernel has a return type but does not have a return statement"))
def annotation_without_return_error():
    @qd.kernel
    def k(x: I32_1) -> qd.i32:
        x[0] = 1

    k(qd.ndarray(qd.i32, shape=(1,)))


@case(section="11", raises=(qd.QuadrantsSyntaxError, "Return inside non-static if/for is not supported"))
def kernel_return_under_runtime_if_error():
    @qd.kernel
    def k(a: qd.i32) -> qd.i32:
        if a > 0:
            return 1
        return 0

    k(1)


@case(section="11", raises=(qd.QuadrantsSyntaxError, "Return inside non-static if/for is not supported"))
def kernel_return_under_runtime_for_error():
    @qd.kernel
    def k(a: qd.i32) -> qd.i32:
        for i in range(a):
            return i
        return 0

    k(3)


@case(section="11", golden={"a": 1, "b": 2})
def kernel_return_under_static_if_allowed():
    @qd.kernel
    def k(flag: qd.template()) -> qd.i32:
        if qd.static(flag):
            return 1
        else:
            return 2

    return {"a": k(True), "b": k(False)}


@case(section="11", golden={"r": None, "x": [4]})
def return_annotation_none():
    @qd.kernel
    def k(x: I32_1) -> None:
        x[0] = 4

    x = qd.ndarray(qd.i32, shape=(1,))
    r = k(x)
    return {"r": r, "x": x.to_numpy()}


@case(section="11", golden={"r": 12})
def return_after_parallel_loops():
    @qd.kernel
    def k(x: I32_1) -> qd.i32:
        for i in range(4):
            x[i] = i * 2
        for i in range(4):
            x[i] += 1
        return x[1] + x[3] + x[0] + 1  # 3 + 7 + 1 + 1

    return {"r": k(qd.ndarray(qd.i32, shape=(4,)))}


@case(section="11", golden={"r": (9, 1)})
def return_of_func_results():
    @qd.func
    def divmod_floor(a, b):
        return a // b, a % b

    @qd.kernel
    def k(a: qd.i32, b: qd.i32) -> tuple[qd.i32, qd.i32]:
        q, m = divmod_floor(a, b)
        return q, m

    return {"r": k(19, 2)}


@case(section="11", requires=("i64",), golden={"r": 2**40 + 3, "is_int": True})
def return_i64():
    @qd.kernel
    def k(a: qd.i64) -> qd.i64:
        return a + 3

    r = k(2**40)
    return {"r": r, "is_int": type(r) is int}


@case(section="11", requires=("f64",), golden={"r": 0.30000000000000004})
def return_f64():
    @qd.kernel
    def k(a: qd.f64, b: qd.f64) -> qd.f64:
        return a + b

    return {"r": k(0.1, 0.2)}


@case(section="11", golden={"r": 0.10000000149011612})
def return_f32_is_exact_f32_value():
    @qd.kernel
    def k(a: qd.f32) -> qd.f32:
        return a

    return {"r": k(0.1)}


@case(section="11", golden={"r": 1632.5, "s": 1.0, "w": [1, 3]})
def func_return_converted_to_its_annotation():
    # a @qd.func return value is cast to the annotated scalar / vector type (f32 1.5 -> i32 1), without a warning
    @qd.func
    def as_int(a: qd.f32) -> qd.i32:
        return a

    @qd.func
    def as_ivec(a: qd.f32) -> qd.types.vector(2, qd.i32):
        return qd.Vector([a, a * 2])

    @qd.func
    def three() -> qd.f32:
        return 3

    @qd.kernel
    def k(a: qd.f32, w: qd.types.NDArray[qd.types.vector(2, qd.i32), 0]) -> qd.f32:
        v = as_ivec(a)
        w[()] = v
        return as_int(a) + v[1] * 10 + as_int(a) * 100 + a * 1000 + three() / 2

    @qd.kernel
    def scalar(a: qd.f32) -> qd.f32:
        return as_int(a)

    w = qd.ndarray(qd.types.vector(2, qd.i32), shape=())
    return {"r": k(1.5, w), "s": scalar(1.5), "w": w.to_numpy()}
