"""docs/semantics.md §7: kernels, funcs and calls."""

import quadrants as qd
from quadrants_conformance import case

I32_1 = qd.types.NDArray[qd.i32, 1]
F32_1 = qd.types.NDArray[qd.f32, 1]


@case(section="7", golden={"x": [1, 5, 13, 25]})
def func_inlined_and_calls_funcs():
    @qd.func
    def sq(v):
        return v * v

    @qd.func
    def sum_sq(a, b):
        return sq(a) + sq(b)

    @qd.kernel
    def k(x: I32_1):
        for i in range(4):
            x[i] = sum_sq(i, i + 1)

    x = qd.ndarray(qd.i32, shape=(4,))
    k(x)
    return {"x": x.to_numpy()}


@case(section="7", golden={"x": [10, 11, 12, 13], "y": [1, 1, 0, 0]})
def func_ndarray_and_template_params_by_reference():
    @qd.func
    def add_ten(a: I32_1, i: qd.i32):
        a[i] = a[i] + 10

    @qd.func
    def mark(a: qd.template(), i):
        a[i] = 1

    @qd.kernel
    def k(x: I32_1, y: I32_1):
        for i in range(4):
            x[i] = i
            add_ten(x, i)
        for j in range(2):
            mark(y, j)

    x = qd.ndarray(qd.i32, shape=(4,))
    y = qd.ndarray(qd.i32, shape=(4,))
    k(x, y)
    return {"x": x.to_numpy(), "y": y.to_numpy()}


@case(section="7", golden={"x": [3, 4, 8, 3, 0, 7]})
def func_scalar_params_are_copies():
    @qd.func
    def inc(v):
        v = v + 1
        return v

    @qd.func
    def add5(v: qd.i32):
        v += 5
        return v

    @qd.func
    def clobber(v: qd.f32):
        v = 0.0
        return v

    @qd.kernel
    def k(x: I32_1, a: qd.i32):
        t = a
        r = inc(t)
        x[0] = t
        x[1] = r
        x[2] = add5(t)
        x[3] = t
        x[4] = int(clobber(t))
        x[5] = inc(a) + t

    x = qd.ndarray(qd.i32, shape=(6,))
    k(x, 3)
    return {"x": x.to_numpy()}


@case(section="7", golden={"x": [3, 3], "f": [3.0, 3.5]})
def func_unannotated_params_keep_argument_type():
    @qd.func
    def half_floor(v):
        return v // 2

    @qd.func
    def half(v):
        return v / 2

    @qd.kernel
    def k(x: I32_1, f: F32_1, a: qd.i32, b: qd.f32):
        x[0] = half_floor(a)
        x[1] = half_floor(a) + half_floor(b) - half_floor(b)
        f[0] = half_floor(b)  # 7.0 // 2 = 3.0
        f[1] = half(a)  # i32 / literal -> f32

    x = qd.ndarray(qd.i32, shape=(2,))
    f = qd.ndarray(qd.f32, shape=(2,))
    k(x, f, 7, 7.0)
    return {"x": x.to_numpy(), "f": f.to_numpy()}


@case(section="7", golden={"x": [3, 2, -4, 3]})
def func_tuple_return():
    @qd.func
    def floor_divmod(a, b):
        return a // b, a % b

    @qd.kernel
    def k(x: I32_1, p: qd.i32, q: qd.i32):
        d, m = floor_divmod(p, q)
        x[0] = d
        x[1] = m
        d2, m2 = floor_divmod(-p, q)
        x[2] = d2
        x[3] = m2

    x = qd.ndarray(qd.i32, shape=(4,))
    k(x, 17, 5)
    return {"x": x.to_numpy()}


@case(section="7", golden={"x": [321, 305, 30, 11]})
def func_default_and_keyword_args():
    @qd.func
    def f(a, b=10, c=100):
        return a + b * 2 + c * 3

    @qd.kernel
    def k(x: I32_1, one: qd.i32):
        x[0] = f(one)
        x[1] = f(one, 2)
        x[2] = f(one, c=3)
        x[3] = f(c=1, a=one + 1, b=3)

    x = qd.ndarray(qd.i32, shape=(4,))
    k(x, 1)
    return {"x": x.to_numpy()}


@case(section="7", golden={"x": [6, 9]})
def func_template_parameter_is_compile_time():
    @qd.func
    def rep(v, n: qd.template()):
        s = v * 0
        for _ in qd.static(range(n)):
            s += v
        return s

    @qd.kernel
    def k(x: I32_1, a: qd.i32):
        x[0] = rep(a, 2)
        x[1] = rep(a, 3)

    x = qd.ndarray(qd.i32, shape=(2,))
    k(x, 3)
    return {"x": x.to_numpy()}


