"""``qd.ad``: reverse-mode automatic differentiation on the host side (docs/autodiff.md).

:class:`Tape` records the kernel launches of its ``with`` block and, on exit, seeds ``loss.grad`` with 1 and runs the
adjoint of every recorded launch in reverse order; :func:`grad_replaced` / :func:`grad_for` let a Python function
supply its own gradient, :func:`no_grad` gives one none; :func:`clear_all_gradients` zeroes every gradient field.
The adjoint kernels themselves come from ``kernel.grad`` (runtime/autodiff.py).
"""

from __future__ import annotations

import functools
import warnings

from quadrants.runtime.autodiff import RECORDER
from quadrants.runtime.field import GRAD_FIELDS
from quadrants.runtime.state import current_session, materialize

__all__ = ["Tape", "clear_all_gradients", "grad_replaced", "grad_for", "no_grad"]


def clear_all_gradients(gradient_type=None) -> None:
    """Set every placed gradient field of the current session to zero (ndarray gradients are left alone, as
    upstream)."""
    materialize()
    generation = current_session().generation
    for grad in list(GRAD_FIELDS):
        if grad._qd_placed and grad._generation == generation and grad._storage is not None:
            grad.fill(0)


def _is_field(value) -> bool:
    return getattr(value, "_is_quadrants_field", False)


class Tape:
    """``with qd.ad.Tape(loss=loss): ...`` records kernel launches and, on exit, computes ``d loss / d x`` into the
    ``.grad`` of every field and ndarray ``x`` the launches read.

    ``loss`` is a 0-d field or a one-element ndarray with a gradient. On entry the gradient fields are cleared
    (``clear_gradients=True``) and ``loss`` is set to 0; on exit ``loss.grad`` is set to 1 and the adjoints of the
    recorded launches run in reverse order. ``validation`` and ``grad_check`` are accepted for upstream
    compatibility: the global-data-access checker is not implemented (a warning says so).
    """

    def __init__(self, loss=None, clear_gradients: bool = True, validation: bool = False, grad_check=None):
        self.calls: list[tuple] = []
        self.entered = False
        self.gradient_evaluated = False
        self.clear_gradients = clear_gradients
        self.validation = validation
        self.loss = loss
        self.eval_on_exit = loss is not None
        if validation or grad_check:
            warnings.warn(
                "qd.ad.Tape(validation=..., grad_check=...) is not implemented here: gradients are computed without "
                "checking the global data access rule (docs/autodiff.md)",
                stacklevel=2,
            )

    def __enter__(self):
        if self.entered:
            raise AssertionError("Tape can be entered only once.")
        self.entered = True
        loss = self.loss
        if loss is not None:
            if _is_field(loss):
                materialize()
                if len(loss.shape) != 0:
                    raise RuntimeError("The loss of `Tape` must be a 0-D field, i.e. scalar")
                if not loss.has_grad():
                    raise RuntimeError(
                        "Gradients of loss are not allocated, please use qd.field(..., needs_grad=True) for all fields "
                        "that are required by autodiff."
                    )
                if self.clear_gradients:
                    clear_all_gradients()
            elif getattr(loss, "_is_quadrants_ndarray", False):
                if _element_count(loss) != 1:
                    raise RuntimeError("The loss of `Tape` must be an ndarray with only one element")
                if loss.grad is None:
                    raise RuntimeError(
                        "Gradients of loss are not allocated, please set needs_grad=True for all ndarrays that are "
                        "required by autodiff."
                    )
            else:
                raise TypeError(
                    f"The loss of `Tape` must be a 0-D qd.field or a one-element qd.ndarray, got {type(loss).__name__}"
                )
            loss.fill(0.0)
        if RECORDER.tape is not None:
            raise RuntimeError("qd.ad.Tape: another Tape is already recording; tapes cannot be nested")
        RECORDER.tape = self
        return self

    def __exit__(self, exc_type, exc, tb):
        RECORDER.tape = None
        if exc_type is None and self.eval_on_exit:
            self.grad()

    def insert(self, fn, args: tuple, kwargs: dict | None = None) -> None:
        """Record one launch (a kernel or a ``grad_replaced`` function) with its arguments."""
        self.calls.append((fn, args, kwargs or {}))

    def grad(self) -> None:
        """Seed ``loss.grad`` with 1 and run the recorded launches' adjoints in reverse order (once)."""
        if not self.entered:
            raise AssertionError("Before evaluating gradients tape must be entered.")
        if self.gradient_evaluated:
            raise AssertionError("Gradients of grad can be evaluated only once.")
        if self.loss is not None:
            self.loss.grad.fill(1.0)
        for fn, args, kwargs in reversed(self.calls):
            grad = getattr(fn, "grad", None)
            if grad is not None:
                grad(*args, **kwargs)
        self.gradient_evaluated = True


def _element_count(array) -> int:
    count = 1
    for n in tuple(array.shape) + tuple(getattr(array, "element_shape", ())):
        count *= n
    return count


def _recorded(fn, grad):
    """``fn`` wrapped so that a recording tape records it (and not the kernels it launches); ``grad`` is its
    gradient function (``None`` until ``grad_for`` provides one)."""

    @functools.wraps(fn)
    def decorated(*args, **kwargs):
        RECORDER.record(decorated, args, kwargs)
        RECORDER.suspended += 1
        try:
            return fn(*args, **kwargs)
        finally:
            RECORDER.suspended -= 1

    decorated.grad = grad
    return decorated


def grad_replaced(func):
    """Decorate a Python function whose gradient is supplied by a :func:`grad_for` function: inside a :class:`Tape`
    the function is recorded as one launch and its gradient function runs in place of the kernels' adjoints."""
    return _recorded(func, None)


def grad_for(primal):
    """``@qd.ad.grad_for(f)`` makes the decorated function the gradient of the ``grad_replaced`` function ``f``."""

    def decorator(func):
        if not hasattr(primal, "grad"):
            raise RuntimeError(f"Primal function `{primal.__name__}` must be decorated by qd.ad.grad_replaced")
        if primal.grad is not None:
            raise RuntimeError(
                "Primal function must be a **python** function instead of a quadrants kernel. Please wrap the "
                "quadrants kernel in a @qd.ad.grad_replaced decorated python function instead."
            )

        @functools.wraps(func)
        def decorated(*args, **kwargs):
            func(*args, **kwargs)

        primal.grad = decorated
        return decorated

    return decorator


def no_grad(func):
    """Decorate a Python function whose launches contribute no gradient: a :class:`Tape` skips it."""

    def nothing(*args, **kwargs):
        return None

    return _recorded(func, nothing)
