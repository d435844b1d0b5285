"""``@qd.func`` parameters with a vector/matrix or typed ndarray annotation check what they are given, with
upstream 1.3.3's messages: a vector of another size is a QuadrantsSyntaxError ("... is expected to be a Matrix with n
3, but got 2."), an ndarray of another element type or ndim is "Invalid value for argument a"."""

import numpy as np

import quadrants as qd
from quadrants_conformance import case

VEC3 = qd.types.vector(3, qd.f32)
I32_1 = qd.types.NDArray[qd.i32, 1]


@case(section="7", raises=(qd.QuadrantsSyntaxError, "is expected to be a Matrix with n 3, but got 2."))
def vector_parameter_given_a_vector_of_another_size():
    @qd.func
    def f(a: VEC3) -> qd.f32:
        return a[0]

    @qd.kernel
    def k(x: I32_1):
        v = qd.Vector([3.0, 4.0])
        x[0] = qd.i32(f(v))

    k(qd.ndarray(qd.i32, shape=(1,)))


@case(section="7", raises=(qd.QuadrantsSyntaxError, "is expected to be a Matrix with ndim 1, but got 2."))
def vector_parameter_given_a_matrix():
    @qd.func
    def f(a: VEC3) -> qd.f32:
        return a[0]

    @qd.kernel
    def k(x: I32_1):
        m = qd.Matrix([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
        x[0] = qd.i32(f(m))

    k(qd.ndarray(qd.i32, shape=(1,)))


@case(section="7", raises=(qd.QuadrantsCompilationError, "Invalid value for argument a"))
def typed_ndarray_parameter_given_another_element_type():
    @qd.func
    def f(a: qd.types.ndarray(dtype=qd.math.vec2, ndim=1)):
        a[0] = [100, 100]

    @qd.kernel
    def k(x: qd.types.ndarray(ndim=1)):
        f(x)

    k(qd.ndarray(qd.math.vec3, shape=(4,)))


@case(section="7", golden={"x": [1.0, 2.0, 7.0]})
def parameters_of_the_declared_types_are_accepted():
    @qd.func
    def f(a: VEC3, out: qd.types.ndarray(dtype=qd.f32, ndim=1)):
        out[2] = a[0] + a[1] + a[2]

    @qd.kernel
    def k(x: qd.types.ndarray(dtype=qd.f32, ndim=1)):
        f(qd.Vector([x[0], x[1], 4.0]), x)

    x = qd.ndarray(qd.f32, shape=(3,))
    x[0], x[1] = 1.0, 2.0
    k(x)
    return {"x": x.to_numpy()}


@case(section="7", raises=(qd.QuadrantsSyntaxError, "<locals>.k`: name 'undefined_type' is not defined"))
def annotation_naming_nothing_is_an_error_at_decoration():
    @qd.kernel
    def k(x: "undefined_type"):  # noqa: F821 - the error under test
        pass


@case(
    section="8",
    raises=(ValueError, "Invalid value for argument a - required element type: VectorType[2, i32], but"),
)
def kernel_vector_ndarray_parameter_given_a_matrix_ndarray():
    @qd.kernel
    def k(a: qd.types.NDArray[qd.types.vector(2, qd.i32), 2]):
        pass

    k(qd.Matrix.ndarray(2, 3, qd.i32, shape=(4, 7)))


@case(section="8", raises=(TypeError, "get [Tensor (3) i32]"))
def kernel_scalar_ndarray_parameter_given_a_vector_ndarray():
    @qd.kernel
    def k(arr: qd.types.NDArray[qd.f32, 2]):
        for i in qd.grouped(arr):
            arr[i] = 2.0

    k(qd.ndarray(qd.types.vector(3, qd.i32), shape=(12, 4)))


@case(section="7", raises=(qd.QuadrantsTypeError, "Expected ndarray in the kernel argument for argument w"))
def ndarray_captured_from_python_scope_passed_to_a_real_func():
    w = qd.ndarray(qd.f32, shape=(2,))

    @qd.real_func
    def f(w: qd.types.NDArray[qd.f32, 1]) -> qd.f32:
        return w[1]

    @qd.kernel
    def k() -> qd.f32:
        return f(w)

    k()


@case(section="7", raises=(qd.QuadrantsSyntaxError, "* args can only be present as the last argument of a function"))
def starred_arguments_not_last_in_a_func_call():
    @qd.func
    def f(a: qd.types.NDArray[qd.i32, 1], b: qd.i32, c: qd.i32, d: qd.i32):
        a[0] = b + c + d

    rest = [3, 5]

    @qd.kernel
    def k(a: qd.types.NDArray[qd.i32, 1]):
        f(a, *rest, 3)

    k(qd.ndarray(qd.i32, (2,)))


@case(section="7", golden={"a": [11, 0]})
def starred_arguments_last_in_a_func_call():
    @qd.func
    def f(a: qd.types.NDArray[qd.i32, 1], b: qd.i32, c: qd.i32, d: qd.i32):
        a[0] = b + c + d

    rest = [3, 5]

    @qd.kernel
    def k(a: qd.types.NDArray[qd.i32, 1]):
        f(a, 3, *rest)

    a = qd.ndarray(qd.i32, (2,))
    k(a)
    return {"a": a.to_numpy()}


@case(section="8", golden={"m2": [[[1.0, 1.0], [1.0, 1.0]]] * 2, "m3": [[[1.0] * 3] * 3] * 2, "v": [[2, 2, 2]] * 2})
def ndarray_parameter_of_any_vector_or_matrix_size():
    """``qd.types.matrix()`` / ``vector()`` without sizes as an ndarray element type: any matrix (vector), one
    specialization per element type, as upstream."""

    @qd.kernel
    def ones(x: qd.types.NDArray[qd.types.matrix(), 1]):
        for idx in qd.grouped(x):
            x[idx] = 1.0

    @qd.kernel
    def twos(x: qd.types.NDArray[qd.types.vector(), 1]):
        for idx in qd.grouped(x):
            x[idx] = 2

    m2, m3 = qd.ndarray(qd.math.mat2, (2,)), qd.ndarray(qd.math.mat3, (2,))
    v = qd.ndarray(qd.types.vector(3, qd.i32), (2,))
    ones(m2)
    ones(m3)
    twos(v)
    return {"m2": m2.to_numpy(), "m3": m3.to_numpy(), "v": v.to_numpy()}


@case(section="8", raises=(ValueError, "Invalid value for argument x"))
def ndarray_parameter_of_any_matrix_given_vectors():
    @qd.kernel
    def ones(x: qd.types.NDArray[qd.types.matrix(), 1]):
        for idx in qd.grouped(x):
            x[idx] = 1.0

    ones(qd.ndarray(qd.math.vec2, (3,)))


@case(section="7", golden={"out": [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]})
def starred_grouped_index_in_a_subscript_tuple():
    """``x[(*I, j)]`` splices the axes of a grouped index into the subscript, as in Python (upstream's idiom for
    the trailing element axis of a NumPy argument)."""

    @qd.kernel
    def k(src: qd.types.NDArray[qd.f32, 2], out: qd.types.NDArray[qd.f32, 2]):
        for I in qd.grouped(qd.ndrange(src.shape[0])):  # noqa: E741 (upstream's spelling of a grouped index)
            for j in qd.static(range(3)):
                out[(*I, j)] = src[(*I, j)]

    src = np.arange(1, 7, dtype=np.float32).reshape(2, 3)
    out = np.zeros((2, 3), np.float32)
    k(src, out)
    return {"out": out}