@case(section="7", raises=(qd.QuadrantsSyntaxError, "Recursive @qd.func call"))
def recursive_func_direct_error():
    @qd.func
    def fact(n):
        return n * fact(n - 1)

    @qd.kernel
    def k(x: I32_1):
        x[0] = fact(3)

    k(qd.ndarray(qd.i32, shape=(1,)))


@case(section="7", raises=(qd.QuadrantsSyntaxError, "Recursive @qd.func call"))
def recursive_func_indirect_error():
    @qd.func
    def ping(n):
        return pong(n) + 1

    @qd.func
    def pong(n):
        return ping(n) + 1

    @qd.kernel
    def k(x: I32_1):
        x[0] = ping(1)

    k(qd.ndarray(qd.i32, shape=(1,)))


@case(section="7", raises=(qd.QuadrantsSyntaxError, "can only be called from a @qd.kernel or @qd.func"))
def func_called_from_python_error():
    @qd.func
    def f(v):
        return v + 1

    f(3)


@case(section="7", raises=(qd.QuadrantsSyntaxError, "Kernels cannot call other kernels"))
def kernel_calling_kernel_error():
    @qd.kernel
    def inner(x: I32_1):
        x[0] = 1

    @qd.kernel
    def outer(x: I32_1):
        inner(x)

    outer(qd.ndarray(qd.i32, shape=(1,)))


@case(section="7", raises=(qd.QuadrantsSyntaxError, "Function definition is not allowed"))
def def_inside_kernel_error():
    @qd.kernel
    def k(x: I32_1):
        def helper():
            return 1

        x[0] = 1

    k(qd.ndarray(qd.i32, shape=(1,)))


@case(section="7", raises=(qd.QuadrantsSyntaxError, "Function definition is not allowed"))
def def_inside_func_error():
    @qd.func
    def f(v):
        def helper():
            return 1

        return v

    @qd.kernel
    def k(x: I32_1):
        x[0] = f(1)

    k(qd.ndarray(qd.i32, shape=(1,)))


@case(section="7", raises=(qd.QuadrantsSyntaxError, "'with ... as ...' is not supported"))
def with_as_in_kernel_error():
    @qd.kernel
    def k(x: I32_1):
        with x as y:
            y[0] = 1

    k(qd.ndarray(qd.i32, shape=(1,)))


@case(section="7", raises=(qd.QuadrantsSyntaxError, "Missing argument 'e'"))
def missing_argument_error():
    @qd.kernel
    def k(x: I32_1, e: qd.i32):
        x[0] = e

    k(qd.ndarray(qd.i32, shape=(1,)))


@case(section="7", raises=(qd.QuadrantsSyntaxError, "Unexpected argument 'name'"))
def unexpected_keyword_argument_error():
    @qd.kernel
    def k(x: I32_1, e: qd.i32):
        x[0] = e

    k(qd.ndarray(qd.i32, shape=(1,)), e=1, name=2)


@case(section="7", golden={"x": [5, 7], "r": None})
def kernel_keyword_arguments():
    @qd.kernel
    def k(x: I32_1, e: qd.i32, f: qd.i32):
        x[0] = e
        x[1] = f

    x = qd.ndarray(qd.i32, shape=(2,))
    r = k(f=7, x=x, e=5)
    return {"x": x.to_numpy(), "r": r}


@case(section="7", raises=(qd.QuadrantsSyntaxError, 'Kernel argument "a" is immutable'))
def kernel_argument_immutable():
    @qd.kernel
    def k(x: I32_1, a: qd.i32):
        a = a + 1
        x[0] = a

    k(qd.ndarray(qd.i32, shape=(1,)), 1)


@case(section="7", raises=(qd.QuadrantsSyntaxError, 'Kernel argument "a" is immutable'))
def kernel_argument_immutable_augassign():
    @qd.kernel
    def k(x: I32_1, a: qd.i32):
        a += 1
        x[0] = a

    k(qd.ndarray(qd.i32, shape=(1,)), 1)


@case(section="7", raises=(qd.QuadrantsSyntaxError, "Return inside non-static if/for is not supported"))
def func_return_under_runtime_if_error():
    @qd.func
    def f(v):
        if v > 0:
            return 1
        return 0

    @qd.kernel
    def k(x: I32_1, a: qd.i32):
        x[0] = f(a)

    k(qd.ndarray(qd.i32, shape=(1,)), 1)


