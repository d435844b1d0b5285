"""``qd.ad.Tape(loss, grad_check=[x, ...])``: after the tape's gradients are computed, each listed field's gradient
is compared with central differences of the loss along random directions, as upstream's grad checker does
(docs/autodiff.md).

For each ``x`` and each step ``eps`` in ``2**-3, 2**-5, ..., 2**-29``: the fields are restored, ``x`` is moved by
``± eps * t`` (``t`` uniform in [0, 1) per element), the recorded launches run again, and the directional derivative
``(loss(+) - loss(-)) / (2 eps)`` is compared with ``sum(x.grad * t)``; ``x`` passes at the first step whose error is
at most 1 % of the latter. The loss must be f64. Fields restored between runs: every placed field that has a gradient
(upstream restores every field).
"""

from __future__ import annotations

import numpy as np

from quadrants.runtime.field import GRAD_FIELDS
from quadrants.runtime.state import current_session

__all__ = ["GradChecker"]

_EPS = 2.0 ** np.arange(-3, -30, -2).astype(np.float64)


def _primal_fields() -> list:
    """The placed fields of the current session that have a placed gradient."""
    generation = current_session().generation
    out = []
    for grad in list(GRAD_FIELDS):
        primal = getattr(grad, "_qd_primal", None)
        live = grad._qd_placed and grad._generation == generation and grad._storage is not None
        if primal is not None and live:
            out.append(primal)
    return out


class GradChecker:
    """Checks the gradients of ``to_check`` against differences of ``loss`` (upstream's ``GradChecker``)."""

    def __init__(self, loss, to_check):
        if not isinstance(to_check, list):
            raise AssertionError("grad_check should be a list of fields that need to check gradients.")
        self.loss, self.to_check = loss, to_check
        self.fields = _primal_fields()
        self.backups = [f.to_numpy() for f in self.fields]

    def restore(self) -> None:
        for f, saved in zip(self.fields, self.backups, strict=True):
            f.from_numpy(saved)

    def replay(self, calls) -> float:
        for fn, args, kwargs in calls:
            fn(*args, **kwargs)
        return float(np.asarray(self.loss.to_numpy()).reshape(()))

    def check(self, calls) -> None:
        if self.loss.dtype.name != "f64":
            raise AssertionError("Only f64 is supported when checking grad.")
        results = []
        rng = np.random.default_rng()
        for i, x in enumerate(self.to_check):
            if x is self.loss:
                results.append(True)
                continue
            grad = x.grad.to_numpy().astype(np.float64)
            errors, passed = [], False
            for eps in _EPS:
                base = x.to_numpy().astype(np.float64)
                tangent = rng.random(base.shape)
                values = []
                for sign in (1.0, -1.0):
                    self.restore()
                    x.from_numpy((base + sign * eps * tangent).astype(base.dtype))
                    values.append(self.replay(calls))
                numerical = (values[0] - values[1]) * 0.5 / eps
                analytic = float(np.sum(grad * tangent))
                error = abs(analytic - numerical)
                errors.append(error / (abs(analytic) + (1e-20 if numerical == 0 else 0.0)))
                if error * 100 <= abs(analytic):
                    passed = True
                    break
            results.append(passed)
            if passed:
                print("variable", i, "passes grad check")
            else:
                print("variable", i, "has relative error", min(errors), ", expected relative error 0.01")
        self.restore()
        self.replay(calls)
        if not all(results):
            raise AssertionError("Grad check failed: Not all variables pass grad check")
