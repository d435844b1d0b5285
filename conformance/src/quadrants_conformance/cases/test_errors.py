"""docs/semantics.md §2 (error hierarchy, diagnostics) and the operator type errors of §4.2."""

import os

import quadrants as qd
from quadrants_conformance import case

I32_1 = qd.types.NDArray[qd.i32, 1]
F32_1 = qd.types.NDArray[qd.f32, 1]


def _line_of(marker: str) -> int:
    """1-based line number of the source line that ends with the comment ``# <marker>``."""
    with open(__file__, encoding="utf-8") as f:
        for n, line in enumerate(f, start=1):
            if line.rstrip().endswith("# " + marker):
                return n
    raise LookupError(marker)


# ------------------------------------------------------------------------------------------------ §2 hierarchy


@case(
    section="2",
    golden={
        "compilation": True,
        "syntax": True,
        "name": True,
        "index": True,
        "type": True,
        "runtime": True,
        "assertion": True,
        "runtime_type": True,
        "warning": True,
    },
)
def error_class_hierarchy():
    def bases_ok(cls, *bases):
        return all(issubclass(cls, b) for b in bases)

    return {
        "compilation": bases_ok(qd.QuadrantsCompilationError, Exception)
        and not issubclass(qd.QuadrantsCompilationError, RuntimeError),
        "syntax": bases_ok(qd.QuadrantsSyntaxError, qd.QuadrantsCompilationError, SyntaxError),
        "name": bases_ok(qd.QuadrantsNameError, qd.QuadrantsCompilationError, NameError),
        "index": bases_ok(qd.QuadrantsIndexError, qd.QuadrantsCompilationError, IndexError),
        "type": bases_ok(qd.QuadrantsTypeError, qd.QuadrantsCompilationError, TypeError),
        "runtime": bases_ok(qd.QuadrantsRuntimeError, RuntimeError)
        and not issubclass(qd.QuadrantsRuntimeError, qd.QuadrantsCompilationError),
        "assertion": bases_ok(qd.QuadrantsAssertionError, qd.QuadrantsRuntimeError, AssertionError),
        "runtime_type": bases_ok(qd.QuadrantsRuntimeTypeError, qd.QuadrantsRuntimeError, TypeError),
        "warning": bases_ok(qd.QuadrantsWarning, UserWarning),
    }


@case(section="2", golden={"file": True, "line": True, "compilation_error": True, "message": True})
def compile_error_names_file_and_line():
    @qd.kernel
    def k(x: F32_1):
        x[0] = x[0] & 1  # MARK-2-AND-ON-FLOAT

    msg, is_comp = "", False
    try:
        k(qd.ndarray(qd.f32, shape=(1,)))
    except qd.QuadrantsCompilationError as e:
        msg, is_comp = str(e), True
    line = _line_of("MARK-2-AND-ON-FLOAT")
    return {
        "file": os.path.basename(__file__) in msg,
        "line": f"line {line}" in msg,
        "compilation_error": is_comp,
        "message": "unsupported operand type(s) for '&'" in msg,
    }


@case(section="2", golden={"raised": 2, "file_line_each_time": True})
def failed_compilation_caches_nothing():
    @qd.kernel
    def k(x: I32_1):
        x[0] = undefined_name_for_2_caching  # noqa: F821  # MARK-2-CACHE

    x = qd.ndarray(qd.i32, shape=(1,))
    raised, located = 0, True
    line = _line_of("MARK-2-CACHE")
    for _ in range(2):
        try:
            k(x)
        except qd.QuadrantsNameError as e:
            raised += 1
            located = located and f"line {line}" in str(e)
    return {"raised": raised, "file_line_each_time": located}