@case(section="7", raises=(qd.QuadrantsSyntaxError, "Return inside non-static if/for is not supported"))
def func_return_under_runtime_for_error():
    @qd.func
    def f(v):
        for i in range(v):
            return i
        return 0

    @qd.kernel
    def k(x: I32_1, a: qd.i32):
        for _ in range(1):
            x[0] = f(a)

    k(qd.ndarray(qd.i32, shape=(1,)), 3)


@case(section="7", golden={"x": [6, 9]})
def func_return_under_static_if_allowed():
    @qd.func
    def f(v, double: qd.template()):
        if qd.static(double):
            return v * 2
        else:
            return v * 3

    @qd.kernel
    def k(x: I32_1, a: qd.i32):
        x[0] = f(a, True)
        x[1] = f(a, False)

    x = qd.ndarray(qd.i32, shape=(2,))
    k(x, 3)
    return {"x": x.to_numpy()}


@case(section="7", golden={"r": None, "x": [1]})
def kernel_without_annotation_returns_none():
    @qd.kernel
    def k(x: I32_1):
        x[0] = 1

    x = qd.ndarray(qd.i32, shape=(1,))
    r = k(x)
    return {"r": r, "x": x.to_numpy()}


@case(section="7", raises=(qd.QuadrantsSyntaxError, "Please decorate class Plain with @qd.data_oriented"))
def kernel_method_without_data_oriented_error():
    class Plain:
        @qd.kernel
        def k(self, x: I32_1):
            x[0] = 1

    Plain().k(qd.ndarray(qd.i32, shape=(1,)))


@case(section="7", golden={"x": [2, 2, 2, 2]})
def requires_top_level_func_at_top_level():
    @qd.func(requires_top_level=True)
    def fill_two(x: I32_1):
        for i in range(x.shape[0]):
            x[i] = 2

    @qd.kernel
    def k(x: I32_1):
        fill_two(x)

    x = qd.ndarray(qd.i32, shape=(4,))
    k(x)
    return {"x": x.to_numpy()}


@case(section="7", raises=(qd.QuadrantsSyntaxError, ""))
def requires_top_level_func_in_loop_error():
    @qd.func(requires_top_level=True)
    def fill_two(x: I32_1):
        for i in range(x.shape[0]):
            x[i] = 2

    @qd.kernel
    def k(x: I32_1):
        for _ in range(1):
            fill_two(x)

    k(qd.ndarray(qd.i32, shape=(4,)))


@case(section="7", golden={"x": [0, 2, 4, 6, 8, 10, 12, 14]})
def func_locals_private_per_iteration():
    @qd.func
    def work(i):
        t = i
        t = t + i
        return t

    @qd.kernel
    def k(x: I32_1):
        for i in range(8):
            x[i] = work(i)

    x = qd.ndarray(qd.i32, shape=(8,))
    k(x)
    return {"x": x.to_numpy()}


@case(section="7", golden={"x": [3, 1]})
def kernel_decorator_with_default_options():
    @qd.kernel(fastcache=False, graph=False, checkpoints=False)
    def k(x: I32_1, a: qd.i32):
        x[0] = a

    @qd.kernel()
    def k2(x: I32_1):
        x[1] = 1

    x = qd.ndarray(qd.i32, shape=(2,))
    k(x, 3)
    k2(x)
    return {"x": x.to_numpy()}


@case(section="7", golden={"x": [2, 2, 2, 2]})
def requires_top_level_func_in_static_loop():
    @qd.func(requires_top_level=True)
    def add_one(x: I32_1):
        for i in range(x.shape[0]):
            x[i] += 1

    @qd.kernel
    def k(x: I32_1):
        for _ in qd.static(range(2)):
            add_one(x)

    x = qd.ndarray(qd.i32, shape=(4,))
    k(x)
    return {"x": x.to_numpy()}


@case(section="7", golden={"lo": 1, "hi": 9, "n": 3})
def starred_vector_arguments_of_builtins():
    # qd.min(*a, *b): a vector argument unpacks into its components, each evaluated once
    calls = qd.field(qd.i32, shape=())

    @qd.func
    def vec(s: qd.i32):
        calls[None] += 1
        return qd.Vector([1, 2, s])

    @qd.kernel
    def k(s: qd.i32) -> qd.types.vector(2, qd.i32):
        a = vec(s)
        b = qd.Vector([4, 5, 6])
        return qd.Vector([qd.min(*a, *b), qd.max(*vec(s), *b, *vec(s))])

    r = k(9)
    return {"lo": r[0], "hi": r[1], "n": calls[None]}
