"""docs/misc-functions.md ("Recursion"): a ``@qd.real_func`` that calls itself on run-time values.

A real func specialization that reaches itself (directly, through another real func, or through a second
specialization with other ``qd.template()`` arguments) is compiled as a real function with a call per use; every
lane recurses to its own depth. Scalars, vectors and structs cross the call in both directions; fields and ndarrays
are reached as in any func. Backends without recursion (wgpu: WGSL forbids it) report these cases ``unsupported`` and
raise a ``QuadrantsCompilationError`` at the call (tested in the wgpu package). The goldens were checked against
upstream Quadrants 1.3.3 on ``qd.cpu``.

The module-level real funcs (``tri``, ``fib``, ``is_even`` / ``is_odd``, ``bump``) and the cases are also run by the
packages' recursion tests (quadrants-core, quadrants-llvm on CPU and GPU, quadrants-wgpu), which import them from here
so that every backend is checked on the same programs.
"""

import numpy as np

import quadrants as qd
from quadrants_conformance import case

I32_1 = qd.types.NDArray[qd.i32, 1]


@qd.real_func
def tri(n: qd.i32) -> qd.i32:
    if n == 0:
        return 0
    return tri(n - 1) + n


@qd.real_func
def fib(n: qd.i32) -> qd.i32:
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)


@qd.real_func
def is_even(n: qd.i32) -> qd.i32:
    r = 1
    if n > 0:
        r = is_odd(n - 1)
    return r


@qd.real_func
def is_odd(n: qd.i32) -> qd.i32:
    return 1 - is_even(n)


@qd.real_func
def bump(x: qd.types.ref(qd.i32), n: qd.i32):
    """Adds ``n`` to ``x`` before the recursive call and doubles it after: ``x`` goes down and comes back up."""
    if n > 0:
        x += n
        bump(x, n - 1)
        x *= 2


def _per_lane(value, n: int, dtype=qd.i32):
    """``out[i] = value(i)`` over ``n`` lanes of one parallel loop (each lane recurses to its own depth)."""

    @qd.kernel
    def k(out: qd.types.NDArray[dtype, 1]):
        for i in range(out.shape[0]):
            out[i] = value(i)

    out = qd.ndarray(dtype, (n,))
    k(out)
    return out.to_numpy()


