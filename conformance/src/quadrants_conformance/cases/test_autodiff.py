"""Reverse-mode autodiff (docs/autodiff.md): the adjoint of every differentiable op against central differences.

Each case computes ``x.grad`` with ``kernel.grad`` and, in the same run, the central difference
``(f(x + h) - f(x - h)) / 2h`` by launching the forward kernel twice, and reports whether they agree (``fd_ok``, the
golden observable) together with the gradient itself (compared between backends). Inputs stay away from kinks
(``abs`` at 0, ``min``/``max`` ties, ``floor`` at integers), where a central difference is no oracle.
"""

import numpy as np

import quadrants as qd
from quadrants_conformance import case

H = 1e-2  # f32 central differences: truncation ~h^2, rounding ~1e-7/h
RTOL = ATOL = 2e-2


def _unary(op):
    @qd.kernel
    def k(x: qd.types.ndarray(), y: qd.types.ndarray()):
        for i in x:
            y[i] = op(x[i])

    return k


def _binary(op):
    @qd.kernel
    def k(a: qd.types.ndarray(), b: qd.types.ndarray(), y: qd.types.ndarray()):
        for i in a:
            y[i] = op(a[i], b[i])

    return k


def _grads_and_differences(kernel, inputs):
    """``kernel(*arrays, out)`` is elementwise: the adjoint with ``out.grad = 1`` and the central difference of each
    input (all elements perturbed at once: element ``i`` of the output depends on element ``i`` only)."""
    inputs = [np.asarray(v, np.float32) for v in inputs]
    arrays = [qd.ndarray(qd.f32, len(v), needs_grad=True) for v in inputs]
    out = qd.ndarray(qd.f32, len(inputs[0]), needs_grad=True)
    for a, v in zip(arrays, inputs):
        a.from_numpy(v)
    kernel(*arrays, out)
    out.grad.fill(1.0)
    kernel.grad(*arrays, out)
    grads = [a.grad.to_numpy() for a in arrays]
    differences = []
    for a, v in zip(arrays, inputs):
        plus, minus = (v + np.float32(H)).astype(np.float32), (v - np.float32(H)).astype(np.float32)
        a.from_numpy(plus)
        kernel(*arrays, out)
        f_plus = out.to_numpy().astype(np.float64)
        a.from_numpy(minus)
        kernel(*arrays, out)
        f_minus = out.to_numpy().astype(np.float64)
        a.from_numpy(v)
        differences.append((f_plus - f_minus) / (plus.astype(np.float64) - minus.astype(np.float64)))
    return grads, differences


def _check(kernel, *inputs) -> dict:
    grads, differences = _grads_and_differences(kernel, inputs)
    ok = all(np.allclose(g, d, rtol=RTOL, atol=ATOL) for g, d in zip(grads, differences))
    return {"fd_ok": bool(ok), **{f"grad{k}": g for k, g in enumerate(grads)}}


X = [0.3, 0.7, 1.1, 1.9]  # positive, away from integers
XS = [-1.7, -0.4, 0.35, 1.3]  # both signs, away from 0 and integers
U = [-0.8, -0.3, 0.2, 0.6]  # inside (-1, 1) (asin, acos)
Y = [0.9, 0.2, 1.6, -0.5]


@qd.func
def _neg(v):
    return -v


@qd.func
def _square_plus(v):
    return v * v + 3.0 * v - 1.0


@qd.func
def _cube(v):
    return v**3


@qd.func
def _int_cast_stops(v):
    return qd.cast(qd.cast(v * 4.0, qd.i32), qd.f32) + v  # the i32 path contributes nothing


@qd.func
def _select(v):
    return qd.select(v > 0.5, v * v, -v)


@qd.func
def _mod(v):
    return v % 0.5 + v // 0.5


@qd.func
def _rounding(v):
    return qd.floor(v) + qd.ceil(v) + v  # qd.round has no derivative (as upstream): test_autodiff_errors.py


_UNARY = {
    "neg": (_neg, XS),
    "polynomial": (_square_plus, XS),
    "pow_int_exponent": (_cube, XS),
    "sqrt": (qd.sqrt, X),
    "rsqrt": (qd.rsqrt, X),
    "sin": (qd.sin, XS),
    "cos": (qd.cos, XS),
    "tan": (qd.tan, U),
    "exp": (qd.exp, XS),
    "log": (qd.log, X),
    "tanh": (qd.tanh, XS),
    "asin": (qd.asin, U),
    "acos": (qd.acos, U),
    "abs": (abs, XS),
    "int_cast": (_int_cast_stops, X),
    "select": (_select, X),
    "mod_floordiv": (_mod, X),
    "floor_ceil": (_rounding, XS),
}


def _unary_case(name, op, xs):
    def run():
        return _check(_unary(op), xs)

    run.__name__ = f"grad_of_{name}"
    return case(run, section="autodiff", golden={"fd_ok": True}, tol="reduction")


for _name, (_op, _xs) in _UNARY.items():
    globals()[f"grad_of_{_name}"] = _unary_case(_name, _op, _xs)


@qd.func
def _add(a, b):
    return a + b


@qd.func
def _sub(a, b):
    return a - b


@qd.func
def _mul(a, b):
    return a * b


@qd.func
def _div(a, b):
    return a / b


@qd.func
def _pow(a, b):
    return a**b


@qd.func
def _min_max(a, b):
    return qd.min(a, b) * 2.0 + qd.max(a, b)


_BINARY = {
    "add": (_add, XS, Y),
    "sub": (_sub, XS, Y),
    "mul": (_mul, XS, Y),
    "div": (_div, XS, Y),
    "pow": (_pow, X, Y),
    "atan2": (qd.atan2, XS, Y),
    "min_max": (_min_max, XS, Y),
}


def _binary_case(name, op, a, b):
    def run():
        return _check(_binary(op), a, b)

    run.__name__ = f"grad_of_{name}"
    return case(run, section="autodiff", golden={"fd_ok": True}, tol="reduction")


for _name, (_op, _a, _b) in _BINARY.items():
    globals()[f"grad_of_{_name}"] = _binary_case(_name, _op, _a, _b)
