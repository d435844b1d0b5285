"""SEMANTICS.md §16.2 and §17.8: compile-time and call-time errors of do_while, checkpoints and ``kernel.resume``.

Every compile error must be raised at the user's line: the kernel call goes through :func:`_at`, which checks that the
error names the line of this file that ends with the comment ``# <marker>`` (the offending statement) and re-raises
it, so the case's ``raises`` declaration checks the class and the message fragment. A wrong line turns into an
``AssertionError``, which the case does not declare, so the case fails and says why.
"""

import enum
import re

import quadrants as qd
from quadrants_conformance import case

I1 = qd.types.NDArray[qd.i32, 1]
I0 = qd.types.NDArray[qd.i32, 0]
F0 = qd.types.NDArray[qd.f32, 0]
U0 = qd.types.NDArray[qd.u32, 0]


class Stage(enum.IntEnum):
    A = 5
    B = 6


class Twin(enum.IntEnum):
    X = 5


FLOAT_LABEL = 1.5
STR_LABEL = "load"


def _i0(value: int = 0):
    a = qd.ndarray(qd.i32, shape=())
    a[()] = value
    return a


def _i1(n: int = 2):
    return qd.ndarray(qd.i32, shape=(n,))


def _line_of(marker: str) -> int:
    """1-based line number of the line of this file that ends with the comment ``# <marker>``."""
    with open(__file__, encoding="utf-8") as f:
        for n, line in enumerate(f, start=1):
            if line.rstrip().endswith("# " + marker):
                return n
    raise LookupError(marker)


def _at(marker, fn, *args, extra: tuple = (), **kwargs):
    """Call ``fn``; a compile error it raises must name the marked line (and contain ``extra``); re-raise it.

    ``marker`` is one marker or a tuple of markers, any of whose lines is accepted (for an error about a whole
    kernel, SEMANTICS does not say whether the decorator line or the ``def`` line is "the user's line").
    """
    markers = (marker,) if isinstance(marker, str) else tuple(marker)
    try:
        return fn(*args, **kwargs)
    except qd.QuadrantsCompilationError as exc:
        lines, text = [_line_of(m) for m in markers], str(exc)
        if not any(re.search(rf"\bline {line}\b", text) for line in lines):
            raise AssertionError(f"the compile error does not point at line(s) {lines} {markers}: {text!r}") from exc
        missing = [e for e in extra if e not in text]
        if missing:
            raise AssertionError(f"the compile error lacks {missing}: {text!r}") from exc
        raise


# ------------------------------------------------------------------------------------------ §16.2 placement


@case(section="16.2", raises=(qd.QuadrantsSyntaxError, "qd.graph.do_while() requires @qd.kernel(graph=True)"))
def do_while_without_graph_true():
    @qd.kernel
    def k(x: I1, c: I0):
        while qd.graph.do_while(c):  # DW-NO-GRAPH
            x[0] += 1

    _at("DW-NO-GRAPH", k, _i1(), _i0())


_IN_LOOP = "must be at the kernel top level or directly nested inside another qd.graph.do_while()"


@case(section="16.2", raises=(qd.QuadrantsSyntaxError, _IN_LOOP))
def do_while_inside_top_level_for():
    @qd.kernel(graph=True)
    def k(x: I1, c: I0):
        for _ in range(1):
            while qd.graph.do_while(c):  # DW-IN-FOR
                x[0] += 1

    _at("DW-IN-FOR", k, _i1(), _i0())


@case(section="16.2", raises=(qd.QuadrantsSyntaxError, _IN_LOOP))
def do_while_inside_for_in_do_while_body():
    @qd.kernel(graph=True)
    def k(x: I1, a: I0, b: I0):
        while qd.graph.do_while(a):
            for _ in range(1):
                while qd.graph.do_while(b):  # DW-IN-FOR-IN-BODY
                    x[0] += 1

    _at("DW-IN-FOR-IN-BODY", k, _i1(), _i0(), _i0())


@case(section="16.2", raises=(qd.QuadrantsSyntaxError, _IN_LOOP))
def do_while_inside_loop_of_a_func():
    @qd.func
    def f(x: I1, c: I0):
        for _ in range(1):
            while qd.graph.do_while(c):  # DW-IN-FUNC-FOR
                x[0] += 1

    @qd.kernel(graph=True)
    def k(x: I1, c: I0):
        f(x, c)

    _at("DW-IN-FUNC-FOR", k, _i1(), _i0())


@case(section="16.2", raises=(qd.QuadrantsSyntaxError, _IN_LOOP))
def do_while_inside_func_called_in_a_loop():
    @qd.func
    def f(x: I1, c: I0):
        while qd.graph.do_while(c):  # DW-FUNC-CALLED-IN-FOR
            x[0] += 1

    @qd.kernel(graph=True)
    def k(x: I1, c: I0):
        for _ in range(1):
            f(x, c)

    _at("DW-FUNC-CALLED-IN-FOR", k, _i1(), _i0())


_UNDER_IF = "qd.graph.do_while() cannot appear under a runtime if"


@case(section="16.2", raises=(qd.QuadrantsSyntaxError, _UNDER_IF))
def do_while_under_runtime_if():
    @qd.kernel(graph=True)
    def k(x: I1, c: I0, n: qd.i32):
        if n > 0:
            while qd.graph.do_while(c):  # DW-UNDER-IF
                x[0] += 1

    _at("DW-UNDER-IF", k, _i1(), _i0(), 1)


