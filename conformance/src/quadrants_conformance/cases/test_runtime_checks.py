"""docs/semantics.md §15: run-time checks under qd.init(debug=True) (every backend)."""

import os

import quadrants as qd
from quadrants_conformance import case

I32_1 = qd.types.NDArray[qd.i32, 1]
I32_2 = qd.types.NDArray[qd.i32, 2]
U32_1 = qd.types.NDArray[qd.u32, 1]


def _line_of(marker: str) -> int:
    """1-based line number of the source line that ends with the comment ``# <marker>``."""
    with open(__file__, encoding="utf-8") as f:
        for n, line in enumerate(f, start=1):
            if line.rstrip().endswith("# " + marker):
                return n
    raise LookupError(marker)


def _check(fn, marker):
    """Run ``fn`` expecting a QuadrantsRuntimeError; report what its message names."""
    try:
        fn()
    except qd.QuadrantsRuntimeError as e:
        msg = str(e)
        return {
            "raised": True,
            "file": os.path.basename(__file__) in msg,
            "line": f"line {_line_of(marker)}" in msg,
            "msg": msg,
        }
    return {"raised": False, "file": False, "line": False, "msg": ""}


# -------------------------------------------------------------------------------------------------- bounds


@case(section="15", debug=True, golden={"raised": True, "index": True, "shape": True, "file": True, "line": True})
def out_of_bounds_store_names_index_shape_and_line():
    @qd.kernel
    def k(x: I32_1, i: qd.i32):
        x[i] = 1  # MARK-15-OOB-STORE

    x = qd.ndarray(qd.i32, shape=(7,))
    r = _check(lambda: k(x, 1234), "MARK-15-OOB-STORE")
    return {
        "raised": r["raised"],
        "index": "1234" in r["msg"],
        "shape": "7" in r["msg"],
        "file": r["file"],
        "line": r["line"],
    }


@case(section="15", debug=True, golden={"raised": True, "index": True, "line": True})
def out_of_bounds_load_raises():
    @qd.kernel
    def k(x: I32_1, y: I32_1, i: qd.i32):
        y[0] = x[i]  # MARK-15-OOB-LOAD

    x = qd.ndarray(qd.i32, shape=(3,))
    y = qd.ndarray(qd.i32, shape=(1,))
    r = _check(lambda: k(x, y, 555), "MARK-15-OOB-LOAD")
    return {"raised": r["raised"], "index": "555" in r["msg"], "line": r["line"]}


@case(section="15", debug=True, golden={"n": [16]})
def unused_reads_are_not_performed_so_not_checked():
    # a value nothing reads is never computed, the ndarray reads feeding it included (as upstream, also under debug):
    # x[i + 1] past the end is no error here
    @qd.kernel
    def k(x: I32_1, n: I32_1):
        m = x.shape[0]
        for i, j in qd.ndrange(m, m):
            unused = qd.math.ivec4(x[i], x[i + 1], x[j], x[j + 1])  # noqa: F841
        n[0] = m

    n = qd.ndarray(qd.i32, shape=(1,))
    k(qd.ndarray(qd.i32, shape=(16,)), n)
    return {"n": n.to_numpy()}


@case(section="15", debug=True, raises=(qd.QuadrantsAssertionError, "Out of bound access"))
def out_of_bounds_is_upstreams_assertion_error():
    @qd.kernel
    def k(x: I32_2, i: qd.i32, j: qd.i32) -> qd.i32:
        return x[i, j]

    k(qd.ndarray(qd.i32, shape=(3, 4)), 1, 5)


@case(section="15", debug=True, raises=(qd.QuadrantsAssertionError, "Out of bound access"))
def runtime_component_index_past_a_local_vector_under_debug():
    @qd.kernel
    def k(i: qd.i32) -> qd.i32:
        v = qd.Vector([1, 2])
        v[i] = 42
        return v[0]

    k(2)


@case(section="15", debug=True, raises=(qd.QuadrantsAssertionError, "Out of bound access"))
def runtime_component_index_past_a_matrix_element_under_debug():
    @qd.kernel
    def k(x: qd.types.NDArray[qd.math.mat2, 1], r: qd.i32, c: qd.i32) -> qd.f32:
        return x[0][r, c]

    k(qd.ndarray(qd.math.mat2, shape=(2,)), -1, 0)


@case(section="15", debug=True, golden={"r": 4.0})
def runtime_component_index_inside_the_shape_under_debug():
    @qd.kernel
    def k(x: qd.types.NDArray[qd.math.mat2, 1], r: qd.i32, c: qd.i32) -> qd.f32:
        m = qd.Matrix([[1.0, 2.0], [3.0, 4.0]])
        return m[r, c] + x[0][r, c]

    return {"r": k(qd.ndarray(qd.math.mat2, shape=(2,)), 1, 1)}


@case(section="15", debug=True, raises=(qd.QuadrantsRuntimeError, ""))
def negative_index_raises_no_wraparound():
    @qd.kernel
    def k(x: I32_1, i: qd.i32):
        x[i] = 1

    k(qd.ndarray(qd.i32, shape=(4,)), -1)


