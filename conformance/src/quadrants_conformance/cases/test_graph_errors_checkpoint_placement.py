"""docs/semantics.md §17.8 and §17.2.5: compile errors of where ``qd.checkpoint`` may appear and what its body may
contain.

Every compile error must be raised at the user's line: the kernel call goes through :func:`_at`, which checks that the
error names the line of this file that ends with the comment ``# <marker>`` (the offending statement) and re-raises
it, so the case's ``raises`` declaration checks the class and the message fragment (see ``_graph_common.raises_at``).
The other error modules are listed in ``test_graph_errors_do_while.py``.
"""

import quadrants as qd
from quadrants_conformance import case
from quadrants_conformance.cases._graph_common import _UNDER_IF, I0, I1, _i0, _i1, line_of, raises_at


def _line_of(marker: str) -> int:
    """1-based line number of the line of this file that ends with the comment ``# <marker>``."""
    return line_of(__file__, marker)


def _at(marker, fn, *args, extra: tuple = (), **kwargs):
    """:func:`~quadrants_conformance.cases._graph_common.raises_at` against the marked lines of this file."""
    return raises_at(__file__, marker, fn, *args, extra=extra, **kwargs)


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