@case(section="16.2", raises=(qd.QuadrantsSyntaxError, _UNDER_IF))
def do_while_under_runtime_if_in_do_while_body():
    @qd.kernel(graph=True)
    def k(x: I1, a: I0, b: I0):
        while qd.graph.do_while(a):
            if a[()] > 0:
                while qd.graph.do_while(b):  # DW-UNDER-IF-IN-BODY
                    x[0] += 1

    _at("DW-UNDER-IF-IN-BODY", k, _i1(), _i0(), _i0())


@case(section="16.2", raises=(qd.QuadrantsSyntaxError, _UNDER_IF))
def do_while_in_func_called_under_runtime_if():
    @qd.func
    def f(x: I1, c: I0):
        while qd.graph.do_while(c):  # DW-FUNC-UNDER-IF
            x[0] += 1

    @qd.kernel(graph=True)
    def k(x: I1, c: I0, n: qd.i32):
        if n > 0:
            f(x, c)

    _at("DW-FUNC-UNDER-IF", k, _i1(), _i0(), 1)


@case(section="16.2", raises=(qd.QuadrantsSyntaxError, _UNDER_IF))
def do_while_under_runtime_else():
    @qd.kernel(graph=True)
    def k(x: I1, c: I0, n: qd.i32):
        if n > 0:
            x[0] += 1
        else:
            while qd.graph.do_while(c):  # DW-UNDER-ELSE
                x[0] += 1

    _at("DW-UNDER-ELSE", k, _i1(), _i0(), 1)


# ------------------------------------------------------------------------------------------ §16.2 the condition

_NOT_NAME = "qd.graph.do_while() argument must be an ndarray parameter name or attribute chain"


@case(section="16.2", raises=(qd.QuadrantsSyntaxError, _NOT_NAME))
def do_while_condition_subscript():
    @qd.kernel(graph=True)
    def k(x: I1, c: I0):
        while qd.graph.do_while(c[()]):  # DW-SUBSCRIPT
            x[0] += 1

    _at("DW-SUBSCRIPT", k, _i1(), _i0())


@case(section="16.2", raises=(qd.QuadrantsSyntaxError, _NOT_NAME))
def do_while_condition_expression():
    @qd.kernel(graph=True)
    def k(x: I1, c: I0):
        while qd.graph.do_while(c[()] > 0):  # DW-EXPR
            x[0] += 1

    _at("DW-EXPR", k, _i1(), _i0())


@case(section="16.2", raises=(qd.QuadrantsSyntaxError, _NOT_NAME))
def do_while_condition_call():
    @qd.func
    def pick(c: I0):
        return c

    @qd.kernel(graph=True)
    def k(x: I1, c: I0):
        while qd.graph.do_while(pick(c)):  # DW-CALL
            x[0] += 1

    _at("DW-CALL", k, _i1(), _i0())


@case(section="16.2", raises=(qd.QuadrantsSyntaxError, "got 'c' which does not resolve to an ndarray kernel parameter"))
def do_while_condition_missing_name():
    @qd.kernel(graph=True)
    def k(x: I1, cnt: I0):
        while qd.graph.do_while(c):  # noqa: F821  # DW-MISSING
            x[0] += 1

    _at("DW-MISSING", k, _i1(), _i0())


@case(section="16.2", raises=(qd.QuadrantsSyntaxError, "got 'c' which does not resolve to an ndarray kernel parameter"))
def do_while_condition_scalar_parameter():
    @qd.kernel(graph=True)
    def k(x: I1, c: qd.i32):
        while qd.graph.do_while(c):  # DW-SCALAR
            x[0] += 1

    _at("DW-SCALAR", k, _i1(), 1)


@case(section="16.2", raises=(qd.QuadrantsSyntaxError, "must be a 0-d i32 ndarray"))
def do_while_condition_one_dimensional():
    @qd.kernel(graph=True)
    def k(x: I1, c: I1):
        while qd.graph.do_while(c):  # DW-1D
            x[0] += 1

    _at("DW-1D", k, _i1(), _i1(1))


@case(section="16.2", raises=(qd.QuadrantsSyntaxError, "must be a 0-d i32 ndarray"))
def do_while_condition_f32():
    @qd.kernel(graph=True)
    def k(x: I1, c: F0):
        while qd.graph.do_while(c):  # DW-F32
            x[0] += 1

    _at("DW-F32", k, _i1(), qd.ndarray(qd.f32, shape=()))


@case(section="16.2", raises=(qd.QuadrantsSyntaxError, "must be a 0-d i32 ndarray"))
def do_while_condition_u32():
    @qd.kernel(graph=True)
    def k(x: I1, c: U0):
        while qd.graph.do_while(c):  # DW-U32
            x[0] += 1

    _at("DW-U32", k, _i1(), qd.ndarray(qd.u32, shape=()))


@case(section="16.2", raises=(qd.QuadrantsTypeError, "takes 1 positional argument but 2 were given"))
def do_while_two_arguments():
    @qd.kernel(graph=True)
    def k(x: I1, c: I0):
        while qd.graph.do_while(c, c):  # DW-TWO-ARGS
            x[0] += 1

    _at("DW-TWO-ARGS", k, _i1(), _i0())


