"""Kernel code that the language rejects: unsupported syntax, type errors, misplaced statements."""

from __future__ import annotations

from quadrants_conformance.robustness.program import program

# (id, kernel body lines (indented by 4 inside `def k(x: I32_1)`), expected class: upstream 1.3.3's where it raises one
# deliberately, else ours (docs/robustness.md))
BODIES = [
    ("def_inside_kernel", "def g():\n    return 1", "QuadrantsSyntaxError"),
    ("lambda_in_kernel", "f = lambda v: v\nx[0] = f(1)", "QuadrantsSyntaxError"),
    ("class_in_kernel", "class A:\n    pass", "QuadrantsSyntaxError"),
    ("try_in_kernel", "try:\n    x[0] = 1\nexcept Exception:\n    pass", "QuadrantsSyntaxError"),
    ("with_as_in_kernel", "with open('f') as fh:\n    pass", "QuadrantsSyntaxError"),
    ("global_in_kernel", "global G\nx[0] = 1", "QuadrantsSyntaxError"),
    ("yield_in_kernel", "yield 1", "QuadrantsSyntaxError"),
    ("while_else", "while x[0] < 3:\n    x[0] += 1\nelse:\n    x[0] = 0", "QuadrantsSyntaxError"),
    ("for_else", "for i in range(3):\n    x[i] = 1\nelse:\n    x[0] = 0", "QuadrantsSyntaxError"),
    ("break_in_parallel_loop", "for i in range(x.shape[0]):\n    break", "QuadrantsSyntaxError"),
    ("range_with_step", "for i in range(0, 4, 2):\n    x[i] = 1", "QuadrantsSyntaxError"),
    ("assign_to_argument", "x = 3", "QuadrantsSyntaxError"),
    ("undefined_name", "x[0] = undefined_thing + 1", "QuadrantsNameError"),
    ("name_out_of_scope", "if x[0] > 0:\n    u = 1\nx[1] = u", "QuadrantsNameError"),
    ("assign_loop_variable", "for i in range(3):\n    i = 2", "QuadrantsSyntaxError"),
    ("float_condition", "f = x[0] * 0.5\nif f:\n    x[0] = 1", "QuadrantsTypeError"),
    ("float_bitwise", "x[0] = 1.5 & 2", "QuadrantsTypeError"),
    ("atomic_and_on_float", "v = 1.0\nqd.atomic_and(v, 2.0)", "QuadrantsTypeError"),
    ("static_of_runtime_value", "if qd.static(x[0] > 0):\n    x[0] = 1", "QuadrantsCompilationError"),
    ("string_arithmetic", "x[0] = 'a' + 1", "QuadrantsTypeError"),
    ("return_in_runtime_if", "if x[0] > 0:\n    return", "QuadrantsSyntaxError"),
    ("vector_component_out_of_range", "v = qd.Vector([1, 2, 3])\nx[0] = v[5]", "QuadrantsIndexError"),
    ("vector_truth_value", "v = qd.Vector([1, 2, 3])\nif v:\n    x[0] = 1", "QuadrantsTypeError"),
    ("call_python_function_at_runtime", "x[0] = sorted([x[1], x[2]])[0]", "QuadrantsCompilationError"),
    ("too_many_indices", "x[0, 1] = 2", "QuadrantsIndexError"),
    ("kernel_calls_kernel", "other(x)", "QuadrantsSyntaxError"),
    ("unknown_qd_function", "x[0] = qd.no_such_function(1)", "QuadrantsCompilationError"),
    ("recursive_func_same_args", "x[0] = rec(1)", "QuadrantsSyntaxError"),
]

HEADER = """
I32_1 = qd.types.NDArray[qd.i32, 1]

@qd.kernel
def other(x: I32_1):
    x[0] = 1

@qd.func
def rec(n):
    return rec(n)
"""


def _kernel(body: str) -> str:
    inner = "\n".join("    " + line for line in body.splitlines())
    return HEADER + f"\n@qd.kernel\ndef k(x: I32_1):\n{inner}\n\nk(qd.ndarray(qd.i32, 4))\n"


RETURNS = [
    ("return_without_annotation", "@qd.kernel\ndef k() :\n    return 1\nk()", "QuadrantsSyntaxError"),
    ("annotation_without_return", "@qd.kernel\ndef k() -> qd.i32:\n    pass\nk()", "QuadrantsSyntaxError"),
    (
        "return_ndarray_annotation",
        "@qd.kernel\ndef k(x: qd.types.NDArray[qd.i32, 1]) -> qd.types.NDArray[qd.i32, 1]:\n    return x\n"
        "k(qd.ndarray(qd.i32, 2))",
        "QuadrantsCompilationError",
    ),
    (
        "wrong_return_count",
        "@qd.kernel\ndef k() -> tuple[qd.i32, qd.i32]:\n    return 1\nk()",
        "QuadrantsCompilationError",
    ),
    (
        "kernel_method_without_data_oriented",
        "class P:\n    @qd.kernel\n    def k(self):\n        pass\nP().k()",
        "QuadrantsSyntaxError",
    ),
    ("checkpoints_without_graph", "@qd.kernel(checkpoints=True)\ndef k():\n    pass", "QuadrantsSyntaxError"),
]


def _in_func(body: str) -> str:
    """The same misuse one call deeper: inside a @qd.func that the kernel calls (the error names the func's line)."""
    inner = "\n".join("    " + line for line in body.splitlines())
    return (
        HEADER
        + f"\n@qd.func\ndef g(x: qd.template()):\n{inner}\n\n"  # upstream passes an ndarray to a template param
        + "@qd.kernel\ndef k(x: I32_1):\n    g(x)\n\nk(qd.ndarray(qd.i32, 4))\n"
    )


# misuses that mean the same inside a func (a func may return under a runtime if in neither; it may assign params)
IN_FUNC = {pid for pid, _, _ in BODIES} - {"assign_to_argument", "kernel_calls_kernel", "break_in_parallel_loop"}


def programs() -> list:
    out = [program(f"language/{pid}", "language", _kernel(body), error=err) for pid, body, err in BODIES]
    out += [
        program(f"language/in_func/{pid}", "language", _in_func(body), error=err)
        for pid, body, err in BODIES
        if pid in IN_FUNC
    ]
    out += [program(f"language/{pid}", "language", src, error=err) for pid, src, err in RETURNS]
    return out
