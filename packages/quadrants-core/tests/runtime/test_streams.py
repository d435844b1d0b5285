"""Streams, events and parallel blocks (runtime/streams.py, frontend/parallel_blocks.py, docs/streams.md)."""

import numpy as np
import pytest

import quadrants as qd


def test_python_scope_blocks_are_no_op_context_managers():
    seen = []
    with qd.stream_parallel():
        seen.append(1)
    with qd.graph.parallel_context(), qd.graph.parallel():
        seen.append(2)
    assert seen == [1, 2]
    assert qd.graph.parallel is qd.graph_parallel and qd.graph.parallel_context is qd.graph_parallel_context


def test_flat_graph_parallel_names_are_deprecated_in_kernels():
    qd.init(arch="ref")
    try:

        @qd.kernel(graph=True)
        def k(x: qd.types.NDArray[qd.f32, 1]):
            with qd.graph_parallel_context():  # noqa: SIM117
                with qd.graph_parallel():
                    for i in range(4):
                        x[i] = 1.0

        x = qd.ndarray(qd.f32, (4,))
        with pytest.warns(DeprecationWarning, match=r"qd\.graph_parallel_context\(\) is deprecated"):
            k(x)
        assert x.to_numpy().tolist() == [1.0] * 4
    finally:
        qd.reset()


def test_streams_die_with_their_session():
    qd.init(arch="ref")
    stream, event = qd.create_stream(), qd.create_event()
    assert stream.handle != event.handle and stream.handle > 0
    stream.synchronize()
    qd.init(arch="ref")
    with pytest.raises(RuntimeError, match="owning Program has been destroyed"):
        stream.synchronize()
    with pytest.raises(RuntimeError, match="owning Program has been destroyed"):
        event.record()
    qd.reset()


def test_stream_parallel_is_kernel_only_in_funcs():
    qd.init(arch="ref")
    try:

        @qd.func
        def f(x: qd.template()):
            with qd.stream_parallel():
                x[0] = 1.0

        @qd.kernel
        def k(x: qd.types.NDArray[qd.f32, 1]):
            f(x)

        with pytest.raises(qd.QuadrantsSyntaxError, match=r"not @qd\.func"):
            k(np.zeros(1, np.float32))
    finally:
        qd.reset()
