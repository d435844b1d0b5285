"""Idioms of programs written for upstream Quadrants (docs/semantics.md §1, §10, §13; docs/language.md): lists stored
into
vector elements, unpacking vectors, comprehensions, ``fill`` inside kernels, struct-for over fields and ndarrays,
``qd.static_print``, ``qd.static_assert`` and ``qd.bit_shr``."""

import dataclasses

import numpy as np

import quadrants as qd
from quadrants_conformance import case

F32_1 = qd.types.NDArray[qd.f32, 1]
I32_1 = qd.types.NDArray[qd.i32, 1]
V2F_0 = qd.types.NDArray[qd.types.vector(2, qd.f32), 0]
V2F_1 = qd.types.NDArray[qd.types.vector(2, qd.f32), 1]


# ------------------------------------------------------------------------------------------ lists as vectors


@case(section="13", golden={"f": [0.5, 0.25], "n": [1.5, 2.5], "b": [[3.0, 3.0], [0.0, 0.0]], "m": [[1, 7], [3, 4]]})
def list_stored_into_a_vector_element():
    f = qd.Vector.field(2, qd.f32, shape=())
    m = qd.Matrix.field(2, 2, qd.i32, shape=())

    @qd.kernel
    def k(n: V2F_0, b: V2F_1):
        f[None] = [0.5, 0.25]
        n[None] = [1.5, 2.5]
        b[0] = 3.0  # a scalar is broadcast to every component
        m[None] = [[1, 2], [3, 4]]
        m[None][0, 1] = 7

    n = qd.Vector.ndarray(2, qd.f32, shape=())
    b = qd.Vector.ndarray(2, qd.f32, shape=(2,))
    k(n, b)
    return {"f": f.to_numpy(), "n": n.to_numpy(), "b": b.to_numpy(), "m": m.to_numpy()}


@case(section="13", golden={"x": [[2.0, 4.0], [2.0, 4.0], [2.0, 4.0], [2.0, 4.0]], "v": [4.0, 6.0, 5.0, 0.0]})
def vector_plus_list_and_atomic_list_update():
    @qd.kernel
    def k(x: V2F_1, v: F32_1):
        for i in range(4):
            x[i] += [1.0, 2.0]
            x[i] += qd.Vector([1.0, 2.0])
        w = qd.Vector([1.0, 2.0]) + [3.0, 4.0]  # noqa: RUF005 (a vector plus a list, not list concatenation)
        v[0] = w[0]
        v[1] = w[1]
        u = qd.Vector([1.0, 2.0])
        u = [5.0, 0.0]  # assigns the local vector (not a rebinding to a Python list)
        v[2] = u[0]
        u = 0.0  # a scalar is broadcast
        v[3] = u[0] + u[1]

    x = qd.Vector.ndarray(2, qd.f32, shape=(4,))
    v = qd.ndarray(qd.f32, shape=(4,))
    k(x, v)
    return {"x": x.to_numpy(), "v": v.to_numpy()}


@case(section="13", golden={"x": [1.5, 2.5, 1, 2, 3]})
def unpacking_a_vector():
    @qd.kernel
    def k(x: F32_1):
        p = qd.Vector([1.5, 2.5])
        u, v = p
        x[0] = u
        x[1] = v
        a, b, c = qd.Vector([1, 2, 3])
        x[2] = a
        x[3] = b
        x[4] = c

    x = qd.ndarray(qd.f32, shape=(5,))
    k(x)
    return {"x": x.to_numpy()}


@case(section="13", raises=(qd.QuadrantsSyntaxError, "The number of targets is not equal to value length"))
def unpacking_a_vector_into_too_few_names_error():
    @qd.kernel
    def k(x: F32_1):
        a, b = qd.Vector([1.0, 2.0, 3.0])
        x[0] = a + b

    k(qd.ndarray(qd.f32, shape=(1,)))


@case(section="13", raises=(qd.QuadrantsCompilationError, "Matrices with more than one columns cannot be unpacked"))
def unpacking_a_matrix_error():
    @qd.kernel
    def k(x: F32_1):
        r0, _r1 = qd.Matrix([[1.0, 2.0], [3.0, 4.0]])
        x[0] = r0[0]

    k(qd.ndarray(qd.f32, shape=(1,)))


