"""Misuse of reverse-mode autodiff and the tape's checks, as upstream 1.3.3 reports them (docs/autodiff.md):
``Tape(validation=True)``'s global data access check, ``grad_check``, the tape's state errors, and what has no
derivative."""

import warnings

import numpy as np

import quadrants as qd
from quadrants_conformance import case


def _sum_kernel(x, loss):
    @qd.kernel
    def total():
        for i in x:
            loss[None] += x[i] * x[i]

    return total


# --------------------------------------------------------------------------------------- validation (debug=True)


@case(section="autodiff", debug=True, raises=(AssertionError, "Breaks the global data access rule"))
def validation_catches_an_overwritten_read():
    """The kernel reads ``x[i]`` and then overwrites it: the adjoint would read the new value."""
    x = qd.field(qd.f32, shape=4, needs_grad=True)
    loss = qd.field(qd.f32, shape=(), needs_grad=True)

    @qd.kernel
    def bad():
        for i in x:
            loss[None] += x[i] * x[i]
            x[i] = 3.0

    x.fill(1.0)
    with qd.ad.Tape(loss=loss, validation=True):
        bad()


@case(section="autodiff", debug=True, raises=(AssertionError, "Breaks the global data access rule"))
def validation_spans_the_kernels_of_the_tape():
    """A read in one kernel and a write in a later kernel of the same tape break the rule too."""
    x = qd.field(qd.f32, shape=4, needs_grad=True)
    loss = qd.field(qd.f32, shape=(), needs_grad=True)

    @qd.kernel
    def overwrite():
        for i in x:
            x[i] = 0.0

    with qd.ad.Tape(loss=loss, validation=True):
        _sum_kernel(x, loss)()
        overwrite()


@case(section="autodiff", debug=True, golden={"grad": [2.0, 2.0, 2.0, 2.0]})
def validation_accepts_double_buffering():
    x = qd.field(qd.f32, shape=4, needs_grad=True)
    b = qd.field(qd.f32, shape=4, needs_grad=True)
    loss = qd.field(qd.f32, shape=(), needs_grad=True)

    @qd.kernel
    def scale():
        for i in x:
            b[i] = x[i] * 2.0

    @qd.kernel
    def total():
        for i in b:
            loss[None] += b[i]

    x.fill(1.0)
    with qd.ad.Tape(loss=loss, validation=True):
        scale()
        total()
    return {"grad": x.grad.to_numpy()}


@case(section="autodiff", warns=(Warning, "Debug mode is disabled, autodiff valid check will not work"))
def validation_without_debug_warns():
    loss = qd.field(qd.f32, shape=(), needs_grad=True)
    with qd.ad.Tape(loss=loss, validation=True):
        pass


# ------------------------------------------------------------------------------------------------- grad_check


@case(section="autodiff", requires=("f64",), golden={"grad": [1.0, 1.6, -0.4]}, stdout="variable 0 passes grad check\n")
def grad_check_compares_with_differences():
    x = qd.field(qd.f64, shape=3, needs_grad=True)
    loss = qd.field(qd.f64, shape=(), needs_grad=True)
    x.from_numpy(np.array([0.5, 0.8, -0.2]))
    with qd.ad.Tape(loss=loss, grad_check=[x]):
        _sum_kernel(x, loss)()
    return {"grad": x.grad.to_numpy()}


@case(section="autodiff", raises=(AssertionError, "Only f64 is supported when checking grad."))
def grad_check_needs_an_f64_loss():
    x = qd.field(qd.f32, shape=3, needs_grad=True)
    loss = qd.field(qd.f32, shape=(), needs_grad=True)
    with qd.ad.Tape(loss=loss, grad_check=[x]):
        _sum_kernel(x, loss)()


@case(section="autodiff", requires=("f64",), raises=(AssertionError, "grad_check should be a list of fields"))
def grad_check_needs_a_list():
    loss = qd.field(qd.f64, shape=(), needs_grad=True)
    qd.ad.Tape(loss=loss, grad_check=loss)


# ------------------------------------------------------------------------------------------------ tape state


@case(section="autodiff", raises=(AssertionError, "Gradients of grad can be evaluated only once."))
def tape_gradients_are_evaluated_once():
    x = qd.field(qd.f32, shape=3, needs_grad=True)
    loss = qd.field(qd.f32, shape=(), needs_grad=True)
    with qd.ad.Tape(loss=loss) as tape:
        _sum_kernel(x, loss)()
    tape.grad()


