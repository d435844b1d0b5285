"""``qd.ad``: automatic differentiation on the host side (docs/autodiff.md).

:class:`Tape` records the kernel launches of its ``with`` block and, on exit, seeds ``loss.grad`` with 1 and runs the
adjoint of every recorded launch in reverse order; :func:`grad_replaced` / :func:`grad_for` let a Python function
supply its own gradient, :func:`no_grad` gives one none; :func:`clear_all_gradients` zeroes every gradient field.
:class:`FwdMode` runs the kernels of its block in forward mode (Jacobian-vector products into ``.dual``). The derived
kernels themselves come from ``kernel.grad`` and the dual launch (runtime/autodiff.py).
"""

from __future__ import annotations

import functools
import warnings

import numpy as np

from quadrants.lang.ad_check import GradChecker
from quadrants.runtime.autodiff import RECORDER, VALIDATION
from quadrants.runtime.field import DUAL_FIELDS, GRAD_FIELDS
from quadrants.runtime.state import current_session, materialize

__all__ = ["FwdMode", "Tape", "clear_all_gradients", "grad_replaced", "grad_for", "no_grad"]


def clear_all_gradients(gradient_type=None) -> None:
    """Set every placed gradient field of the current session to zero (ndarray gradients are left alone, as
    upstream); ``gradient_type=qd.SNodeGradType.DUAL`` clears the dual fields instead."""
    materialize()
    generation = current_session().generation
    dual = gradient_type is not None and getattr(gradient_type, "name", str(gradient_type)).upper().endswith("DUAL")
    for companion in list(DUAL_FIELDS if dual else GRAD_FIELDS):
        if companion._qd_placed and companion._generation == generation and companion._storage is not None:
            companion.fill(0)


def _is_field(value) -> bool:
    return getattr(value, "_is_quadrants_field", False)


class Tape:
    """``with qd.ad.Tape(loss=loss): ...`` records kernel launches and, on exit, computes ``d loss / d x`` into the
    ``.grad`` of every field and ndarray ``x`` the launches read.

    ``loss`` is a 0-d field or a one-element ndarray with a gradient. On entry the gradient fields are cleared
    (``clear_gradients=True``) and ``loss`` is set to 0; on exit ``loss.grad`` is set to 1 and the adjoints of the
    recorded launches run in reverse order. ``validation=True`` (under ``qd.init(debug=True)``) runs the recorded
    kernels as validating programs that raise when an element read under the tape is overwritten (upstream's global
    data access rule); ``grad_check=[x, ...]`` compares the gradients of the listed fields with central differences
    after the backward pass (lang/ad_check.py).
    """

    def __init__(self, loss=None, clear_gradients: bool = True, validation: bool = False, grad_check=None):
        self.calls: list[tuple] = []
        self.entered = False
        self.gradient_evaluated = False
        self.clear_gradients = clear_gradients
        self.validation = validation
        self.loss = loss
        self.eval_on_exit = loss is not None
        self.checkbits: dict = {}  # id(array) -> (array, its check bits) of a validating tape
        if validation and not current_session().options.debug:
            warnings.warn(
                "Debug mode is disabled, autodiff valid check will not work. Please specify `qd.init(debug=True)` to "
                "enable the check.",
                Warning,
                stacklevel=2,
            )
        self.grad_checker = GradChecker(loss, grad_check) if grad_check else None

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
        if self.validation and current_session().options.debug and RECORDER.forward_mode is None:
            RECORDER.forward_mode = VALIDATION  # kernels launch their validating programs (runtime/autodiff.py)
        return self

    def __exit__(self, exc_type, exc, tb):
        RECORDER.tape = None
        if RECORDER.forward_mode is VALIDATION:
            RECORDER.forward_mode = None
        self.checkbits.clear()
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
        if self.grad_checker is not None:
            self.grad_checker.check(self.calls)


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


class FwdMode:
    """``with qd.ad.FwdMode(loss=loss, param=x, seed=[...]): ...`` runs the kernels of the block in forward mode: each
    computes its usual results and, into the ``.dual`` of every field it writes, the derivative along ``seed``
    (a Jacobian-vector product: ``loss.dual = J(loss, x) @ seed``).

    ``param`` is a scalar field with a dual (``needs_dual=True`` or ``qd.root.lazy_dual()``); ``seed`` lists one value
    per element of ``param`` (default ``[1.0]`` for a single element); ``loss`` is a scalar field or a list of them.
    On entry the dual fields are cleared (``clear_gradients=True``) and ``param.dual`` is set to ``seed``; on exit
    ``param.dual`` is cleared again.
    """

    def __init__(self, loss, param, seed=None, clear_gradients: bool = True):
        self.entered = False
        self.loss = loss
        self.param = param
        self.seed = seed
        self.clear_gradients = clear_gradients

    def __enter__(self):
        if self.entered:
            raise AssertionError("Forward mode manager can be entered only once.")
        self.entered = True
        materialize()
        self.loss = list(self.loss) if isinstance(self.loss, (list, tuple)) else [self.loss]
        for loss in self.loss:
            if not (_is_field(loss) and not getattr(loss, "element_shape", ())):
                raise AssertionError("the loss of qd.ad.FwdMode must be a scalar field (or a list of them)")
        param = self.param
        if not (_is_field(param) and not getattr(param, "element_shape", ())):
            raise AssertionError("the param of qd.ad.FwdMode must be a scalar field")
        if param.dual is None or not param.has_dual():
            raise RuntimeError(
                "The dual of param is not allocated, please use qd.field(..., needs_dual=True) or qd.root.lazy_dual()"
            )
        count = _element_count(param)
        if not self.seed:
            if count != 1:
                raise RuntimeError(
                    "`seed` is not set for non 0-D field, please specify. `seed` is a list to specify which parameters "
                    "the computed derivatives respect to. The length of the `seed` should be same to that of the "
                    "`parameters`"
                )
            self.seed = [1.0]
        elif len(self.seed) != count:
            raise AssertionError(f"`seed` has {len(self.seed)} values, but param has {count} elements")
        if self.clear_gradients:
            clear_all_gradients(gradient_type="DUAL")
        param.dual.from_numpy(np.asarray(self.seed, dtype=param.dual.dtype.np).reshape(param.shape))
        if RECORDER.forward_mode is VALIDATION:
            raise RuntimeError("qd.ad.FwdMode cannot run inside a qd.ad.Tape(validation=True)")
        if RECORDER.forward_mode is not None:
            raise RuntimeError("qd.ad.FwdMode: another FwdMode is already active; they cannot be nested")
        RECORDER.forward_mode = self
        return self

    def __exit__(self, exc_type, exc, tb):
        RECORDER.forward_mode = None
        self.param.dual.fill(0)


def __dir__() -> list[str]:
    """``dir(qd.ad)``: its public names; the modules and runtime tables it imports are not part of it."""
    return sorted(__all__)
