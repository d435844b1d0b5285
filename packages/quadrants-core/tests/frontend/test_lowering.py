"""Lowering of kernel code to IR: tasks, loops, short-circuit, funcs, atomics, types."""

from __future__ import annotations

import numpy as np

import quadrants as qd
from quadrants.ir import nodes as ir

F1 = qd.types.NDArray[qd.f32, 1]
I1 = qd.types.NDArray[qd.i32, 1]
I2 = qd.types.NDArray[qd.i32, 2]


def _items(program):
    return [type(item).__name__ for item in program.items]


def test_top_level_loops_are_parallel_tasks_and_statements_serial_blocks(lower):
    @qd.kernel
    def k(x: I1):
        x[0] = 1
        for i in range(4):
            x[i] += 1
        x[1] = 2
        for i in range(4):
            for j in range(2):
                x[i] += j

    program = lower(k, np.zeros(4, np.int32))
    assert _items(program) == ["SerialBlock", "ParallelFor", "SerialBlock", "ParallelFor"]
    inner = program.items[3].body
    assert any(isinstance(s, ir.RangeFor) for s in inner), "a nested loop is serial"


def test_loop_config_serialize_makes_the_next_loop_serial_only(lower):
    @qd.kernel
    def k(x: I1):
        qd.loop_config(serialize=True)
        for i in range(4):
            x[i] = i
        for i in range(4):
            x[i] += 1

    assert _items(lower(k, np.zeros(4, np.int32))) == ["SerialBlock", "ParallelFor"]


def test_loops_reached_through_static_if_and_top_level_funcs_stay_parallel(lower):
    @qd.func
    def fill(x: qd.template()):
        for i in range(4):
            x[i] = 1

    @qd.kernel
    def k(x: I1, c: qd.i32):
        if qd.static(True):
            for i in range(4):
                x[i] = 0
        fill(x)
        if c > 0:
            for i in range(4):
                x[i] = 2

    assert _items(lower(k, np.zeros(4, np.int32), 1)) == ["ParallelFor", "ParallelFor", "SerialBlock"]


def test_ndrange_lowers_to_a_multi_axis_task(lower):
    @qd.kernel
    def k(x: I2, n: qd.i32):
        for i, j in qd.ndrange(3, (1, n)):
            x[i, j] = i + j

    task = lower(k, np.zeros((3, 4), np.int32), 4).items[0]
    assert isinstance(task, ir.ParallelFor) and len(task.vars) == 2
    assert task.begins[1] == ir.Const(1, qd.i32) and task.ends[1] == ir.ArgRef(1, qd.i32)


def test_continue_in_parallel_loop_gets_a_one_trip_scope(lower):
    @qd.kernel
    def k(x: I1):
        for i in range(4):
            if i == 2:
                continue
            x[i] = 1

    body = lower(k, np.zeros(4, np.int32)).items[0].body
    assert len(body) == 1 and isinstance(body[0], ir.RangeFor)


def test_and_or_short_circuit_put_the_right_operand_under_an_if(lower_text):
    @qd.kernel
    def k(x: I1, a: qd.i32):
        x[0] = a and qd.atomic_add(x[1], 1)

    text = lower_text(k, np.zeros(2, np.int32), 0)
    if_line = next(i for i, line in enumerate(text.splitlines()) if line.strip().startswith("if "))
    atomic_line = next(i for i, line in enumerate(text.splitlines()) if "atomic_add" in line)
    assert atomic_line > if_line, text


def test_literal_arithmetic_is_python_at_compile_time(lower_text):
    @qd.kernel
    def k(x: qd.types.NDArray[qd.f32, 1]):
        x[0] = 7 / 2
        x[1] = 7 // 2

    text = lower_text(k, np.zeros(2, np.float32))
    assert "store x[i32 0] = f32 3.5" in text
    assert "store x[i32 1] = f32 3.0" in text


def test_promotion_and_result_types(lower):
    @qd.kernel
    def k(a: qd.u8, b: qd.i16, c: qd.i64, d: qd.u32) -> tuple[qd.i32, qd.i32, qd.i32, qd.i32]:
        return a + b, a + 1, c + d, d + -1

    program = lower(k, 1, 2, 3, 4)
    returns = [s for s in program.items[0].body if isinstance(s, ir.SetReturn)]
    casts = [
        s.value.args[0].dtype if isinstance(s.value, ir.OpExpr) and s.value.op.value == "cast" else None
        for s in returns
    ]
    assert casts == [qd.i16, None, qd.i64, qd.u32]


def test_func_inlining_copies_scalar_parameters(lower_text):
    @qd.func
    def bump(v):
        v = v + 1
        return v

    @qd.kernel
    def k(x: I1):
        t = 5
        x[0] = bump(t)
        x[1] = t

    text = lower_text(k, np.zeros(2, np.int32))
    assert "store x[i32 1] = i32 5" in text, text  # the caller's variable, unchanged (and recomputed where read)


def test_kernel_vars_are_top_level_locals(lower):
    @qd.kernel
    def k(x: I1):
        n = x[0] + 2  # read from memory: stays a variable (an argument expression would be recomputed at each read)
        for i in range(n):
            x[i] = n

    program = lower(k, np.zeros(3, np.int32))
    assert "n" in [v.name for v in program.kernel_vars]


def test_ir_text_does_not_depend_on_source_position(lower_text):
    def make():
        @qd.kernel
        def k(x: I1):
            for i in range(4):
                x[i] = i * 2

        return k

    first = lower_text(make(), np.zeros(4, np.int32))

    @qd.kernel
    def k(x: I1):
        for i in range(4):
            x[i] = i * 2

    assert first == lower_text(k, np.zeros(4, np.int32))


def test_grouped_index_lowers_as_an_i32_vector(lower):
    @qd.kernel
    def k(x: I2):
        for idx in qd.grouped(qd.ndrange(2, 3)):
            x[idx] = (idx + 1).dot(qd.Vector([1, 10])) + idx.x

    program = lower(k, np.zeros((2, 3), np.int32))
    assert _items(program) == ["ParallelFor"]
    (store,) = [s for s in _walk(program.items[0].body) if isinstance(s, ir.Store)]
    assert len(store.indices) == 2


def test_static_grouped_ndrange_unrolls_into_constant_index_vectors(lower):
    @qd.kernel
    def k(x: I2):
        for _ in range(1):
            for offset in qd.static(qd.grouped(qd.ndrange(2, 2))):
                x[offset] = offset[0] * 10 + offset[1]

    (task,) = lower(k, np.zeros((2, 2), np.int32)).items
    stores = [s for s in _walk(task.body) if isinstance(s, ir.Store)]
    assert len(stores) == 4, "one store per unrolled offset"
    assert all(isinstance(i, ir.Const) for s in stores for i in s.indices), "offsets are compile-time constants"


def _walk(stmts):
    for s in stmts:
        yield s
        for attr in ("body", "then", "orelse"):
            yield from _walk(getattr(s, attr, ()) or ())