@case(section="2", golden={"warnings": 1, "text": True, "x": [2, 2, 2, 2]})
def precision_warning_once_per_site():
    import warnings

    @qd.kernel
    def k(x: I32_1, f: qd.f32):
        for i in range(4):
            x[i] = f

    x = qd.ndarray(qd.i32, shape=(4,))
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        k(x, 2.5)
        k(x, 2.75)  # same specialization: no second compilation, no second warning
    msgs = [str(w.message) for w in rec if issubclass(w.category, qd.QuadrantsWarning)]
    return {
        "warnings": len(msgs),
        "text": bool(msgs) and "Assign may lose precision: i32 <- f32" in msgs[0],
        "x": x.to_numpy(),
    }


# ---------------------------------------------------------------------------------------- §4.2 operator errors


@case(section="4.2", raises=(qd.QuadrantsTypeError, "unsupported operand type(s) for '&'"))
def bitand_on_float_error():
    @qd.kernel
    def k(x: F32_1, a: qd.f32):
        x[0] = a & 3

    k(qd.ndarray(qd.f32, shape=(1,)), 1.0)


@case(section="4.2", raises=(qd.QuadrantsTypeError, "unsupported operand type(s) for '|'"))
def bitor_on_float_error():
    @qd.kernel
    def k(x: F32_1, a: qd.f32, b: qd.i32):
        x[0] = b | a

    k(qd.ndarray(qd.f32, shape=(1,)), 1.0, 2)


@case(section="4.2", raises=(qd.QuadrantsTypeError, "unsupported operand type(s) for '<<'"))
def shift_on_float_error():
    @qd.kernel
    def k(x: F32_1, a: qd.f32):
        x[0] = a << 1

    k(qd.ndarray(qd.f32, shape=(1,)), 1.0)


@case(section="4.2", raises=(qd.QuadrantsTypeError, "unsupported operand type(s) for '&&'"))
def logical_and_on_float_error():
    @qd.kernel
    def k(x: F32_1, a: qd.f32, b: qd.i32):
        x[0] = b and a

    k(qd.ndarray(qd.f32, shape=(1,)), 1.0, 1)


@case(section="4.2", raises=(qd.QuadrantsTypeError, "unsupported operand type(s) for '||'"))
def logical_or_on_float_error():
    @qd.kernel
    def k(x: F32_1, a: qd.f32, b: qd.i32):
        x[0] = a or b

    k(qd.ndarray(qd.f32, shape=(1,)), 1.0, 1)


@case(section="4.2", raises=(qd.QuadrantsTypeError, "'logic_not' takes integral inputs only"))
def logical_not_on_float_error():
    @qd.kernel
    def k(x: I32_1, a: qd.f32):
        x[0] = not a

    k(qd.ndarray(qd.i32, shape=(1,)), 1.0)


@case(section="4.2", raises=(qd.QuadrantsTypeError, "'bit_not' takes integral inputs only"))
def bit_not_on_float_error():
    @qd.kernel
    def k(x: F32_1, a: qd.f32):
        x[0] = ~a

    k(qd.ndarray(qd.f32, shape=(1,)), 1.0)


@case(section="4.2", raises=(qd.QuadrantsSyntaxError, 'Operator "is" in Quadrants scope is not supported'))
def is_operator_error():
    @qd.kernel
    def k(x: I32_1, a: qd.i32):
        x[0] = a is a

    k(qd.ndarray(qd.i32, shape=(1,)), 3)


@case(section="4.2", raises=(qd.QuadrantsSyntaxError, 'Operator "is not" in Quadrants scope is not supported'))
def is_not_operator_error():
    @qd.kernel
    def k(x: I32_1, a: qd.i32):
        x[0] = a is not a

    k(qd.ndarray(qd.i32, shape=(1,)), 3)


@case(section="4.2", raises=(qd.QuadrantsSyntaxError, '"In" is only supported inside'))
def in_operator_error():
    @qd.kernel
    def k(x: I32_1, a: qd.i32):
        x[0] = a in (1, 2, 3)

    k(qd.ndarray(qd.i32, shape=(1,)), 3)