@case(section="16.2", raises=(qd.QuadrantsSyntaxError, "'else' clause for 'while' not supported"))
def do_while_with_else():
    @qd.kernel(graph=True)
    def k(x: I1, c: I0):
        while qd.graph.do_while(c):  # DW-ELSE
            x[0] += 1
        else:
            x[1] += 1

    _at("DW-ELSE", k, _i1(), _i0())


# ------------------------------------------------------------------------------------------ §16.2 other statements

_WHILE = "the kernel body may not contain a While statement"


@case(section="16.2", raises=(qd.QuadrantsSyntaxError, _WHILE))
def plain_while_at_top_level_of_do_while_kernel():
    @qd.kernel(graph=True)
    def k(x: I1, c: I0):
        while qd.graph.do_while(c):
            x[0] += 1
        while x[1] < 3:  # PLAIN-WHILE-TOP
            x[1] += 1

    _at("PLAIN-WHILE-TOP", k, _i1(), _i0())


@case(section="16.2", raises=(qd.QuadrantsSyntaxError, _WHILE))
def plain_while_before_do_while():
    @qd.kernel(graph=True)
    def k(x: I1, c: I0):
        while x[1] < 3:  # PLAIN-WHILE-BEFORE
            x[1] += 1
        while qd.graph.do_while(c):
            x[0] += 1

    _at("PLAIN-WHILE-BEFORE", k, _i1(), _i0())


@case(section="16.2", raises=(qd.QuadrantsSyntaxError, _WHILE))
def plain_while_directly_in_do_while_body():
    @qd.kernel(graph=True)
    def k(x: I1, c: I0):
        while qd.graph.do_while(c):
            while x[1] < 3:  # PLAIN-WHILE-BODY
                x[1] += 1

    _at("PLAIN-WHILE-BODY", k, _i1(), _i0())


@case(section="16.2", raises=(qd.QuadrantsSyntaxError, ""))
def other_top_level_statement_kind_in_do_while_kernel():
    @qd.kernel(graph=True)
    def k(x: I1, c: I0):
        while qd.graph.do_while(c):
            x[0] += 1
        with qd.static(1):  # OTHER-WITH
            x[1] += 1

    _at("OTHER-WITH", k, _i1(), _i0())


# ------------------------------------------------------------------------------------------ §17.8 decorator and kernel


@case(section="7", raises=(qd.QuadrantsSyntaxError, "checkpoints=True) requires graph=True"))
def checkpoints_without_graph_at_decoration():
    # raised by the decorator itself: the kernel is never called
    def decorate():
        @qd.kernel(checkpoints=True)  # DECO-LINE
        def k(x: I1):  # DECO-DEF
            x[0] = 1

    _at(("DECO-LINE", "DECO-DEF"), decorate)


@case(section="17.8", raises=(qd.QuadrantsSyntaxError, "qd.checkpoint() requires @qd.kernel(graph=True)"))
def checkpoint_in_plain_kernel():
    @qd.kernel
    def k(x: I1, flag: I0):
        with qd.checkpoint(1, yield_on=flag):  # CP-PLAIN-KERNEL
            for _ in range(1):
                x[0] += 1

    _at("CP-PLAIN-KERNEL", k, _i1(), _i0())


@case(section="17.8", raises=(qd.QuadrantsSyntaxError, "was not decorated with `checkpoints=True`"))
def checkpoint_in_graph_kernel_without_checkpoints():
    @qd.kernel(graph=True)
    def k(x: I1, flag: I0):
        with qd.checkpoint(1, yield_on=flag):  # CP-NO-CHECKPOINTS
            for _ in range(1):
                x[0] += 1

    _at("CP-NO-CHECKPOINTS", k, _i1(), _i0())


@case(section="17.8", raises=(qd.QuadrantsSyntaxError, "checkpoints=True kernels return qd.GraphStatus"))
def checkpoints_kernel_with_return_annotation():
    @qd.kernel(graph=True, checkpoints=True)  # RET-DECO
    def k(x: I1) -> qd.i32:  # RET-DEF
        for _ in range(1):
            x[0] += 1
        return x[0]

    _at(("RET-DECO", "RET-DEF"), k, _i1())


@case(section="17.8", raises=(qd.QuadrantsSyntaxError, "checkpoints=True kernels return qd.GraphStatus"))
def checkpoints_kernel_with_return_annotation_only_implicit_none():
    # rejected even when no explicit checkpoint exists: the kernel returns a GraphStatus
    @qd.kernel(graph=True, checkpoints=True)  # RET2-DECO
    def k(x: I1) -> qd.i32:  # RET2-DEF
        x[0] = 1
        return 3

    _at(("RET2-DECO", "RET2-DEF"), k, _i1())


# ------------------------------------------------------------------------------------------ §17.8 argument shapes


@case(section="17.8", raises=(qd.QuadrantsSyntaxError, "qd.checkpoint() takes two arguments"))
def checkpoint_no_arguments():
    @qd.kernel(graph=True, checkpoints=True)
    def k(x: I1):
        with qd.checkpoint():  # CP-NO-ARGS
            for _ in range(1):
                x[0] += 1

    _at("CP-NO-ARGS", k, _i1())


@case(section="17.8", raises=(qd.QuadrantsSyntaxError, "missing required argument `yield_on`"))
def checkpoint_missing_yield_on():
    @qd.kernel(graph=True, checkpoints=True)
    def k(x: I1):
        with qd.checkpoint(1):  # CP-NO-YIELD-ON
            for _ in range(1):
                x[0] += 1

    _at("CP-NO-YIELD-ON", k, _i1())


