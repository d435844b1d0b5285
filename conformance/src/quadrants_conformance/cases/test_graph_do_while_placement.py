"""docs/semantics.md §16.1 and §16.2: where ``qd.graph.do_while`` may appear, ``graph=True`` kernels without it, and the
deprecated ``qd.graph_do_while`` alias.

Every array starts at 0 unless the case sets it. ``+k`` in a comment means a one-trip loop that adds ``k``. Loop
counters are 0-d i32 ndarrays; the driver reads them after each pass and repeats while they are non-zero (§16.3).
Execution, nesting and the level table are in ``test_graph_do_while.py``; compile errors of §16.2 in
``test_graph_errors_do_while.py``.
"""

import warnings

import numpy as np

import quadrants as qd
from quadrants_conformance import case
from quadrants_conformance.cases._graph_common import I0, I1, _i0, _i1

# ------------------------------------------------------------------------------------------ allowed places


@case(section="16.2", golden={"on": [3], "off": [100], "c_on": 0, "c_off": 5})
def do_while_in_static_if_branch():
    @qd.kernel(graph=True)
    def k(x: I1, c: I0, mode: qd.template()):
        if qd.static(mode == 1):
            while qd.graph.do_while(c):
                for _ in range(1):
                    x[0] += 1
                c[()] -= 1
        else:
            for _ in range(1):
                x[0] += 100

    on, c_on = _i1(1), _i0(3)
    k(on, c_on, 1)
    off, c_off = _i1(1), _i0(5)
    k(off, c_off, 0)
    return {"on": on.to_numpy(), "off": off.to_numpy(), "c_on": c_on[()], "c_off": c_off[()]}


@case(section="16.2", golden={"x": [10, 3], "c": 0})
def do_while_in_func_called_at_top_level():
    @qd.func
    def drain(x: I1, c: I0):
        while qd.graph.do_while(c):
            for _ in range(1):
                x[1] += 1
            c[()] -= 1

    @qd.kernel(graph=True)
    def k(x: I1, c: I0):
        x[0] = 10
        drain(x, c)

    x, c = _i1(2), _i0(3)
    k(x, c)
    return {"x": x.to_numpy(), "c": c[()]}


@case(section="16.2", golden={"x": [2, 6], "outer": 0, "inner": 0})
def do_while_in_func_called_in_do_while_body():
    @qd.func
    def drain(x: I1, inner: I0):
        inner[()] = 3
        while qd.graph.do_while(inner):
            for _ in range(1):
                x[1] += 1
            inner[()] -= 1

    @qd.kernel(graph=True)
    def k(x: I1, outer: I0, inner: I0):
        while qd.graph.do_while(outer):
            x[0] += 1
            drain(x, inner)
            outer[()] -= 1

    x, outer, inner = _i1(2), _i0(2), _i0()
    k(x, outer, inner)
    return {"x": x.to_numpy(), "outer": outer[()], "inner": inner[()]}


@case(section="16.2", golden={"x": [2], "c": 0})
def do_while_requires_top_level_func_in_body():
    @qd.func(requires_top_level=True)
    def step(x: I1):
        for _ in range(1):
            x[0] += 1

    @qd.kernel(graph=True)
    def k(x: I1, c: I0):
        while qd.graph.do_while(c):
            step(x)
            c[()] -= 1

    x, c = _i1(1), _i0(2)
    k(x, c)
    return {"x": x.to_numpy(), "c": c[()]}


@case(section="16.2", golden={"x": [2, 4, 6], "c": 0})
def do_while_static_for_in_body():
    @qd.kernel(graph=True)
    def k(x: I1, c: I0):
        while qd.graph.do_while(c):
            for v in qd.static(range(3)):
                for _ in range(1):
                    x[v] += v + 1
            c[()] -= 1

    x, c = _i1(3), _i0(2)
    k(x, c)
    return {"x": x.to_numpy(), "c": c[()]}


@case(section="16.2", golden={"x": [20, 21, 22, 23], "c": 0})
def do_while_loop_config_serialize_in_body():
    # loop_config is a bare statement of the body; it serializes the next loop, whose iterations depend on each other
    @qd.kernel(graph=True)
    def k(x: I1, c: I0):
        while qd.graph.do_while(c):
            x[0] += 10
            qd.loop_config(serialize=True)
            for i in range(1, 4):
                x[i] = x[i - 1] + 1
            c[()] -= 1

    x, c = _i1(4), _i0(2)
    k(x, c)
    return {"x": x.to_numpy(), "c": c[()]}


@case(section="16.2", golden={"x": [2, 2, 2, 0, 0], "c": 0})
def do_while_serialized_loop_with_break_in_body():
    @qd.kernel(graph=True)
    def k(x: I1, c: I0):
        while qd.graph.do_while(c):
            qd.loop_config(serialize=True)
            for i in range(5):
                if i == 3:
                    break
                x[i] += 1
            c[()] -= 1

    x, c = _i1(5), _i0(2)
    k(x, c)
    return {"x": x.to_numpy(), "c": c[()]}


@case(section="16.2", golden={"x": [6], "c": 0})
def do_while_plain_while_nested_in_for_allowed():
    @qd.kernel(graph=True)
    def k(x: I1, c: I0):
        while qd.graph.do_while(c):
            for _ in range(1):
                j = 0
                while j < 3:
                    x[0] += 1
                    j += 1
            c[()] -= 1

    x, c = _i1(1), _i0(2)
    k(x, c)
    return {"x": x.to_numpy(), "c": c[()]}


