"""docs/semantics.md §17.8: call-time errors of ``kernel.resume`` (and the compile errors it reports first).

Every compile error must be raised at the user's line: the kernel call goes through :func:`_at`, which checks that the
error names the line of this file that ends with the comment ``# <marker>`` (the offending statement) and re-raises
it, so the case's ``raises`` declaration checks the class and the message fragment (see ``_graph_common.raises_at``).
The other error modules are listed in ``test_graph_errors_do_while.py``.
"""

import quadrants as qd
from quadrants_conformance import case
from quadrants_conformance.cases._graph_common import I0, I1, Stage, _i0, _i1, raises_at


def _at(marker, fn, *args, extra: tuple = (), **kwargs):
    """:func:`~quadrants_conformance.cases._graph_common.raises_at` against the marked lines of this file."""
    return raises_at(__file__, marker, fn, *args, extra=extra, **kwargs)


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