@case(section="17.8", raises=(qd.QuadrantsSyntaxError, "missing required argument `cp_id`"))
def checkpoint_missing_cp_id():
    @qd.kernel(graph=True, checkpoints=True)
    def k(x: I1, flag: I0):
        with qd.checkpoint(yield_on=flag):  # CP-NO-CP-ID
            for _ in range(1):
                x[0] += 1

    _at("CP-NO-CP-ID", k, _i1(), _i0())


@case(section="17.8", raises=(qd.QuadrantsSyntaxError, "takes at most 2 positional arguments"))
def checkpoint_three_positional_arguments():
    @qd.kernel(graph=True, checkpoints=True)
    def k(x: I1, flag: I0):
        with qd.checkpoint(1, flag, flag):  # CP-THREE-POS
            for _ in range(1):
                x[0] += 1

    _at("CP-THREE-POS", k, _i1(), _i0())


@case(section="17.8", raises=(qd.QuadrantsSyntaxError, "got `cp_id` both positionally and as a keyword"))
def checkpoint_cp_id_positional_and_keyword():
    @qd.kernel(graph=True, checkpoints=True)
    def k(x: I1, flag: I0):
        with qd.checkpoint(1, cp_id=1, yield_on=flag):  # CP-BOTH
            for _ in range(1):
                x[0] += 1

    _at("CP-BOTH", k, _i1(), _i0())


@case(section="17.8", raises=(qd.QuadrantsSyntaxError, "unexpected keyword argument 'when'"))
def checkpoint_unknown_keyword():
    @qd.kernel(graph=True, checkpoints=True)
    def k(x: I1, flag: I0):
        with qd.checkpoint(1, yield_on=flag, when=flag):  # CP-WHEN
            for _ in range(1):
                x[0] += 1

    _at("CP-WHEN", k, _i1(), _i0())


# ------------------------------------------------------------------------------------------ §17.2.3 labels

_LABEL = "first argument must be an int literal or an IntEnum value"


@case(section="17.8", raises=(qd.QuadrantsSyntaxError, _LABEL))
def checkpoint_label_string():
    @qd.kernel(graph=True, checkpoints=True)
    def k(x: I1, flag: I0):
        with qd.checkpoint("load", yield_on=flag):  # LBL-STR
            for _ in range(1):
                x[0] += 1

    _at("LBL-STR", k, _i1(), _i0())


@case(section="17.8", raises=(qd.QuadrantsSyntaxError, _LABEL))
def checkpoint_label_float():
    @qd.kernel(graph=True, checkpoints=True)
    def k(x: I1, flag: I0):
        with qd.checkpoint(1.0, yield_on=flag):  # LBL-FLOAT
            for _ in range(1):
                x[0] += 1

    _at("LBL-FLOAT", k, _i1(), _i0())


@case(section="17.8", raises=(qd.QuadrantsSyntaxError, _LABEL))
def checkpoint_label_true():
    @qd.kernel(graph=True, checkpoints=True)
    def k(x: I1, flag: I0):
        with qd.checkpoint(True, yield_on=flag):  # LBL-TRUE
            for _ in range(1):
                x[0] += 1

    _at("LBL-TRUE", k, _i1(), _i0())


@case(section="17.8", raises=(qd.QuadrantsSyntaxError, _LABEL))
def checkpoint_label_negative_literal_expression():
    @qd.kernel(graph=True, checkpoints=True)
    def k(x: I1, flag: I0):
        with qd.checkpoint(-3, yield_on=flag):  # LBL-NEG
            for _ in range(1):
                x[0] += 1

    _at("LBL-NEG", k, _i1(), _i0())


@case(section="17.8", raises=(qd.QuadrantsSyntaxError, _LABEL))
def checkpoint_label_sum_expression():
    @qd.kernel(graph=True, checkpoints=True)
    def k(x: I1, flag: I0):
        with qd.checkpoint(1 + 1, yield_on=flag):  # LBL-SUM
            for _ in range(1):
                x[0] += 1

    _at("LBL-SUM", k, _i1(), _i0())


@case(section="17.8", raises=(qd.QuadrantsSyntaxError, _LABEL))
def checkpoint_label_enum_not_reachable_from_module_globals():
    class Local(enum.IntEnum):
        A = 1

    @qd.kernel(graph=True, checkpoints=True)
    def k(x: I1, flag: I0):
        with qd.checkpoint(Local.A, yield_on=flag):  # LBL-LOCAL-ENUM
            for _ in range(1):
                x[0] += 1

    _at("LBL-LOCAL-ENUM", k, _i1(), _i0())


@case(section="17.8", raises=(qd.QuadrantsSyntaxError, _LABEL))
def checkpoint_label_local_int_variable():
    label = 4

    @qd.kernel(graph=True, checkpoints=True)
    def k(x: I1, flag: I0):
        with qd.checkpoint(label, yield_on=flag):  # LBL-LOCAL-INT
            for _ in range(1):
                x[0] += 1

    _at("LBL-LOCAL-INT", k, _i1(), _i0())


@case(section="17.8", raises=(qd.QuadrantsSyntaxError, _LABEL))
def checkpoint_label_global_float_constant():
    @qd.kernel(graph=True, checkpoints=True)
    def k(x: I1, flag: I0):
        with qd.checkpoint(FLOAT_LABEL, yield_on=flag):  # LBL-GLOBAL-FLOAT
            for _ in range(1):
                x[0] += 1

    _at("LBL-GLOBAL-FLOAT", k, _i1(), _i0())


