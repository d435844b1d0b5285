"""Misuse of graph kernels: ``qd.graph.do_while``, ``qd.checkpoint`` and ``kernel.resume``."""

from __future__ import annotations

from quadrants_conformance.robustness.program import program

C0 = "qd.types.NDArray[qd.i32, 0]"
I1 = "qd.types.NDArray[qd.i32, 1]"

GRAPH = [
    (
        "do_while_without_graph",
        f"@qd.kernel\ndef k(c: {C0}):\n    while qd.graph.do_while(c):\n        c[()] -= 1\nk(qd.ndarray(qd.i32, ()))",
        "QuadrantsSyntaxError",
    ),
    (
        "do_while_on_local",
        "@qd.kernel(graph=True)\ndef k():\n    c = 3\n    while qd.graph.do_while(c):\n        c -= 1\nk()",
        "QuadrantsSyntaxError",
    ),
    (
        "do_while_on_scalar_param",
        "@qd.kernel(graph=True)\ndef k(c: qd.i32):\n    while qd.graph.do_while(c):\n        pass\nk(3)",
        "QuadrantsSyntaxError",
    ),
    (
        "do_while_on_f32_counter",
        "@qd.kernel(graph=True)\ndef k(c: qd.types.NDArray[qd.f32, 0]):\n    while qd.graph.do_while(c):\n"
        "        for i in range(1):\n            c[()] = 0.0\nk(qd.ndarray(qd.f32, ()))",
        "QuadrantsSyntaxError",
    ),
    (
        "do_while_in_runtime_if",
        f"@qd.kernel(graph=True)\ndef k(c: {C0}, x: {I1}):\n    if x[0] > 0:\n        while qd.graph.do_while(c):\n"
        "            c[()] -= 1\nk(qd.ndarray(qd.i32, ()), qd.ndarray(qd.i32, 2))",
        "QuadrantsSyntaxError",
    ),
    (
        "do_while_called_in_python",
        "qd.graph.do_while(qd.ndarray(qd.i32, ()))",
        "QuadrantsSyntaxError",
    ),
    (
        "checkpoint_without_checkpoints",
        f"@qd.kernel(graph=True)\ndef k(x: {I1}):\n    with qd.checkpoint():\n        for i in range(2):\n"
        "            x[i] = 1\nk(qd.ndarray(qd.i32, 2))",
        "QuadrantsSyntaxError",
    ),
    (
        "checkpoint_label_used_twice",
        f"@qd.kernel(graph=True, checkpoints=True)\ndef k(x: {I1}):\n    with qd.checkpoint(1):\n"
        "        for i in range(2):\n            x[i] = 1\n    with qd.checkpoint(1):\n        for i in range(2):\n"
        "            x[i] = 2\nk(qd.ndarray(qd.i32, 2))",
        "QuadrantsSyntaxError",
    ),
    (
        "checkpoint_inside_static",
        f"@qd.kernel(graph=True, checkpoints=True)\ndef k(x: {I1}):\n    with qd.static(qd.checkpoint(1)):\n"
        "        x[0] = 1\nk(qd.ndarray(qd.i32, 2))",
        "QuadrantsSyntaxError",
    ),
    (
        "yield_on_not_a_parameter",
        f"@qd.kernel(graph=True, checkpoints=True)\ndef k(x: {I1}):\n    f = 1\n"
        "    with qd.checkpoint(1, yield_on=f):\n"
        "        for i in range(2):\n            x[i] = 1\nk(qd.ndarray(qd.i32, 2))",
        "QuadrantsSyntaxError",
    ),
    (
        "do_while_counter_1d",
        f"@qd.kernel(graph=True)\ndef k(c: {I1}):\n    while qd.graph.do_while(c):\n        for i in range(1):\n"
        "            c[0] -= 1\nk(qd.ndarray(qd.i32, 1))",
        "QuadrantsSyntaxError",
    ),
    (
        "break_in_do_while",
        f"@qd.kernel(graph=True)\ndef k(c: {C0}):\n    while qd.graph.do_while(c):\n        break\n"
        "k(qd.ndarray(qd.i32, ()))",
        "QuadrantsSyntaxError",
    ),
    (
        "checkpoint_kernel_with_return",
        "@qd.kernel(graph=True, checkpoints=True)\ndef k() -> qd.i32:\n    return 1\nk()",
        "QuadrantsSyntaxError",
    ),
]

RESUMABLE = f"""
@qd.kernel(graph=True, checkpoints=True)
def k(x: {I1}, flag: {C0}):
    with qd.checkpoint(7, yield_on=flag):
        for i in range(2):
            x[i] += 1

x = qd.ndarray(qd.i32, 2)
flag = qd.ndarray(qd.i32, ())
k(x, flag)
"""

RESUME = [
    ("resume_unknown_label", "k.resume(x, flag, from_checkpoint=99)", "RuntimeError"),
    ("resume_none_label", "k.resume(x, flag, from_checkpoint=None)", "RuntimeError"),
    ("resume_string_label", "k.resume(x, flag, from_checkpoint='seven')", "RuntimeError"),
]


def programs() -> list:
    out = [program(f"graph/{pid}", "graph", src, error=err) for pid, src, err in GRAPH]
    out += [program(f"graph/{pid}", "graph", RESUMABLE + call, error=err) for pid, call, err in RESUME]
    out.append(
        program(
            "graph/resume_without_checkpoints",
            "graph",
            f"@qd.kernel(graph=True)\ndef g(x: {I1}):\n    for i in range(2):\n        x[i] = 1\n"
            "g.resume(qd.ndarray(qd.i32, 2), from_checkpoint=1)",
            error="QuadrantsSyntaxError",
        )
    )
    out.append(
        program(
            "graph/resume_known_label_works",
            "graph",
            RESUMABLE + "k.resume(x, flag, from_checkpoint=7)\nassert (x.to_numpy() == 2).all()",
            expect="ok",
        )
    )
    return out
