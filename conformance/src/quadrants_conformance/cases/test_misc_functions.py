"""docs/misc-functions.md: hints, ``qd.frexp``, ``@qd.pyfunc``, ``@qd.real_func`` in kernels."""

import numpy as np

import quadrants as qd
from quadrants_conformance import case

F32_1 = qd.types.NDArray[qd.f32, 1]
I32_1 = qd.types.NDArray[qd.i32, 1]
I64_1 = qd.types.NDArray[qd.i64, 1]
_X = np.array([12.0, -0.375, 0.0, -0.0, np.inf, 1.0, 0.5, 3.4e38, 7.0], np.float32)
_M, _E = np.frexp(_X)
_SUB = np.array([1e-40, -3e-39, 1.4e-45], np.float32)  # subnormal f32: flushed to zero where the device does that
_SUB_M, _SUB_E = np.frexp(_SUB)


def _frexp_run(values):
    @qd.kernel
    def k(x: F32_1, m: F32_1, e: I32_1):
        for i in x:
            mm, ee = qd.frexp(x[i])
            m[i], e[i] = mm, ee

    x, m, e = qd.ndarray(qd.f32, (len(values),)), qd.ndarray(qd.f32, (len(values),)), qd.ndarray(qd.i32, (len(values),))
    x.from_numpy(values)
    k(x, m, e)
    return {"m": m.to_numpy(), "e": e.to_numpy()}


@case(section="misc", golden={"m": _M.tolist(), "e": _E.tolist()})
def frexp_matches_numpy():
    return _frexp_run(_X)


@case(section="misc", requires=("subnormals",), golden={"m": _SUB_M.tolist(), "e": _SUB_E.tolist()})
def frexp_matches_numpy_on_subnormals():
    return _frexp_run(_SUB)


@case(section="misc", requires=("f64",), golden={"m": [0.625, -0.75], "e": [4, -1]})
def frexp_f64():
    @qd.kernel
    def k(m: qd.types.NDArray[qd.f64, 1], e: I32_1):
        m[0], e[0] = qd.frexp(qd.f64(10.0))
        m[1], e[1] = qd.frexp(qd.f64(-0.375))

    m, e = qd.ndarray(qd.f64, (2,)), qd.ndarray(qd.i32, (2,))
    k(m, e)
    return {"m": m.to_numpy(), "e": e.to_numpy()}


@qd.pyfunc
def _double(x):
    return x * 2


@qd.real_func
def _plus_one(x: qd.i32) -> qd.i32:
    return x + 1


@case(section="misc", golden={"x": [2 * i + 1 for i in range(4)] + [5, 6], "host": 14})
def hints_pyfunc_and_real_func():
    f = qd.field(qd.i32, shape=4)

    @qd.kernel
    def k(x: I32_1):
        qd.cache_read_only(f)
        for i in range(4):
            v = qd.assume_in_range(i, 0, 0, 4)
            x[i] = _plus_one(_double(v + qd.volatile_load(f[i])))
        x[4] = _plus_one(4)
        x[5] = qd.experimental.real_func(_plus_one.fn)(5)

    x = qd.ndarray(qd.i32, (6,))
    k(x)
    return {"x": x.to_numpy(), "host": _double(7)}


@case(section="misc", golden={"out": [7, 3, 1.5, 2.5, 4, 5]})
def volatile_load_reads_field_and_ndarray_elements():
    f0 = qd.field(qd.i32, shape=())
    v = qd.Vector.field(2, qd.f32, shape=2)
    s = qd.types.struct(a=qd.i32, b=qd.f32).field(shape=2)

    @qd.kernel
    def k(x: I32_1, out: qd.types.NDArray[qd.f32, 1]):
        f0[None] = 7
        v[1] = qd.Vector([1.5, 2.5])
        s[1].a = 4
        out[0] = qd.volatile_load(f0[None])
        out[1] = qd.volatile_load(x[2])
        w = qd.volatile_load(v[1])
        out[2], out[3] = w[0], qd.volatile_load(v[1][1])
        out[4] = qd.volatile_load(s[1].a)
        out[5] = qd.volatile_load(target=x[4])

    x, out = qd.ndarray(qd.i32, (5,)), qd.ndarray(qd.f32, (6,))
    x.from_numpy(np.arange(1, 6, dtype=np.int32))
    k(x, out)
    return {"out": out.to_numpy()}