@case(section="13", golden={"v": [11, 22], "b": [1, 0, 1, 1, 0, 0], "n": [1, 0]})
def python_operators_and_builtins_on_vectors():
    """``operator.add(a, b)`` is ``a + b`` and ``any(v)``/``all(v)`` are ``v.any()``/``v.all()``, as upstream's
    values overload Python's operators; ``not v`` is a componentwise logical not."""
    import operator

    @qd.kernel
    def k(v: I32_1, b: I32_1, n: I32_1, i: qd.i32):
        w = operator.add(qd.Vector([1, 2]), [10, 20])
        v[0] = w[0]
        v[1] = w[1]
        b[0] = any(qd.Vector([0, i]))
        b[1] = all(qd.Vector([0, i]))
        b[2] = operator.lt(qd.Vector([1, 5]), 3)[0]
        b[3] = operator.neg(qd.Vector([i, 0]))[0] == -1
        b[4] = any(qd.Vector([0, 0]))
        b[5] = operator.eq(qd.Vector([1, 2]), qd.Vector([1, 3]))[1]
        z = not qd.Vector([0, i])
        n[0] = z[0]
        n[1] = z[1]

    v, b, n = (qd.ndarray(qd.i32, shape=(s,)) for s in (2, 6, 2))
    k(v, b, n, 1)
    return {"v": v.to_numpy(), "b": b.to_numpy(), "n": n.to_numpy()}


# ------------------------------------------------------------------------------------------ comprehensions


@case(section="9", golden={"x": [4.0, 6.0, 2.0, 12.0, 6.0, 4.0, 3.0, 12.0]})
def comprehensions_over_compile_time_ranges():
    dim = 2

    @qd.kernel
    def k(x: F32_1, r: qd.types.NDArray[qd.f32, 2]):
        for _ in range(1):
            row = qd.Vector([r[1, k] for k in range(dim)])  # the idiom of the MPM examples
            x[0] = row[0]
            x[1] = row[1]
            m = qd.Matrix([[r[j, k] * 2 for k in range(dim)] for j in range(dim)])
            x[2] = m[0, 0]
            x[3] = m[1, 1]
            odd = [k * 2 for k in range(4) if k % 2 == 1]  # [2, 6]
            x[4] = odd[1]
            d = {k: k * 2 for k in range(3)}
            x[5] = d[2]
            pairs = [a + b for a in range(2) for b in range(2)]  # [0, 1, 1, 2]
            x[6] = pairs[1] + pairs[3]
            x[7] = qd.Vector([c * 2 for c in qd.Vector([1, 2, 3])]).sum()

    x = qd.ndarray(qd.f32, shape=(8,))
    r = qd.ndarray(qd.f32, shape=(2, 2))
    r.from_numpy(np.array([[1.0, 2.0], [4.0, 6.0]], np.float32))
    k(x, r)
    return {"x": x.to_numpy()}


@case(section="9", raises=(qd.QuadrantsTypeError, "'Quadrants Expression' object cannot be interpreted as an integer"))
def comprehension_over_a_run_time_range_error():
    @qd.kernel
    def k(x: F32_1, n: qd.i32):
        values = [j for j in range(n)]  # noqa: C416 (the comprehension is what is checked)
        x[0] = values[0]

    k(qd.ndarray(qd.f32, shape=(1,)), 3)


# ------------------------------------------------------------------------------------------ fill in kernels


@case(
    section="13",
    golden={
        "b": [1, 4, 4],
        "f": [[2.0, 5.0], [2.0, 5.0], [2.0, 5.0]],
        "g": [[7, 7], [7, 7]],
        "z": 9.0,
    },
)
def fill_inside_kernels():
    f = qd.Vector.field(2, qd.f32, shape=(3,))
    g = qd.field(qd.i32, shape=(2, 2))
    z = qd.field(qd.f32, shape=())
    h = qd.field(qd.i32, shape=(3,))

    @qd.kernel
    def k(b: I32_1):
        f.fill([2.0, 5.0])  # at the top level: a parallel loop over the elements
        g.fill(7)
        z.fill(9.0)
        h.fill(4)
        for i in range(3):
            b[i] = h[i]
        b[0] = 1

    b = qd.ndarray(qd.i32, shape=(3,))
    k(b)
    return {"b": b.to_numpy(), "f": f.to_numpy(), "g": g.to_numpy(), "z": z.to_numpy()[()]}


