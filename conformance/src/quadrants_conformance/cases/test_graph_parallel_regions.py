"""docs/streams.md and docs/graph.md: ``qd.graph.parallel_context`` regions inside a ``qd.graph.do_while`` body,
what a section may not hold, and sections that call ``@qd.func`` methods reached through a list of bound methods
(upstream's pattern: one section per member function)."""

import numpy as np

import quadrants as qd
from quadrants_conformance import case

I1 = qd.types.NDArray[qd.i32, 1]
I0 = qd.types.NDArray[qd.i32, 0]
N = 16


@case(section="16", golden={"x": [5] * N, "y": [10] * N, "counter": 0})
def parallel_region_inside_a_do_while_body():
    @qd.kernel(graph=True)
    def k(x: I1, y: I1, counter: I0):
        while qd.graph.do_while(counter):
            with qd.graph.parallel_context():
                with qd.graph.parallel():
                    for i in range(x.shape[0]):
                        x[i] = x[i] + 1
                with qd.graph.parallel():
                    for i in range(y.shape[0]):
                        y[i] = y[i] + 2
            for _ in range(1):
                counter[()] = counter[()] - 1

    x, y, counter = qd.ndarray(qd.i32, (N,)), qd.ndarray(qd.i32, (N,)), qd.ndarray(qd.i32, ())
    counter.from_numpy(np.array(5, np.int32))
    k(x, y, counter)
    return {"x": x.to_numpy(), "y": y.to_numpy(), "counter": int(counter.to_numpy())}


@case(section="16", raises=(qd.QuadrantsSyntaxError, "qd.graph.do_while() cannot appear inside a qd.graph.parallel"))
def do_while_inside_a_parallel_section_error():
    @qd.kernel(graph=True)
    def k(x: I1, counter: I0):
        with qd.graph.parallel_context():  # noqa: SIM117 (the region and its section are separate constructs)
            with qd.graph.parallel():
                while qd.graph.do_while(counter):
                    for i in range(x.shape[0]):
                        x[i] = x[i] + 1

    k(qd.ndarray(qd.i32, (N,)), qd.ndarray(qd.i32, ()))


@qd.data_oriented
class _Parts:
    def __init__(self):
        self.a = qd.field(qd.i32, shape=N)
        self.b = qd.field(qd.i32, shape=N)
        self.funcs = [self._add_a, self._add_b]  # bound methods, as in Python

    @qd.func
    def _add_a(self):
        for i in range(N):
            self.a[i] += 1

    @qd.func
    def _add_b(self):
        for i in range(N):
            self.b[i] += 10

    @qd.kernel(graph=True)
    def step(self):
        with qd.graph.parallel_context():
            for j in qd.static(range(len(self.funcs))):
                with qd.graph.parallel():
                    self.funcs[j]()


@case(section="16", golden={"a": [2] * N, "b": [20] * N})
def sections_call_bound_methods_from_a_static_list():
    parts = _Parts()
    parts.step()
    parts.step()
    return {"a": parts.a.to_numpy(), "b": parts.b.to_numpy()}


@case(section="19.2", golden={"a": [1] * N, "b": [10] * N})
def func_method_of_a_global_data_oriented_object():
    parts = _Parts()
    add_b = parts._add_b

    @qd.kernel
    def k():
        parts._add_a()  # obj.method() on an object the kernel captures, not a parameter
        add_b()  # a bound method kept in a variable

    k()
    return {"a": parts.a.to_numpy(), "b": parts.b.to_numpy()}
