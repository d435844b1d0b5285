"""docs/semantics.md §16.2: compile errors of ``qd.graph.do_while`` (placement, the condition, other statements).

Every compile error must be raised at the user's line: the kernel call goes through :func:`_at`, which checks that the
error names the line of this file that ends with the comment ``# <marker>`` (the offending statement) and re-raises
it, so the case's ``raises`` declaration checks the class and the message fragment (see ``_graph_common.raises_at``).
The error cases of §16.2 and §17.8 are split by topic: ``test_graph_errors_do_while.py`` (§16.2),
``test_graph_errors_checkpoint.py`` (§17.8 decorator, arguments, labels, ``yield_on``, duplicates),
``test_graph_errors_checkpoint_placement.py`` (§17.8 nesting and placement, §17.2.5 body rule) and
``test_graph_errors_resume.py`` (§17.8 call-time errors of ``kernel.resume``).
"""

import quadrants as qd
from quadrants_conformance import case
from quadrants_conformance.cases._graph_common import _UNDER_IF, F0, I0, I1, _i0, _i1, raises_at

U0 = qd.types.NDArray[qd.u32, 0]


def _at(marker, fn, *args, extra: tuple = (), **kwargs):
    """:func:`~quadrants_conformance.cases._graph_common.raises_at` against the marked lines of this file."""
    return raises_at(__file__, marker, fn, *args, extra=extra, **kwargs)


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

# upstream's wording (§16.2): "When a kernel uses qd.graph.do_while(), <where> may not contain a <Kind> statement"
_WHILE = "the kernel body may not contain a While statement"
_WHILE_IN_BODY = "a qd.graph.do_while() body may not contain a While statement"


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


@case(section="16.2", raises=(qd.QuadrantsSyntaxError, _WHILE_IN_BODY))
def plain_while_directly_in_do_while_body():
    @qd.kernel(graph=True)
    def k(x: I1, c: I0):
        while qd.graph.do_while(c):
            while x[1] < 3:  # PLAIN-WHILE-BODY
                x[1] += 1

    _at("PLAIN-WHILE-BODY", k, _i1(), _i0())


@case(section="16.2", raises=(qd.QuadrantsSyntaxError, "the kernel body may not contain a With statement"))
def other_top_level_statement_kind_in_do_while_kernel():
    @qd.kernel(graph=True)
    def k(x: I1, c: I0):
        while qd.graph.do_while(c):
            x[0] += 1
        with qd.static(1):  # OTHER-WITH
            x[1] += 1

    _at("OTHER-WITH", k, _i1(), _i0())


# ------------------------------------------------------------------------------------------ §16.2 returns


@case(section="16.2", raises=(qd.QuadrantsSyntaxError, "the kernel body may not contain a Return statement"))
def return_at_top_level_of_do_while_kernel():
    @qd.kernel(graph=True)
    def k(x: I1, c: I0) -> qd.i32:
        while qd.graph.do_while(c):
            x[0] += 1
        return x[0]  # RET-TOP

    _at("RET-TOP", k, _i1(), _i0())


@case(section="16.2", raises=(qd.QuadrantsSyntaxError, "a qd.graph.do_while() body may not contain a Return statement"))
def return_in_do_while_body():
    @qd.kernel(graph=True)
    def k(x: I1, c: I0):
        while qd.graph.do_while(c):
            x[0] += 1
            return  # RET-BODY

    _at("RET-BODY", k, _i1(), _i0())


@case(section="16.2", raises=(qd.QuadrantsSyntaxError, "a qd.graph.do_while() body may not contain a Return statement"))
def return_under_static_if_in_nested_do_while_body():
    @qd.kernel(graph=True)
    def k(x: I1, c: I0, d: I0):
        while qd.graph.do_while(c):
            while qd.graph.do_while(d):
                x[0] += 1
                if qd.static(True):
                    return  # RET-NESTED

    _at("RET-NESTED", k, _i1(), _i0(), _i0())


@case(section="16.2", golden={"x": [3, 0]})
def return_inside_a_func_called_in_a_do_while_body_is_allowed():
    @qd.func
    def bump(x: I1, c: I0):
        x[0] += 1
        c[()] = 1 if x[0] < 3 else 0
        return x[0]

    @qd.kernel(graph=True)
    def k(x: I1, c: I0):
        while qd.graph.do_while(c):
            bump(x, c)

    x = _i1()
    k(x, _i0())
    return {"x": x.to_numpy()}


# ------------------------------------------------------------------------------------------ §16.2 member conditions


@case(
    section="16.2", raises=(qd.QuadrantsSyntaxError, "got 'self.missing' which does not resolve to an ndarray kernel")
)
def do_while_condition_missing_member():
    @qd.data_oriented
    class Sim:
        def __init__(self):
            self.counter = _i0()
            self.x = _i1()

        @qd.kernel(graph=True)
        def run(self):
            while qd.graph.do_while(self.missing):  # DW-MISSING-MEMBER
                self.x[0] += 1

    _at("DW-MISSING-MEMBER", Sim().run)
