"""``@qd.func`` parameters annotated ``qd.template()`` given a local variable: the func works on the caller's
variable itself (``ret += x`` updates it), for scalars and vectors, also through funcs passed as template arguments
(Genesis's neighbour loops); and host NumPy ints as loop bounds. Golden values are upstream 1.3.3's on ``qd.cpu``.
"""

import warnings

import numpy as np

import quadrants as qd
from quadrants_conformance import case


@qd.func
def _accumulate(i, ret: qd.template()):
    ret += i * 1.0


@qd.func
def _for_all(n, ret: qd.template(), task: qd.template()):
    for j in range(n):
        task(j, ret)


@qd.func
def _shift(v: qd.template(), d):
    v += qd.Vector([d, 2 * d])
    v[0] += 1.0


@qd.func
def _copy_param(ret: qd.f32):
    ret += 100.0


@case(section="7", golden={"x": [6.0, 6.0, 29.0, 0.0]})
def template_parameter_updates_the_callers_scalar():
    @qd.kernel
    def k(x: qd.types.NDArray[qd.f32, 1]):
        for i in range(2):
            r = 0.0
            _for_all(4, r, _accumulate)
            x[i] = r
        s = 0.0
        _accumulate(29, s)
        x[2] = s
        t = 0.0
        _copy_param(t)  # an annotated scalar parameter is a copy
        x[3] = t

    x = qd.ndarray(qd.f32, (4,))
    k(x)
    return {"x": x.to_numpy()}


@case(section="7", golden={"v": [3.5, 3.0]})
def template_parameter_updates_the_callers_vector():
    @qd.kernel
    def k(out: qd.types.NDArray[qd.types.vector(2, qd.f32), 1]):
        v = qd.Vector([0.0, 0.0])
        _shift(v, 1.0)
        _shift(v, 0.5)
        out[0] = v

    out = qd.Vector.ndarray(2, qd.f32, (1,))
    k(out)
    return {"v": out.to_numpy()[0]}


@case(section="10", golden={"x": [2, 2, 2, 2, 1, 1], "warnings": 0})
def numpy_int_loop_bounds_are_plain_ints():
    n = np.prod([2, 3])
    m = np.int64(4)

    @qd.kernel
    def k(x: qd.types.NDArray[qd.i32, 1]):
        for i in range(n):
            x[i] += 1
        for i, j in qd.ndrange(m, 2):
            x[i] += j

    x = qd.ndarray(qd.i32, (6,))
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        k(x)
    return {"x": x.to_numpy(), "warnings": len([w for w in seen if "range_for" in str(w.message)])}