@case(section="13", golden={"h": [4, 4, 4]})
def field_fill_in_a_nested_loop_is_serial():
    h = qd.field(qd.i32, shape=(3,))

    @qd.kernel
    def k():
        for _ in range(1):
            h.fill(4)  # nested: a serial loop (upstream 1.3.3 stops with an internal offload error)

    k()
    return {"h": h.to_numpy()}


@case(section="13", raises=(qd.QuadrantsCompilationError, "'fill'"))
def ndarray_fill_inside_kernels_error():
    @qd.kernel
    def k(a: F32_1):
        a.fill(3)  # an ndarray is filled from Python scope (a.fill(3)) or by a loop

    k(qd.ndarray(qd.f32, shape=(4,)))


@case(section="19", golden={"vel": [[1.0, 2.0], [1.0, 2.0], [1.0, 2.0]], "mass": [0.5, 0.5, 0.5]})
def fill_of_data_oriented_members():
    @qd.data_oriented
    class Particles:
        def __init__(self):
            self.vel = qd.Vector.field(2, qd.f32, shape=(3,))
            self.mass = qd.field(qd.f32, shape=(3,))

        @qd.kernel
        def reset(self):
            self.vel.fill(0)
            self.mass.fill(0.5)
            for i in self.vel:
                self.vel[i] += [1, 2]

    p = Particles()
    p.vel.fill(9.0)
    p.reset()
    return {"vel": p.vel.to_numpy(), "mass": p.mass.to_numpy()}


# ------------------------------------------------------------------------------------------ control flow


@case(section="10", golden={"flips": [0, 1, 0, 1]})
def branch_on_the_determinant_of_a_run_time_matrix():
    M22 = qd.types.NDArray[qd.types.matrix(2, 2, qd.f32), 1]

    @qd.kernel
    def k(m: M22, flips: I32_1):
        for i in m:
            F = m[i]
            if F.determinant() < 0:
                flips[i] = 1

    m = qd.Matrix.ndarray(2, 2, qd.f32, shape=(4,))
    m.from_numpy(np.array([np.eye(2), [[0, 1], [1, 0]], [[2, 1], [1, 2]], [[1, 2], [3, 4]]], dtype=np.float32))
    flips = qd.ndarray(qd.i32, shape=(4,))
    k(m, flips)
    return {"flips": flips.to_numpy()}


@case(
    section="10",
    golden={
        "f": [[0, 1, 2], [10, 11, 12]],
        "v": [[0.0, 1.0], [1.0, 2.0], [2.0, 3.0]],
        "nd": [[[0, 0], [0, 1]], [[1, 0], [1, 1]]],
        "g": [[0, 1, 2], [10, 11, 12]],
    },
)
def struct_for_over_fields_and_ndarrays():
    f = qd.field(qd.i32, shape=(2, 3))
    v = qd.Vector.field(2, qd.f32, shape=(3,))
    g = qd.field(qd.i32, shape=(2, 3))

    @qd.kernel
    def k(nd: qd.types.NDArray[qd.types.vector(2, qd.i32), 2]):
        for i, j in f:
            f[i, j] = i * 10 + j
        for i in v:
            v[i] = [i, i + 1]
        for i, j in nd:
            nd[i, j] = [i, j]
        for I in qd.grouped(g):  # noqa: E741 (upstream's spelling of a grouped index)
            g[I] = I[0] * 10 + I[1]

    nd = qd.Vector.ndarray(2, qd.i32, shape=(2, 2))
    k(nd)
    return {"f": f.to_numpy(), "v": v.to_numpy(), "nd": nd.to_numpy(), "g": g.to_numpy()}


# upstream raises a QuadrantsCompilationError around an IndexError; ours is a QuadrantsIndexError (a compilation
# error and an IndexError both) that points at the loop
@case(section="10", raises=(qd.QuadrantsCompilationError, "Number of struct-for indices does not match loop variable"))
def struct_for_with_the_wrong_number_of_indices_error():
    f = qd.field(qd.i32, shape=(2, 3))

    @qd.kernel
    def k():
        for i in f:
            f[i, 0] = i

    k()


# ------------------------------------------------------------------------------------------ compile-time intrinsics