@case(section="autodiff", raises=(AssertionError, "Tape can be entered only once."))
def tape_is_entered_once():
    loss = qd.field(qd.f32, shape=(), needs_grad=True)
    tape = qd.ad.Tape(loss=loss)
    with tape:
        pass
    with tape:
        pass


@case(section="autodiff", raises=(AssertionError, "Before evaluating gradients tape must be entered."))
def tape_grad_before_entering():
    qd.ad.Tape().grad()


@case(section="autodiff", raises=(RuntimeError, "The loss of `Tape` must be an ndarray with only one element"))
def tape_loss_ndarray_has_one_element():
    loss = qd.ndarray(qd.f32, (2,), needs_grad=True)
    with qd.ad.Tape(loss=loss):
        pass


@case(section="autodiff", golden={"x_grad": [3.0, 3.0], "loss": 6.0})
def tape_without_loss_seeds_nothing():
    """``Tape()`` records; ``grad()`` runs the adjoints with the seed the caller set."""
    x = qd.field(qd.f32, shape=2, needs_grad=True)
    loss = qd.field(qd.f32, shape=(), needs_grad=True)

    @qd.kernel
    def k():
        for i in x:
            loss[None] += x[i] * 3.0

    x.fill(1.0)
    tape = qd.ad.Tape()
    with tape:
        k()
    loss.grad[None] = 1.0
    tape.grad()
    return {"x_grad": x.grad.to_numpy(), "loss": float(loss[None])}


# ------------------------------------------------------------------------------------------- no derivative


@case(section="autodiff", raises=(RuntimeError, "Not supported"))
def bit_cast_has_no_derivative():
    x = qd.field(qd.f32, shape=2, needs_grad=True)
    loss = qd.field(qd.f32, shape=(), needs_grad=True)

    @qd.kernel
    def k():
        for i in x:
            loss[None] += qd.bit_cast(qd.bit_cast(x[i], qd.i32) + 1, qd.f32)

    with qd.ad.Tape(loss=loss):
        k()


@case(section="autodiff", raises=(RuntimeError, "Not supported"))
def round_has_no_derivative():
    """As upstream, ``qd.round`` stops the adjoint (``qd.floor`` and ``qd.ceil`` pass with gradient 0)."""
    x = qd.ndarray(qd.f32, 2, needs_grad=True)
    y = qd.ndarray(qd.f32, 2, needs_grad=True)

    @qd.kernel
    def k(x: qd.types.ndarray(), y: qd.types.ndarray()):
        for i in x:
            y[i] = qd.round(x[i]) + x[i]

    k(x, y)
    y.grad.fill(1.0)
    k.grad(x, y)


@case(section="autodiff", raises=(RuntimeError, "Not supported"))
def round_has_no_forward_derivative():
    x = qd.field(qd.f32, shape=2, needs_dual=True)
    loss = qd.field(qd.f32, shape=(), needs_dual=True)

    @qd.kernel
    def k():
        for i in x:
            loss[None] += qd.round(x[i])

    with qd.ad.FwdMode(loss=loss, param=x, seed=[1.0, 1.0]):
        k()


@case(section="autodiff", raises=(RuntimeError, "Not supported"))
def bit_cast_has_no_forward_derivative():
    x = qd.field(qd.f32, shape=2, needs_dual=True)
    loss = qd.field(qd.f32, shape=(), needs_dual=True)

    @qd.kernel
    def k():
        for i in x:
            loss[None] += qd.bit_cast(qd.bit_cast(x[i], qd.i32) + 1, qd.f32)

    with qd.ad.FwdMode(loss=loss, param=x, seed=[1.0, 1.0]):
        k()


@case(section="autodiff", golden={"grad_placed": False, "y_grad": [2.0, 4.0], "raised": True})
def fields_without_needs_grad_take_no_part():
    """A field without a gradient is read as a constant; its ``.grad`` exists unplaced and cannot be read."""
    x = qd.field(qd.f32, shape=2)
    y = qd.field(qd.f32, shape=2, needs_grad=True)
    loss = qd.field(qd.f32, shape=(), needs_grad=True)

    @qd.kernel
    def k():
        for i in x:
            loss[None] += x[i] * y[i]

    x.from_numpy(np.array([2.0, 4.0], np.float32))
    with qd.ad.Tape(loss=loss):
        k()
    raised = False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            x.grad[0]
    except RuntimeError as exc:
        raised = "Field has no allocation" in str(exc)
    return {"grad_placed": x.has_grad(), "y_grad": y.grad.to_numpy(), "raised": raised}