@case(section="17.8", raises=(qd.QuadrantsSyntaxError, _LABEL))
def checkpoint_label_global_string_constant():
    @qd.kernel(graph=True, checkpoints=True)
    def k(x: I1, flag: I0):
        with qd.checkpoint(STR_LABEL, yield_on=flag):  # LBL-GLOBAL-STR
            for _ in range(1):
                x[0] += 1

    _at("LBL-GLOBAL-STR", k, _i1(), _i0())


@case(section="17.8", raises=(qd.QuadrantsSyntaxError, _LABEL))
def checkpoint_label_runtime_parameter():
    @qd.kernel(graph=True, checkpoints=True)
    def k(x: I1, flag: I0, n: qd.i32):
        with qd.checkpoint(n, yield_on=flag):  # LBL-PARAM
            for _ in range(1):
                x[0] += 1

    _at("LBL-PARAM", k, _i1(), _i0(), 1)


# ------------------------------------------------------------------------------------------ §17.8 yield_on

_YIELD_REF = "qd.checkpoint(yield_on=...) must reference a kernel ndarray argument"


@case(section="17.8", raises=(qd.QuadrantsSyntaxError, _YIELD_REF))
def checkpoint_yield_on_subscript():
    @qd.kernel(graph=True, checkpoints=True)
    def k(x: I1, flag: I0):
        with qd.checkpoint(1, yield_on=flag[()]):  # YO-SUBSCRIPT
            for _ in range(1):
                x[0] += 1

    _at("YO-SUBSCRIPT", k, _i1(), _i0())


@case(section="17.8", raises=(qd.QuadrantsSyntaxError, _YIELD_REF))
def checkpoint_yield_on_ternary():
    @qd.kernel(graph=True, checkpoints=True)
    def k(x: I1, flag: I0, other: I0, n: qd.i32):
        with qd.checkpoint(1, yield_on=flag if n > 0 else other):  # YO-TERNARY
            for _ in range(1):
                x[0] += 1

    _at("YO-TERNARY", k, _i1(), _i0(), _i0(), 1)


@case(section="17.8", raises=(qd.QuadrantsSyntaxError, _YIELD_REF))
def checkpoint_yield_on_positional_subscript():
    @qd.kernel(graph=True, checkpoints=True)
    def k(x: I1, flag: I0):
        with qd.checkpoint(1, flag[()]):  # YO-POS-SUBSCRIPT
            for _ in range(1):
                x[0] += 1

    _at("YO-POS-SUBSCRIPT", k, _i1(), _i0())


_YIELD_RESOLVE = "does not resolve to an ndarray kernel parameter"


@case(section="17.8", raises=(qd.QuadrantsSyntaxError, _YIELD_RESOLVE))
def checkpoint_yield_on_missing_name():
    @qd.kernel(graph=True, checkpoints=True)
    def k(x: I1, flag: I0):
        with qd.checkpoint(1, yield_on=flg):  # noqa: F821  # YO-MISSING
            for _ in range(1):
                x[0] += 1

    _at("YO-MISSING", k, _i1(), _i0())


@case(section="17.8", raises=(qd.QuadrantsSyntaxError, _YIELD_RESOLVE))
def checkpoint_yield_on_scalar_parameter():
    @qd.kernel(graph=True, checkpoints=True)
    def k(x: I1, flag: qd.i32):
        with qd.checkpoint(1, yield_on=flag):  # YO-SCALAR
            for _ in range(1):
                x[0] += 1

    _at("YO-SCALAR", k, _i1(), 1)


@case(section="17.8", raises=(qd.QuadrantsSyntaxError, "must be a 0-d i32 ndarray"))
def checkpoint_yield_on_one_dimensional():
    @qd.kernel(graph=True, checkpoints=True)
    def k(x: I1, flag: I1):
        with qd.checkpoint(1, yield_on=flag):  # YO-1D
            for _ in range(1):
                x[0] += 1

    _at("YO-1D", k, _i1(), _i1(1))


@case(section="17.8", raises=(qd.QuadrantsSyntaxError, "must be a 0-d i32 ndarray"))
def checkpoint_yield_on_f32():
    @qd.kernel(graph=True, checkpoints=True)
    def k(x: I1, flag: F0):
        with qd.checkpoint(1, yield_on=flag):  # YO-F32
            for _ in range(1):
                x[0] += 1

    _at("YO-F32", k, _i1(), qd.ndarray(qd.f32, shape=()))


# ------------------------------------------------------------------------------------------ §17.8 duplicates

_DUP = "declares a cp_id that is already used"


@case(section="17.8", raises=(qd.QuadrantsSyntaxError, _DUP))
def checkpoint_duplicate_int_label():
    @qd.kernel(graph=True, checkpoints=True)
    def k(x: I1, flag: I0):
        with qd.checkpoint(7, yield_on=flag):
            for _ in range(1):
                x[0] += 1
        with qd.checkpoint(7, yield_on=flag):  # DUP-INT
            for _ in range(1):
                x[0] += 1

    _at("DUP-INT", k, _i1(), _i0())


@case(section="17.8", raises=(qd.QuadrantsSyntaxError, _DUP))
def checkpoint_duplicate_enum_and_equal_int():
    @qd.kernel(graph=True, checkpoints=True)
    def k(x: I1, flag: I0):
        with qd.checkpoint(Stage.A, yield_on=flag):
            for _ in range(1):
                x[0] += 1
        with qd.checkpoint(5, yield_on=flag):  # DUP-ENUM-INT
            for _ in range(1):
                x[0] += 1

    _at("DUP-ENUM-INT", k, _i1(), _i0())