@case(section="7", requires=("recursion",), golden={"r": 4950})
def real_func_recursion_binary_split_sum_of_a_field():
    @qd.real_func
    def total(f: qd.template(), lo: qd.i32, hi: qd.i32) -> qd.i32:
        if lo == hi:
            return f[lo]
        else:
            return total(f, lo, (lo + hi) // 2) + total(f, (lo + hi) // 2 + 1, hi)

    f = qd.field(qd.i32, shape=100)
    f.from_numpy(np.arange(100, dtype=np.int32))

    @qd.kernel
    def k() -> qd.i32:
        return total(f, 0, 99)

    return {"r": k()}


@case(section="7", requires=("recursion",), golden={"r": [5050, 50005000]})
def real_func_recursion_deep():
    @qd.kernel
    def k(n: qd.i32) -> qd.i32:
        return tri(n)

    return {"r": [k(100), k(10_000)]}


_FIB8 = [0, 1, 1, 2, 3, 5, 8, 13]


@case(section="7", requires=("recursion",), golden={"out": [i * (i + 1) // 2 + _FIB8[i % 8] for i in range(64)]})
def real_func_recursion_depth_differs_per_lane():
    @qd.func
    def lane(i):
        return tri(i) + fib(i % 8)

    return {"out": _per_lane(lane, 64)}


@case(section="7", requires=("recursion",), golden={"out": [1, 0, 1, 0, 1, 0, 1, 0, 1, 0]})
def real_func_recursion_mutual():
    return {"out": _per_lane(is_even, 10)}


@case(section="7", requires=("recursion",), golden={"v": [55.0, 10.0], "w": 6.0})
def real_func_recursion_vectors_in_and_out():
    @qd.real_func
    def vsum(n: qd.i32) -> qd.math.vec2:
        r = qd.math.vec2(0.0, 0.0)
        if n > 0:
            r = vsum(n - 1) + qd.math.vec2(n, 1.0)
        return r

    @qd.real_func
    def scaled(v: qd.math.vec2, n: qd.i32) -> qd.f32:
        r = 0.0
        if n > 0:
            r = scaled(v, n - 1) + v[0]
        return r

    @qd.kernel
    def k(n: qd.i32) -> qd.math.vec2:
        return vsum(n)

    @qd.kernel
    def w(n: qd.i32) -> qd.f32:
        return scaled(qd.math.vec2(1.5, 2.0), n)

    return {"v": np.asarray(k(10), np.float32), "w": w(4)}


_Pair = qd.types.struct(a=qd.i32, v=qd.math.vec2)


@case(section="7", requires=("recursion",), golden={"r": [21.0, 6.0, 3.0]})
def real_func_recursion_struct_result():
    @qd.real_func
    def walk(n: qd.i32) -> _Pair:
        r = _Pair(a=0, v=qd.math.vec2(0.0, 0.0))
        if n > 0:
            r = walk(n - 1)
            r.a += n
            r.v += qd.math.vec2(1.0, 0.5)
        return r

    @qd.kernel
    def k(n: qd.i32) -> qd.math.vec3:
        p = walk(n)
        return qd.math.vec3(p.a, p.v[0], p.v[1])

    return {"r": np.asarray(k(6), np.float32)}


@case(section="7", requires=("recursion",), golden={"r": [0.5, 2.0, 18.0]})
def real_func_recursion_struct_parameter():
    """A typed struct passed by value into each level (its members read before the recursive call: upstream 1.3.3
    reads a struct parameter's members as 0 after a recursive call, docs/misc-functions.md)."""

    @qd.real_func
    def grow(p: _Pair, n: qd.i32) -> qd.f32:
        r = p.v[0]
        if n > 0:
            a = p.a
            r = grow(_Pair(a=p.a + 1, v=p.v * 2.0), n - 1) + a
        return r

    @qd.kernel
    def k(n: qd.i32) -> qd.f32:
        return grow(_Pair(a=1, v=qd.math.vec2(0.5, 0.0)), n)

    return {"r": [k(0), k(1), k(4)]}


@case(section="7", requires=("recursion",), golden={"r": [1, 4, 56]})
def real_func_recursion_ref_parameter():
    """A ``qd.types.ref`` parameter passed down the recursion and changed before and after each call (``bump``)."""

    @qd.kernel
    def k(n: qd.i32) -> qd.i32:
        v = 1
        bump(v, n)
        return v

    return {"r": [k(0), k(1), k(3)]}


@case(section="7", requires=("recursion",), golden={"x": [m * 10 for m in range(16)]})
def real_func_recursion_without_a_return_value_writes_a_field():
    x = qd.field(qd.i32, shape=16)

    @qd.real_func
    def fill(lo: qd.i32, hi: qd.i32):
        if lo < hi:
            m = (lo + hi) // 2
            x[m] = m * 10
            fill(lo, m)
            fill(m + 1, hi)

    @qd.kernel
    def k():
        fill(0, 16)

    k()
    return {"x": x.to_numpy()}


@case(
    section="7",
    requires=("recursion",),
    golden={"out": [0, 0, 2, 2, 4, 4, 6, 6], "a": [1, 1, 2, 2, 3, 3, 4, 4], "b": [0, 0, 1, 1, 2, 2, 3, 3]},
)
def real_func_recursion_alternates_template_arguments():
    """``ping(f, g)`` calls ``ping(g, f)``: two specializations that call each other, each writing its own field."""
    a = qd.field(qd.i32, shape=8)
    b = qd.field(qd.i32, shape=8)

    @qd.real_func
    def ping(f: qd.template(), g: qd.template(), i: qd.i32, n: qd.i32) -> qd.i32:
        f[i] += 1
        r = 0
        if n > 0:
            r = ping(g, f, i, n - 1) + 1
        return r

    @qd.kernel
    def k(out: I32_1):
        for i in range(8):
            out[i] = ping(a, b, i, i // 2 * 2)

    out = qd.ndarray(qd.i32, (8,))
    k(out)
    return {"out": out.to_numpy(), "a": a.to_numpy(), "b": b.to_numpy()}


@case(section="7", requires=("recursion",), golden={"out": [0, 1, 7, 2, 5, 8, 16, 3, 19, 6]})
def real_func_recursion_with_loops_and_early_returns():
    @qd.real_func
    def collatz(n: qd.i64, steps: qd.i32) -> qd.i32:
        if n == 1:
            return steps
        m = n
        while True:
            if m % 2 == 0:
                m = m // 2
                break
            m = 3 * m + 1
            return collatz(m, steps + 1)
        return collatz(m, steps + 1)

    @qd.func
    def lane(i):
        return collatz(i + 1, 0)

    return {"out": _per_lane(lane, 10)}


@case(section="7", requires=("recursion",), golden={"out": [0.0, 1.0, 1.0, 2.0, 3.0, 5.0, 8.0, 13.0]})
def real_func_recursion_float_result_converted():
    @qd.real_func
    def ffib(n: qd.i32) -> qd.f32:
        if n < 2:
            return n * 1.0
        return ffib(n - 1) + ffib(n - 2)

    return {"out": _per_lane(ffib, 8, qd.f32)}
