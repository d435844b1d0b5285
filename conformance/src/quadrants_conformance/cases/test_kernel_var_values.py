"""Kernel variables (top-level locals of a kernel, shared by its tasks) that stand for expressions of the arguments:
the values every read sees, in plain kernels and in ``do_while`` bodies (docs/semantics.md §16 for the graphs;
docs/ir.md, "Passes": such variables are recomputed where they are read).
"""

import quadrants as qd
from quadrants_conformance import case
from quadrants_conformance.cases._graph_common import I0, I1, _i0, _i1

I2 = qd.types.ndarray(qd.i32, ndim=2)


@qd.func
def _width(x):
    _B = x.shape[1]  # the pattern of every Genesis qd.func: a kernel variable from a shape
    return _B


@case(section="16.4", golden={"x": [[4, 4, 4, 4], [4, 4, 4, 4], [0, 0, 0, 0]], "log": [12, 3, 13]})
def kernel_variables_from_shapes_and_arguments_between_loops():
    @qd.kernel
    def k(x: I2, log: I1, rows: qd.i32):
        _B = x.shape[1]
        for i, j in qd.ndrange(rows, _B):
            x[i, j] = _B
        n = _B * 3  # built from another kernel variable
        for _t in range(n):
            qd.atomic_add(log[0], 1)
        m = rows + 1
        for _t in range(m):
            qd.atomic_add(log[1], 1)
        log[2] = n + 1

    x, log = qd.ndarray(qd.i32, (3, 4)), _i1(3)
    k(x, log, 2)
    return {"x": x.to_numpy(), "log": log.to_numpy()}


@case(section="16.4", golden={"x": [3, 3, 3, 3, 0, 0], "log": [12, 6, 3], "c": 0})
def kernel_variables_in_a_do_while_body_keep_their_values():
    # each pass: _B = 4 (a qd.func, twice: written again with the same value), loops over it; c counts down from 3
    @qd.kernel(graph=True)
    def k(x2d: I2, x: I1, log: I1, c: I0):
        while qd.graph.do_while(c):
            w = _width(x2d)
            for i in range(w):
                x[i] += 1
            w2 = _width(x2d)
            for _t in range(w2):
                qd.atomic_add(log[0], 1)
            for _t in range(w2 - 2):  # an expression of it
                qd.atomic_add(log[1], 1)
            for _ in range(1):
                log[2] += 1
                c[()] = c[()] - 1

    x2d = qd.ndarray(qd.i32, (1, 4))
    x, log, c = _i1(6), _i1(3), _i0(3)
    k(x2d, x, log, c)
    return {"x": x.to_numpy(), "log": log.to_numpy(), "c": c[()]}


@case(section="16.4", golden={"x": [-1, 127, 127, 127]})
def a_constant_kernel_variable_read_in_a_parallel_loop():
    @qd.kernel
    def k(x: I1):
        v = (1 << 20) | 127  # recomputed at its reads, where the narrowing folds
        for i in range(x.shape[0]):
            x[i] = qd.cast(qd.cast(v, qd.i8), qd.i32)
        x[0] = qd.cast(qd.cast(v | 128, qd.i8), qd.i32)

    x = _i1(4)
    k(x)
    return {"x": x.to_numpy()}