@case(section="15", debug=True, golden={"raised": True, "index": True, "line": True})
def out_of_bounds_2d_second_axis():
    @qd.kernel
    def k(x: I32_2, i: qd.i32, j: qd.i32):
        x[i, j] = 1  # MARK-15-OOB-2D

    x = qd.ndarray(qd.i32, shape=(2, 3))
    r = _check(lambda: k(x, 1, 987), "MARK-15-OOB-2D")
    return {"raised": r["raised"], "index": "987" in r["msg"], "line": r["line"]}


@case(section="15", debug=True, raises=(qd.QuadrantsRuntimeError, ""))
def out_of_bounds_in_parallel_loop():
    @qd.kernel
    def k(x: I32_1):
        for i in range(8):
            x[i] = i

    k(qd.ndarray(qd.i32, shape=(4,)))


@case(section="15", debug=True, golden={"raised": True, "line": True})
def out_of_bounds_inside_func():
    @qd.func
    def put(x: I32_1, i):
        x[i] = 1  # MARK-15-OOB-FUNC

    @qd.kernel
    def k(x: I32_1, i: qd.i32):
        put(x, i)

    x = qd.ndarray(qd.i32, shape=(2,))
    r = _check(lambda: k(x, 2), "MARK-15-OOB-FUNC")
    return {"raised": r["raised"], "line": r["line"]}


@case(section="15", debug=True, golden={"x": [0, 1, 2, 3]})
def in_bounds_program_runs_normally_under_debug():
    @qd.kernel
    def k(x: I32_1):
        for i in range(x.shape[0]):
            x[i] = i // 1 + i % 7 - i % 7

    x = qd.ndarray(qd.i32, shape=(4,))
    k(x)
    return {"x": x.to_numpy()}


# -------------------------------------------------------------------------------------- division by zero


@case(section="15", debug=True, golden={"raised": True, "file": True, "line": True})
def floordiv_by_zero_raises_under_debug():
    @qd.kernel
    def k(x: I32_1, a: qd.i32, z: qd.i32):
        x[0] = a // z  # MARK-15-DIV

    r = _check(lambda: k(qd.ndarray(qd.i32, shape=(1,)), 7, 0), "MARK-15-DIV")
    return {"raised": r["raised"], "file": r["file"], "line": r["line"]}


@case(section="15", debug=True, golden={"raised": True, "line": True})
def mod_by_zero_raises_under_debug():
    @qd.kernel
    def k(x: I32_1, a: qd.i32, z: qd.i32):
        x[0] = a % z  # MARK-15-MOD

    r = _check(lambda: k(qd.ndarray(qd.i32, shape=(1,)), 7, 0), "MARK-15-MOD")
    return {"raised": r["raised"], "line": r["line"]}


@case(section="15", debug=True, golden={"raised": True, "line": True})
def raw_div_by_zero_raises_under_debug():
    @qd.kernel
    def k(x: I32_1, a: qd.i32, z: qd.i32):
        x[0] = qd.raw_div(a, z)  # MARK-15-RAWDIV

    r = _check(lambda: k(qd.ndarray(qd.i32, shape=(1,)), 7, 0), "MARK-15-RAWDIV")
    return {"raised": r["raised"], "line": r["line"]}


@case(section="15", debug=True, golden={"raised": True, "line": True})
def raw_mod_by_zero_raises_under_debug():
    @qd.kernel
    def k(x: I32_1, a: qd.i32, z: qd.i32):
        x[0] = qd.raw_mod(a, z)  # MARK-15-RAWMOD

    r = _check(lambda: k(qd.ndarray(qd.i32, shape=(1,)), 7, 0), "MARK-15-RAWMOD")
    return {"raised": r["raised"], "line": r["line"]}


@case(section="15", debug=True, raises=(qd.QuadrantsRuntimeError, ""))
def unsigned_division_by_zero_raises_under_debug():
    @qd.kernel
    def k(x: U32_1, a: qd.u32, z: qd.u32):
        x[0] = a // z

    k(qd.ndarray(qd.u32, shape=(1,)), 7, 0)


@case(section="15", debug=True, raises=(qd.QuadrantsRuntimeError, ""))
def division_by_zero_in_parallel_loop_raises_under_debug():
    @qd.kernel
    def k(x: I32_1):
        for i in range(4):
            x[i] = 12 // (i - 2)

    k(qd.ndarray(qd.i32, shape=(4,)))


@case(section="15", golden={"x": [0, 0, 0, 0]})
def division_by_zero_is_zero_in_release():
    @qd.kernel
    def k(x: I32_1, a: qd.i32, z: qd.i32):
        x[0] = a // z
        x[1] = a % z
        x[2] = qd.raw_div(a, z)
        x[3] = qd.raw_mod(a, z)

    x = qd.ndarray(qd.i32, shape=(4,))
    x.fill(5)
    k(x, 7, 0)
    return {"x": x.to_numpy()}
