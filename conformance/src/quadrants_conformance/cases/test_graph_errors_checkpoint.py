"""docs/semantics.md §17.8: compile errors of ``checkpoints=True`` kernels and ``qd.checkpoint`` arguments (decorator,
argument shapes, labels, ``yield_on``, duplicate labels).

Every compile error must be raised at the user's line: the kernel call goes through :func:`_at`, which checks that the
error names the line of this file that ends with the comment ``# <marker>`` (the offending statement) and re-raises
it, so the case's ``raises`` declaration checks the class and the message fragment (see ``_graph_common.raises_at``).
Labels written as a name or ``Name.attr`` are host names of the kernel (module globals or closure values, §17.2.3);
``Twin`` and the non-int label constants live here and ``Stage`` is imported from ``_graph_common``. The other error
modules are listed in ``test_graph_errors_do_while.py``.
"""

import enum

import quadrants as qd
from quadrants_conformance import case
from quadrants_conformance.cases._graph_common import F0, I0, I1, Stage, _i0, _i1, raises_at


class Twin(enum.IntEnum):
    X = 5


FLOAT_LABEL = 1.5
STR_LABEL = "load"


def _at(marker, fn, *args, extra: tuple = (), **kwargs):
    """:func:`~quadrants_conformance.cases._graph_common.raises_at` against the marked lines of this file."""
    return raises_at(__file__, marker, fn, *args, extra=extra, **kwargs)


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


@case(
    section="17.8",
    raises=(qd.QuadrantsSyntaxError, "qd.checkpoint() takes two arguments: `qd.checkpoint(cp_id, yield_on=flag)`"),
)
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


@case(section="17.2", golden={"x": [1, 1], "yielded": False})
def checkpoint_label_from_a_closure_enum_and_int():
    # labels resolve like any host name of the kernel: closure values too, not only module globals (as upstream)
    class Local(enum.IntEnum):
        A = 1

    label = 4

    @qd.kernel(graph=True, checkpoints=True)
    def k(x: I1, flag: I0):
        with qd.checkpoint(Local.A, yield_on=flag):
            for _ in range(1):
                x[0] += 1
        with qd.checkpoint(label, yield_on=flag):
            for _ in range(1):
                x[1] += 1

    x = _i1()
    status = k(x, _i0())
    return {"x": x.to_numpy(), "yielded": bool(status.yielded)}


@case(section="17.8", raises=(qd.QuadrantsSyntaxError, _LABEL))
def checkpoint_label_kernel_local_variable():
    # a variable of the kernel itself is a run-time value, whatever it holds
    @qd.kernel(graph=True, checkpoints=True)
    def k(x: I1, flag: I0):
        label = 4
        with qd.checkpoint(label, yield_on=flag):  # LBL-KERNEL-LOCAL
            for _ in range(1):
                x[0] += label

    _at("LBL-KERNEL-LOCAL", k, _i1(), _i0())


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

_DUP = "declares a cp_id that is already used by another checkpoint"


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


# ------------------------------------------------------------------------------------------ §17.8 qd.static and members


@case(section="17.8", raises=(qd.QuadrantsSyntaxError, "'with' in Quadrants kernels only supports"))
def checkpoint_wrapped_in_qd_static():
    @qd.kernel(graph=True, checkpoints=True)
    def k(x: I1, flag: I0):
        with qd.static(qd.checkpoint(1, yield_on=flag)):  # CP-IN-STATIC
            for _ in range(1):
                x[0] += 1

    _at("CP-IN-STATIC", k, _i1(), _i0())


@case(section="17.8", raises=(qd.QuadrantsSyntaxError, "first argument must be an int literal or an IntEnum value"))
def checkpoint_labelled_by_a_qd_static_loop_variable():
    # the label is checked before the placement (upstream's order): a static loop variable is not a label
    @qd.kernel(graph=True, checkpoints=True)
    def k(x: I1, flag: I0):
        for j in qd.static(range(2)):
            with qd.checkpoint(j, yield_on=flag):  # CP-STATIC-LABEL
                for _ in range(1):
                    x[0] += 1

    _at("CP-STATIC-LABEL", k, _i1(), _i0())


@case(section="17.8", raises=(qd.QuadrantsSyntaxError, "cannot be nested inside another qd.checkpoint()"))
def checkpoint_in_qd_static_loop():
    @qd.kernel(graph=True, checkpoints=True)
    def k(x: I1, flag: I0):
        for _ in qd.static(range(1)):
            with qd.checkpoint(1, yield_on=flag):  # CP-STATIC-FOR
                for _ in range(1):
                    x[0] += 1

    _at("CP-STATIC-FOR", k, _i1(), _i0())


@case(
    section="17.8", raises=(qd.QuadrantsSyntaxError, "got 'self.missing' which does not resolve to an ndarray kernel")
)
def checkpoint_yield_on_missing_member():
    @qd.data_oriented
    class Sim:
        def __init__(self):
            self.flag = _i0()
            self.x = _i1()

        @qd.kernel(graph=True, checkpoints=True)
        def step(self):
            with qd.checkpoint(1, yield_on=self.missing):  # YO-MISSING-MEMBER
                for _ in range(1):
                    self.x[0] += 1

    _at("YO-MISSING-MEMBER", Sim().step)