# ------------------------------------------------------------------------------------------ graph=True without do_while


@case(section="16.1", golden={"x": [0, 1, 2, 3]})
def graph_kernel_without_do_while_may_use_plain_while():
    @qd.kernel(graph=True)
    def k(x: I1):
        i = 0
        while i < 4:
            x[i] = i
            i += 1

    x = _i1(4)
    k(x)
    return {"x": x.to_numpy()}


@case(section="16.1", golden={"graph": [7, 8, 9, 10], "plain": [7, 8, 9, 10]})
def graph_kernel_equals_plain_kernel():
    @qd.kernel(graph=True)
    def g(x: I1, n: qd.i32):
        x[0] = n
        for i in range(1, 4):
            x[i] = i
        for i in range(1, 4):
            x[i] += n
        if n > 0:
            x[0] += 0

    @qd.kernel
    def p(x: I1, n: qd.i32):
        x[0] = n
        for i in range(1, 4):
            x[i] = i
        for i in range(1, 4):
            x[i] += n
        if n > 0:
            x[0] += 0

    a, b = _i1(4), _i1(4)
    g(a, 7)
    p(b, 7)
    return {"graph": a.to_numpy(), "plain": b.to_numpy()}


@case(section="11", golden={"r": 10, "x": [1, 2, 3, 4]})
def graph_kernel_may_return_a_value():
    @qd.kernel(graph=True)
    def k(x: I1) -> qd.i32:
        for i in range(4):
            x[i] = i + 1
        return x[0] + x[1] + x[2] + x[3]

    x = _i1(4)
    r = k(x)
    return {"r": r, "x": x.to_numpy()}


@case(section="16.1", golden={"first": [3, 3], "second": [6, 6], "c": 0})
def do_while_kernel_called_twice():
    # every launch starts with the driver state reset; the counter is set by the host before each call
    @qd.kernel(graph=True)
    def k(x: I1, c: I0):
        while qd.graph.do_while(c):
            for i in range(2):
                x[i] += 1
            c[()] -= 1

    x, c = _i1(2), _i0(3)
    k(x, c)
    first = x.to_numpy()
    c[()] = 3
    k(x, c)
    return {"first": first, "second": x.to_numpy(), "c": c[()]}


# ------------------------------------------------------------------------------------------ deprecated alias


@case(section="16.2", warns=(DeprecationWarning, "qd.graph_do_while() is deprecated"), golden={"x": [3], "c": 0})
def graph_do_while_alias_works_and_warns():
    @qd.kernel(graph=True)
    def k(x: I1, c: I0):
        while qd.graph_do_while(c):
            for _ in range(1):
                x[0] += 1
            c[()] -= 1

    x, c = _i1(1), _i0(3)
    k(x, c)
    return {"x": x.to_numpy(), "c": c[()]}


@case(section="20", golden={"after_first": 1, "after_repeat": 1, "after_new_specialization": 2, "x": [15]})
def graph_do_while_alias_warns_once_per_specialization():
    # SEMANTICS §20 row 25: once per compiled specialization, not once per call or compile pass
    @qd.kernel(graph=True)
    def k(x: I1, c: I0, step: qd.template()):
        while qd.graph_do_while(c):
            for _ in range(1):
                x[0] += step
            c[()] -= 1

    def count(log):
        return sum(
            1
            for w in log
            if issubclass(w.category, DeprecationWarning) and "qd.graph_do_while() is deprecated" in str(w.message)
        )

    x = _i1(1)
    with warnings.catch_warnings(record=True) as log:
        warnings.simplefilter("always")
        k(x, _i0(1), 1)
        first = count(log)
        k(x, _i0(2), 1)
        k(x, _i0(1), 1)
        repeat = count(log)
        k(x, _i0(1), 11)
        new = count(log)
    return {"after_first": first, "after_repeat": repeat, "after_new_specialization": new, "x": x.to_numpy()}


@case(section="16.2", golden={"warned": 0, "x": [2]})
def graph_do_while_no_warning_for_new_spelling():
    @qd.kernel(graph=True)
    def k(x: I1, c: I0):
        while qd.graph.do_while(c):
            for _ in range(1):
                x[0] += 1
            c[()] -= 1

    x = _i1(1)
    with warnings.catch_warnings(record=True) as log:
        warnings.simplefilter("always")
        k(x, _i0(2))
    warned = sum(1 for w in log if issubclass(w.category, DeprecationWarning))
    return {"warned": warned, "x": x.to_numpy()}


@case(section="16.3", golden={"x": np.array([4, 4, 4], dtype=np.int32), "c": 0})
def do_while_numpy_array_arguments():
    # ndarray parameters accept NumPy arrays passed directly (§7): writes are visible, the counter included
    @qd.kernel(graph=True)
    def k(x: I1, c: I0):
        while qd.graph.do_while(c):
            for i in range(3):
                x[i] += 1
            c[()] -= 1

    x = np.zeros(3, dtype=np.int32)
    c = np.array(4, dtype=np.int32)
    k(x, c)
    return {"x": x, "c": int(c[()])}