@case(section="17.8", raises=(qd.QuadrantsSyntaxError, _DUP))
def checkpoint_duplicate_two_enums_equal_value():
    @qd.kernel(graph=True, checkpoints=True)
    def k(x: I1, flag: I0):
        with qd.checkpoint(Stage.A, yield_on=flag):
            for _ in range(1):
                x[0] += 1
        with qd.checkpoint(Twin.X, yield_on=flag):  # DUP-TWO-ENUMS
            for _ in range(1):
                x[0] += 1

    _at("DUP-TWO-ENUMS", k, _i1(), _i0())


@case(section="17.8", raises=(qd.QuadrantsSyntaxError, _DUP))
def checkpoint_duplicate_across_do_while_levels():
    @qd.kernel(graph=True, checkpoints=True)
    def k(x: I1, flag: I0, c: I0):
        with qd.checkpoint(3, yield_on=flag):
            for _ in range(1):
                x[0] += 1
        while qd.graph.do_while(c):
            with qd.checkpoint(3, yield_on=flag):  # DUP-IN-LOOP
                for _ in range(1):
                    x[0] += 1

    _at("DUP-IN-LOOP", k, _i1(), _i0(), _i0())


# ------------------------------------------------------------------------------------------ §17.8 nesting and placement

_NESTED = "qd.checkpoint() cannot be nested inside another qd.checkpoint()"


@case(section="17.8", raises=(qd.QuadrantsSyntaxError, _NESTED))
def checkpoint_nested_in_checkpoint():
    @qd.kernel(graph=True, checkpoints=True)
    def k(x: I1, flag: I0):
        with qd.checkpoint(1, yield_on=flag):  # noqa: SIM117
            with qd.checkpoint(2, yield_on=flag):  # NEST-CP
                for _ in range(1):
                    x[0] += 1

    _at("NEST-CP", k, _i1(), _i0())


@case(section="17.8", raises=(qd.QuadrantsSyntaxError, _NESTED))
def checkpoint_in_top_level_for():
    @qd.kernel(graph=True, checkpoints=True)
    def k(x: I1, flag: I0):
        for _ in range(1):
            with qd.checkpoint(1, yield_on=flag):  # NEST-FOR
                for _ in range(1):
                    x[0] += 1

    _at("NEST-FOR", k, _i1(), _i0())


@case(section="17.8", raises=(qd.QuadrantsSyntaxError, _NESTED))
def checkpoint_in_static_for():
    @qd.kernel(graph=True, checkpoints=True)
    def k(x: I1, flag: I0):
        for _ in qd.static(range(1)):
            with qd.checkpoint(1, yield_on=flag):  # NEST-STATIC-FOR
                for _ in range(1):
                    x[0] += 1

    _at("NEST-STATIC-FOR", k, _i1(), _i0())


@case(section="17.8", raises=(qd.QuadrantsSyntaxError, _NESTED))
def checkpoint_in_for_inside_do_while_body():
    @qd.kernel(graph=True, checkpoints=True)
    def k(x: I1, flag: I0, c: I0):
        while qd.graph.do_while(c):
            for _ in range(1):
                with qd.checkpoint(1, yield_on=flag):  # NEST-FOR-IN-BODY
                    for _ in range(1):
                        x[0] += 1

    _at("NEST-FOR-IN-BODY", k, _i1(), _i0(), _i0())


@case(section="17.8", raises=(qd.QuadrantsSyntaxError, _NESTED))
def checkpoint_in_do_while_inside_checkpoint():
    @qd.kernel(graph=True, checkpoints=True)
    def k(x: I1, flag: I0, c: I0):
        with qd.checkpoint(1, yield_on=flag):
            while qd.graph.do_while(c):
                with qd.checkpoint(2, yield_on=flag):  # NEST-CP-LOOP-CP
                    for _ in range(1):
                        x[0] += 1

    _at("NEST-CP-LOOP-CP", k, _i1(), _i0(), _i0())


_PLACE = "qd.checkpoint() must be at the kernel top level or directly inside a qd.graph.do_while() body"


@case(section="17.8", raises=(qd.QuadrantsSyntaxError, _PLACE))
def checkpoint_under_runtime_if():
    @qd.kernel(graph=True, checkpoints=True)
    def k(x: I1, flag: I0, n: qd.i32):
        if n > 0:
            with qd.checkpoint(1, yield_on=flag):  # PLACE-IF
                for _ in range(1):
                    x[0] += 1

    _at("PLACE-IF", k, _i1(), _i0(), 1)


@case(section="17.8", raises=(qd.QuadrantsSyntaxError, _PLACE))
def checkpoint_under_runtime_if_in_do_while_body():
    @qd.kernel(graph=True, checkpoints=True)
    def k(x: I1, flag: I0, c: I0):
        while qd.graph.do_while(c):
            if c[()] > 0:
                with qd.checkpoint(1, yield_on=flag):  # PLACE-IF-IN-BODY
                    for _ in range(1):
                        x[0] += 1

    _at("PLACE-IF-IN-BODY", k, _i1(), _i0(), _i0())