@case(section="misc", raises=(qd.QuadrantsTypeError, "requires a global lvalue"))
def volatile_load_of_a_local_error():
    @qd.kernel
    def k(x: I32_1):
        v = x[0]
        x[1] = qd.volatile_load(v)

    k(qd.ndarray(qd.i32, (2,)))


@case(section="misc", raises=(qd.QuadrantsSyntaxError, "requires an lvalue (field / ndarray subscript)"))
def volatile_load_of_an_expression_error():
    @qd.kernel
    def k(x: I32_1):
        x[1] = qd.volatile_load(x[0] + 1)

    k(qd.ndarray(qd.i32, (2,)))


@case(section="misc", raises=(qd.QuadrantsSyntaxError, "cannot pass a Field directly to 'qd.volatile_load'"))
def volatile_load_of_a_whole_field_error():
    f = qd.field(qd.i32, shape=())

    @qd.kernel
    def k(x: I32_1):
        x[0] = qd.volatile_load(f)

    k(qd.ndarray(qd.i32, (1,)))


@qd.func
def _stamp() -> qd.i64:
    return qd.clock_counter()


def _clock_run():
    """One lane reads the clock before a serial loop whose iterations do growing work and stamp the clock (through a
    qd.func), and after it: ``t[0..9]``, all read by one thread (llvm-cuda's ``%clock64`` is per multiprocessor, so
    reads of different tasks are not ordered). The kernel-scope read is returned; ``t[10]`` holds
    ``(start - start + 1) << 40``, which only an i64 keeps."""

    @qd.kernel
    def k(t: I64_1, w: F32_1) -> qd.i64:
        start = qd.clock_counter()
        for _ in range(1):
            t[0] = qd.clock_counter()
            for j in range(8):
                s = w[j]
                for _m in range(100 * (j + 1)):
                    s = s * 0.999 + 0.5
                w[j] = s
                t[j + 1] = _stamp()
            t[9] = qd.clock_counter()
        t[10] = (start - start + 1) << 40
        return start

    t, w = qd.ndarray(qd.i64, (11,)), qd.ndarray(qd.f32, (8,))
    start = k(t, w)
    return start, t.to_numpy()


# the values are the backend's own ticks (not comparable between backends): the cases compare their properties
@case(section="misc", golden={"type": "int", "dtype": "int64", "i64": 1 << 40, "ordered": True})
def clock_counter_reads_are_ordered_i64():
    start, t = _clock_run()
    return {
        "type": type(start).__name__,
        "dtype": str(t.dtype),
        "i64": int(t[10]),
        "ordered": bool((np.diff(t[:10]) >= 0).all()),  # wgpu: all 0 (no clock in WGSL)
    }


@case(section="misc", requires=("clock",), golden={"ticks": True, "positive": True})
def clock_counter_ticks_between_reads():
    start, t = _clock_run()
    # one read per call and per iteration: none hoisted out of the loop, none merged with another
    return {"ticks": bool((np.diff(t[:10]) > 0).all()), "positive": bool(start > 0 and t[0] > 0)}


@case(section="misc", raises=(AssertionError, "cannot be called in Python-scope"))
def clock_counter_in_python_scope_error():
    qd.clock_counter()


@case(section="misc", raises=(qd.QuadrantsSyntaxError, "must be type annotated"))
def real_func_parameters_must_be_annotated():
    @qd.real_func
    def add(a, b: qd.i32) -> qd.i32:
        return a + b


@case(section="misc", raises=(qd.QuadrantsCompilationError, "return value must be annotated"))
def real_func_returning_a_value_needs_a_return_annotation():
    @qd.real_func
    def add(a: qd.i32, b: qd.i32):
        return a + b

    @qd.kernel
    def k(x: I32_1):
        x[0] = add(30, 2)

    k(qd.ndarray(qd.i32, (1,)))