@case(section="4.2", golden={"x": [1, 1, 0, 1], "y": [2, 1, 0, 1]})
def is_and_in_allowed_inside_static():
    @qd.kernel
    def k(x: I32_1, opt: qd.template()):
        if qd.static(opt is None):  # `is` compares a template parameter with None
            x[0] = 1
        if qd.static(None is not opt):
            x[0] = 2
        if qd.static(3 in (1, 2, 3)):
            x[1] = 1
        if qd.static(4 in (1, 2, 3)):
            x[2] = 1
        if qd.static(4 not in (1, 2, 3)):
            x[3] = 1

    x = qd.ndarray(qd.i32, shape=(4,))
    k(x, None)
    y = qd.ndarray(qd.i32, shape=(4,))
    k(y, 5)
    return {"x": x.to_numpy(), "y": y.to_numpy()}


@case(section="4.2", raises=(qd.QuadrantsSyntaxError, 'Operator "is" inside `qd.static` compares a direct kernel'))
def is_inside_static_of_two_constants_error():
    @qd.kernel
    def k(x: I32_1):
        if qd.static(None is None):  # only `template parameter is None` is allowed; compare values with ==
            x[0] = 1

    k(qd.ndarray(qd.i32, shape=(1,)))


@case(section="4.2", raises=(qd.QuadrantsSyntaxError, 'Operator "is not" inside `qd.static` compares a direct'))
def is_not_inside_static_on_a_scalar_parameter_error():
    @qd.kernel
    def k(x: I32_1, n: qd.i32):
        if qd.static(n is not None):
            x[0] = 1

    k(qd.ndarray(qd.i32, shape=(1,)), 1)


@case(section="4.2", raises=(qd.QuadrantsTypeError, ""))
def float_if_condition_error():
    @qd.kernel
    def k(x: I32_1, a: qd.f32):
        if a:
            x[0] = 1

    k(qd.ndarray(qd.i32, shape=(1,)), 1.0)


@case(section="4.2", raises=(qd.QuadrantsTypeError, ""))
def float_while_condition_error():
    @qd.kernel
    def k(x: I32_1, a: qd.f32):
        v = a
        while v:
            v = v - 1.0
        x[0] = 1

    k(qd.ndarray(qd.i32, shape=(1,)), 1.0)


@case(section="4.2", raises=(qd.QuadrantsTypeError, ""))
def float_ternary_condition_error():
    @qd.kernel
    def k(x: I32_1, a: qd.f32):
        x[0] = 1 if a else 2

    k(qd.ndarray(qd.i32, shape=(1,)), 1.0)


@case(section="4.2", raises=(qd.QuadrantsTypeError, ""))
def float_select_condition_error():
    @qd.kernel
    def k(x: I32_1, a: qd.f32):
        x[0] = qd.select(a, 1, 2)

    k(qd.ndarray(qd.i32, shape=(1,)), 1.0)


@case(section="4.2", raises=(qd.QuadrantsTypeError, "unsupported operand type(s) for '>>'"))
def right_shift_on_float_error():
    @qd.kernel
    def k(x: I32_1, a: qd.f32, n: qd.i32):
        x[0] = n >> a

    k(qd.ndarray(qd.i32, shape=(1,)), 1.0, 4)


@case(section="4.2", raises=(qd.QuadrantsTypeError, "unsupported operand type(s) for '^'"))
def bitxor_on_float_error():
    @qd.kernel
    def k(x: F32_1, a: qd.f32):
        x[0] = a ^ a

    k(qd.ndarray(qd.f32, shape=(1,)), 1.0)


@case(section="4.2", raises=(qd.QuadrantsTypeError, "unsupported operand type"))
def vector_times_a_whole_field_error():
    f = qd.field(qd.i32, shape=())

    @qd.kernel
    def k(x: F32_1):
        a = qd.Vector([1, 1, 1])
        b = a * f
        x[0] = b[0]

    k(qd.ndarray(qd.f32, shape=(1,)))
