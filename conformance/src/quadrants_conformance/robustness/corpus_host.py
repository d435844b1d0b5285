"""Host-side misuse: allocation, the ndarray/field host API, and ``qd.init``."""

from __future__ import annotations

from quadrants_conformance.robustness.program import program

ALLOCATION = [
    ("negative_shape", "qd.ndarray(qd.i32, -3)", "QuadrantsRuntimeError"),
    ("negative_axis", "qd.ndarray(qd.i32, (4, -1))", "QuadrantsRuntimeError"),
    ("float_shape", "qd.ndarray(qd.i32, 2.5)", "QuadrantsRuntimeError"),
    ("string_shape", "qd.ndarray(qd.i32, 'abc')", "QuadrantsRuntimeError"),
    ("string_dtype", "qd.ndarray('float32', 3)", "QuadrantsRuntimeError"),
    ("none_dtype", "qd.ndarray(None, 3)", "QuadrantsRuntimeError"),
    ("list_dtype", "qd.ndarray([1, 2], 3)", "TypeError"),
    ("ndarray_4_tib", "qd.ndarray(qd.f32, (1 << 40,))", "QuadrantsRuntimeError"),
    ("ndarray_16_tib_2d", "qd.ndarray(qd.f32, (1 << 21, 1 << 21))", "QuadrantsRuntimeError"),
    ("field_16_tib", "qd.field(qd.f32, shape=(1 << 42,))", "QuadrantsRuntimeError"),
    ("field_negative_shape", "qd.field(qd.f32, shape=(-2,))", "QuadrantsRuntimeError"),
    ("field_string_dtype", "qd.field('f32', shape=4)", "ValueError"),
    ("nine_dimensions", "qd.ndarray(qd.f32, (1,) * 9)", "QuadrantsRuntimeError"),
    ("vector_ndarray_zero_components", "qd.Vector.ndarray(0, qd.f32, 4)", "QuadrantsRuntimeError"),
]

HOST_API = [
    ("from_numpy_wrong_shape", "a = qd.ndarray(qd.i32, 4)\na.from_numpy(np.zeros(5, np.int32))", "ValueError"),
    ("from_numpy_string_array", "a = qd.ndarray(qd.i32, 2)\na.from_numpy(np.array(['a', 'b']))", "TypeError"),
    ("from_numpy_not_an_array", "a = qd.ndarray(qd.i32, 2)\na.from_numpy('not an array')", "TypeError"),
    ("to_numpy_bad_dtype", "a = qd.ndarray(qd.i32, 2)\na.to_numpy(dtype='no-such-dtype')", "TypeError"),
    ("get_index_out_of_range", "a = qd.ndarray(qd.i32, 4)\na[7]", "IndexError"),
    ("set_index_out_of_range", "a = qd.ndarray(qd.i32, 4)\na[4] = 1", "IndexError"),
    ("index_wrong_arity", "a = qd.ndarray(qd.i32, (2, 2))\na[1]", "QuadrantsIndexError"),
    ("set_string_value", "a = qd.ndarray(qd.i32, 4)\na[0] = 'x'", "TypeError"),
    ("fill_string_value", "a = qd.ndarray(qd.i32, 4)\na.fill('x')", "TypeError"),
    ("copy_from_other_shape", "a = qd.ndarray(qd.i32, 4)\na.copy_from(qd.ndarray(qd.i32, 5))", "AssertionError"),
    ("field_get_out_of_range", "f = qd.field(qd.i32, shape=4)\nf[9]", "IndexError"),
    (
        "field_from_numpy_wrong_shape",
        "f = qd.field(qd.i32, shape=4)\nf.from_numpy(np.zeros(3, np.int32))",
        "ValueError",
    ),
    (
        "ended_session_to_numpy",
        "a = qd.ndarray(qd.i32, 4)\nqd.reset()\nqd.init(arch=ARCH)\na.to_numpy()",
        "QuadrantsRuntimeError",
    ),
    (
        "read_only_numpy_written_by_kernel",
        """
@qd.kernel
def w(x: qd.types.NDArray[qd.i32, 1]):
    for i in range(x.shape[0]):
        x[i] = 7

a = np.zeros(4, np.int32)
a.setflags(write=False)
try:
    w(a)
finally:
    assert (a == 0).all(), "a read-only array was written"
""",
        "ValueError",
    ),
]