@case(section="13", stdout="compiling with 3 2.5 <qd.Expr>\n", golden={"x": [2.0]})
def static_print_runs_at_compile_time():
    @qd.kernel
    def k(x: F32_1, a: qd.f32):
        qd.static_print("compiling with", 3, 2.5, a)
        x[0] = a

    x = qd.ndarray(qd.f32, shape=(1,))
    k(x, 2.0)
    k(x, 2.0)  # a second launch does not compile again, so prints nothing
    return {"x": x.to_numpy()}


@case(section="13", golden={"x": [1.0]})
def static_assert_that_holds():
    size = 4

    @qd.kernel
    def k(x: F32_1):
        qd.static_assert(size % 2 == 0, "size must be even")
        qd.static_assert(len(x.shape) == 1)
        x[0] = 1.0

    x = qd.ndarray(qd.f32, shape=(1,))
    k(x)
    return {"x": x.to_numpy()}


@case(section="13", raises=(qd.QuadrantsCompilationError, "size must be even"))
def static_assert_that_fails():
    size = 3

    @qd.kernel
    def k(x: F32_1):
        qd.static_assert(size % 2 == 0, "size must be even")
        x[0] = 1.0

    k(qd.ndarray(qd.f32, shape=(1,)))


@case(section="13", raises=(qd.QuadrantsCompilationError, "'ndim'"))
def ndarray_ndim_inside_kernels_error():
    @qd.kernel
    def k(x: F32_1):
        qd.static_assert(x.ndim == 1)  # in kernels the number of axes is len(x.shape)

    k(qd.ndarray(qd.f32, shape=(1,)))


@case(section="13", raises=(qd.QuadrantsTypeError, "Static assert with non-static condition"))
def static_assert_of_a_run_time_value_error():
    @qd.kernel
    def k(x: F32_1, n: qd.i32):
        qd.static_assert(n > 0)
        x[0] = 1.0

    k(qd.ndarray(qd.f32, shape=(1,)), 1)


@case(section="4.3", golden={"i": [2147483644, 100, -4, 2147483644, 2, 1, 0x7FFFFFFF], "u": [100]})
def bit_shr_is_a_logical_shift():
    @qd.kernel
    def k(i: I32_1, u: qd.types.NDArray[qd.u8, 1], x: qd.i32, y: qd.u8, n: qd.i32):
        i[0] = qd.bit_shr(x, 1)  # zeros shifted in: -8 >>> 1
        i[1] = qd.bit_shr(y, 1)
        i[2] = qd.bit_shr(-8, 1)  # two compile-time ints: Python's >>, as upstream
        v = qd.bit_shr(qd.Vector([x, 8, 4]), qd.Vector([1, 2, 2]))  # per component
        i[3] = v[0]
        i[4] = v[1]
        i[5] = v[2]
        i[6] = qd.bit_shr(x | 7, n)  # -1 >>> 33: a run-time count is taken modulo 32 (docs/semantics.md §20 #11)
        u[0] = qd.bit_shr(y, 1)

    i = qd.ndarray(qd.i32, shape=(7,))
    u = qd.ndarray(qd.u8, shape=(1,))
    k(i, u, -8, 200, 33)
    return {"i": i.to_numpy(), "u": u.to_numpy()}


# ------------------------------------------------------------------------------------------ qd.static on arrays


@dataclasses.dataclass
class _Tables:
    trees: I32_1
    roots: I32_1


@case(section="10", golden={"picked": [[0, 10, 20, 30], [0, 1, 2, 3]]})
def static_picks_one_of_two_ndarray_members():
    """Genesis's level sweep: ``qd.static((info.trees, info.roots)[IS_PER_ROOT])`` picks a struct member by a
    compile-time index; ndarray arguments are global objects that ``qd.static`` passes on, as upstream's."""

    @qd.func
    def read(info: _Tables, per_root: qd.template(), i: qd.i32) -> qd.i32:
        table = qd.static((info.trees, info.roots)[per_root])
        return table[i]

    @qd.kernel
    def k(info: _Tables, out: qd.types.NDArray[qd.i32, 2]):
        for i in range(out.shape[1]):
            out[0, i] = read(info, True, i)
            out[1, i] = read(info, False, i)

    trees = np.arange(4, dtype=np.int32)
    out = np.zeros((2, 4), np.int32)
    k(_Tables(trees, trees * 10), out)
    return {"picked": out}