@case(section="17.8", raises=(qd.QuadrantsSyntaxError, _PLACE))
def checkpoint_in_plain_while():
    @qd.kernel(graph=True, checkpoints=True)
    def k(x: I1, flag: I0):
        while x[0] < 1:
            with qd.checkpoint(1, yield_on=flag):  # PLACE-WHILE
                for _ in range(1):
                    x[0] += 1

    _at("PLACE-WHILE", k, _i1(), _i0())


@case(section="17.8", raises=(qd.QuadrantsSyntaxError, "can only be used inside @qd.kernel, not @qd.func"))
def checkpoint_inside_func():
    @qd.func
    def f(x: I1, flag: I0):
        with qd.checkpoint(1, yield_on=flag):  # PLACE-FUNC
            for _ in range(1):
                x[0] += 1

    @qd.kernel(graph=True, checkpoints=True)
    def k(x: I1, flag: I0):
        f(x, flag)

    _at("PLACE-FUNC", k, _i1(), _i0())


@case(section="17.8", raises=(qd.QuadrantsSyntaxError, _UNDER_IF))
def do_while_under_runtime_if_in_checkpoints_kernel():
    @qd.kernel(graph=True, checkpoints=True)
    def k(x: I1, c: I0, n: qd.i32):
        if n > 0:
            while qd.graph.do_while(c):  # DW-UNDER-IF-CP
                x[0] += 1

    _at("DW-UNDER-IF-CP", k, _i1(), _i0(), 1)


# ------------------------------------------------------------------------------------------ §17.2.5 body rule

_BARE = "qd.checkpoint() body cannot contain a bare top-level"


@case(section="17.8", raises=(qd.QuadrantsSyntaxError, "qd.checkpoint() body cannot contain a bare top-level Assign"))
def checkpoint_body_bare_assign():
    @qd.kernel(graph=True, checkpoints=True)
    def k(x: I1, flag: I0):
        with qd.checkpoint(1, yield_on=flag):
            x[0] = 1  # BARE-ASSIGN

    line = _line_of("BARE-ASSIGN")
    _at(
        "BARE-ASSIGN",
        k,
        _i1(),
        _i0(),
        extra=(
            f"qd.checkpoint() body cannot contain a bare top-level Assign statement (line {line})",
            "for _ in range(1):",
        ),
    )


@case(
    section="17.8", raises=(qd.QuadrantsSyntaxError, "qd.checkpoint() body cannot contain a bare top-level AugAssign")
)
def checkpoint_body_bare_augassign():
    @qd.kernel(graph=True, checkpoints=True)
    def k(x: I1, flag: I0):
        with qd.checkpoint(1, yield_on=flag):
            for _ in range(1):
                x[0] += 1
            x[1] += 1  # BARE-AUG

    line = _line_of("BARE-AUG")
    _at("BARE-AUG", k, _i1(), _i0(), extra=(f"(line {line})", "for _ in range(1):"))


@case(
    section="17.8", raises=(qd.QuadrantsSyntaxError, "qd.checkpoint() body cannot contain a bare top-level AnnAssign")
)
def checkpoint_body_bare_annassign():
    @qd.kernel(graph=True, checkpoints=True)
    def k(x: I1, flag: I0):
        with qd.checkpoint(1, yield_on=flag):
            t: qd.i32 = 1  # BARE-ANN
            for _ in range(1):
                x[0] += t

    line = _line_of("BARE-ANN")
    _at("BARE-ANN", k, _i1(), _i0(), extra=(f"(line {line})",))


@case(section="17.8", raises=(qd.QuadrantsSyntaxError, _BARE))
def checkpoint_body_func_call():
    @qd.func
    def f(x: I1):
        for _ in range(1):
            x[0] += 1

    @qd.kernel(graph=True, checkpoints=True)
    def k(x: I1, flag: I0):
        with qd.checkpoint(1, yield_on=flag):
            f(x)  # BARE-CALL

    line = _line_of("BARE-CALL")
    _at("BARE-CALL", k, _i1(), _i0(), extra=(f"(line {line})", "for _ in range(1):"))


@case(section="17.8", raises=(qd.QuadrantsSyntaxError, _BARE))
def checkpoint_body_loop_config():
    @qd.kernel(graph=True, checkpoints=True)
    def k(x: I1, flag: I0):
        with qd.checkpoint(1, yield_on=flag):
            qd.loop_config(serialize=True)  # BARE-LOOP-CONFIG
            for _ in range(1):
                x[0] += 1

    line = _line_of("BARE-LOOP-CONFIG")
    _at("BARE-LOOP-CONFIG", k, _i1(), _i0(), extra=(f"(line {line})",))


@case(section="17.8", raises=(qd.QuadrantsSyntaxError, "'with ... as ...' is not supported"))
def checkpoint_with_as():
    @qd.kernel(graph=True, checkpoints=True)
    def k(x: I1, flag: I0):
        with qd.checkpoint(1, yield_on=flag) as c:  # noqa: F841  # WITH-AS
            for _ in range(1):
                x[0] += 1

    _at("WITH-AS", k, _i1(), _i0())


# ------------------------------------------------------------------------------------------ §17.8 call-time errors


@case(section="17.8", raises=(qd.QuadrantsSyntaxError, "Unexpected argument '_qd_from_checkpoint'"))
def resume_on_graph_kernel_without_checkpoints_before_compiling():
    # the body does not compile: the argument error comes first, before compiling
    @qd.kernel(graph=True)
    def k(x: I1):
        for _ in range(1, 2, 3):
            x[0] += 1

    k.resume(_i1(), from_checkpoint=1)