INIT = [
    ("unknown_option", "qd.init(arch=ARCH, not_an_option=1)", "KeyError"),
    ("misspelled_option", "qd.init(arch=ARCH, debgu=True)", "KeyError"),
    ("unknown_arch_string", "qd.init(arch='cuda_typo')", "RuntimeError"),
    ("arch_not_an_arch", "qd.init(arch=5)", "TypeError"),
    ("default_fp_not_float", "qd.init(arch=ARCH, default_fp=qd.i32)", "TypeError"),
    ("default_ip_not_int", "qd.init(arch=ARCH, default_ip=qd.f32)", "TypeError"),
    ("misspelled_qd_log", "import os\nos.environ['QD_LOG'] = 'cahce'\nqd.init(arch=ARCH)", "ValueError"),
]

BIG_ARRAY = """
# 2^31 + 8 bytes: an index past 2^31 must address the right element (64-bit indexing)
n = (1 << 31) + 8
try:
    a = qd.ndarray(qd.u8, n)
except (MemoryError, qd.QuadrantsRuntimeError) as exc:
    assert "byte" in str(exc) or "limit" in str(exc) or "memory" in str(exc).lower(), str(exc)
    raise SystemExit(0)  # a backend that cannot hold it says so clearly
assert a.shape[0] == n, a.shape

@qd.kernel
def mark(x: qd.types.NDArray[qd.u8, 1], i: qd.i64):
    x[i] = 7

mark(a, n - 3)
assert a[n - 3] == 7 and a[n - 4] == 0
"""


INDEXING = [
    (f"{kind}_{ndim}d_index_{where}", f"a = {make}\na[{index}]", "IndexError")
    for kind, make_fmt in (("ndarray", "qd.ndarray(qd.f32, {shape})"), ("field", "qd.field(qd.f32, shape={shape})"))
    for ndim, shape in ((1, "(3,)"), (2, "(3, 4)"), (3, "(2, 3, 4)"))
    for where, index in (("past_end", ", ".join(["9"] * ndim)), ("negative", ", ".join(["-9"] * ndim)))
    for make in (make_fmt.format(shape=shape),)
]


def programs() -> list:
    out = [program(f"allocation/{pid}", "allocation", call, error=err) for pid, call, err in ALLOCATION]
    out.append(
        program(
            "allocation/zero_size_is_fine",
            "allocation",
            "a = qd.ndarray(qd.i32, 0)\nassert a.shape == (0,)",
            expect="ok",
        )
    )
    out += [program(f"host/{pid}", "host-api", body, error=err) for pid, body, err in HOST_API]
    out += [program(f"host/{pid}", "host-api", body, error=err) for pid, body, err in INDEXING]
    out += [program(f"init/{pid}", "init", body, error=err, init=False) for pid, body, err in INIT]
    for pid, body in (
        ("init_ref_by_name", "qd.init(arch='ref')"),
        ("init_debug", "qd.init(arch=ARCH, debug=True)"),
        ("init_qd_log_cache", "import os\nos.environ['QD_LOG'] = 'cache'\nqd.init(arch=ARCH)"),
        ("reset_twice", "qd.init(arch=ARCH)\nqd.reset()\nqd.reset()"),
    ):
        out.append(program(f"init/{pid}", "init", body, expect="ok", init=False))
    out.append(
        program(
            "host/fill_and_copy_work",
            "host-api",
            "a = qd.ndarray(qd.i32, 4)\na.fill(3)\n"
            "b = qd.ndarray(qd.i32, 4)\nb.copy_from(a)\nassert (b.to_numpy() == 3).all()",
            expect="ok",
        )
    )
    out.append(
        program("init/init_twice_is_fine", "init", "qd.init(arch=ARCH)\nqd.init(arch=ARCH)", expect="ok", init=False)
    )
    out.append(program("allocation/index_past_2_31", "allocation", BIG_ARRAY, expect="ok", timeout=300))
    return out