@case(section="17.8", raises=(qd.QuadrantsSyntaxError, "Unexpected argument '_qd_from_checkpoint'"))
def resume_on_plain_kernel():
    @qd.kernel
    def k(x: I1):
        for _ in range(1):
            x[0] += 1

    k.resume(_i1(), from_checkpoint=1)


_NOT_INT = "from_checkpoint= must be an int or IntEnum value"


@case(section="17.8", raises=(RuntimeError, _NOT_INT))
def resume_label_string_before_compiling():
    @qd.kernel(graph=True, checkpoints=True)
    def k(x: I1, flag: I0):
        for _ in range(1, 2, 3):  # does not compile: the label check comes first
            x[0] += 1

    k.resume(_i1(), _i0(), from_checkpoint="load")


@case(section="17.8", raises=(RuntimeError, _NOT_INT))
def resume_label_none():
    @qd.kernel(graph=True, checkpoints=True)
    def k(x: I1, flag: I0):
        with qd.checkpoint(1, yield_on=flag):
            for _ in range(1):
                x[0] += 1

    k.resume(_i1(), _i0(), from_checkpoint=None)


@case(section="17.8", raises=(RuntimeError, _NOT_INT))
def resume_label_float():
    @qd.kernel(graph=True, checkpoints=True)
    def k(x: I1, flag: I0):
        with qd.checkpoint(1, yield_on=flag):
            for _ in range(1):
                x[0] += 1

    k.resume(_i1(), _i0(), from_checkpoint=1.0)


@case(
    section="17.8",
    raises=(
        RuntimeError,
        "`from_checkpoint=` is only valid for kernels that contain at least one qd.checkpoint(yield_on=...) block",
    ),
)
def resume_kernel_without_any_checkpoint():
    @qd.kernel(graph=True, checkpoints=True)
    def k(x: I1):
        x[0] = 1

    k.resume(_i1(), from_checkpoint=1)


@case(
    section="17.8",
    raises=(
        RuntimeError,
        "from_checkpoint=99 does not match any qd.checkpoint(cp_id=...) in kernel 'k1'. "
        "Available cp_id labels (source-declaration order): [<Stage.A: 5>, <Stage.B: 6>]",
    ),
)
def resume_unknown_label_lists_available():
    @qd.kernel(graph=True, checkpoints=True)
    def k1(x: I1, flag: I0):
        for _ in range(1):
            x[0] += 1
        with qd.checkpoint(Stage.A, yield_on=flag):
            for _ in range(1):
                x[0] += 1
        with qd.checkpoint(Stage.B, yield_on=flag):
            for _ in range(1):
                x[0] += 1

    k1.resume(_i1(), _i0(), from_checkpoint=99)


@case(
    section="17.8",
    raises=(
        RuntimeError,
        "from_checkpoint=0 does not match any qd.checkpoint(cp_id=...) in kernel 'k2'. "
        "Available cp_id labels (source-declaration order): []",
    ),
)
def resume_only_implicit_checkpoints_lists_nothing():
    # internal id 0 exists (an implicit checkpoint), but implicit checkpoints have no label
    @qd.kernel(graph=True, checkpoints=True)
    def k2(x: I1):
        for _ in range(1):
            x[0] += 1

    k2.resume(_i1(), from_checkpoint=0)


@case(
    section="17.8",
    raises=(RuntimeError, "from_checkpoint=1 does not match any qd.checkpoint(cp_id=...) in kernel 'k3'"),
)
def resume_label_validated_per_specialization():
    @qd.kernel(graph=True, checkpoints=True)
    def k3(x: I1, flag: I0, mode: qd.template()):
        if qd.static(mode == 1):
            with qd.checkpoint(1, yield_on=flag):
                for _ in range(1):
                    x[0] += 1
        else:
            with qd.checkpoint(2, yield_on=flag):
                for _ in range(1):
                    x[0] += 1

    k3.resume(_i1(), _i0(), 1, from_checkpoint=1)  # fine in this specialization
    k3.resume(_i1(), _i0(), 2, from_checkpoint=1)  # not in this one: only [2]


@case(
    section="17.8",
    raises=(RuntimeError, "Available cp_id labels (source-declaration order): [2]"),
)
def resume_unknown_label_lists_labels_of_the_called_specialization():
    @qd.kernel(graph=True, checkpoints=True)
    def k(x: I1, flag: I0, mode: qd.template()):
        if qd.static(mode == 1):
            with qd.checkpoint(1, yield_on=flag):
                for _ in range(1):
                    x[0] += 1
        else:
            with qd.checkpoint(2, yield_on=flag):
                for _ in range(1):
                    x[0] += 1

    k(_i1(), _i0(), 1)
    k.resume(_i1(), _i0(), 2, from_checkpoint=1)


@case(section="17.8", raises=(qd.QuadrantsSyntaxError, "Range should have 1 or 2 arguments"))
def resume_unknown_label_compiles_first():
    # label validation happens after compiling: a body that does not compile reports its compile error
    @qd.kernel(graph=True, checkpoints=True)
    def k(x: I1, flag: I0):
        with qd.checkpoint(1, yield_on=flag):
            for _ in range(1, 2, 3):  # RESUME-COMPILES-FIRST
                x[0] += 1

    _at("RESUME-COMPILES-FIRST", k.resume, _i1(), _i0(), from_checkpoint=99)
