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


def _two_block_kernel():
    @qd.kernel
    def k(a: qd.types.NDArray[qd.f32, 1], b: qd.types.NDArray[qd.f32, 1]):
        with qd.stream_parallel():
            for i in range(a.shape[0]):
                a[i] = i
            n = qd.i32(a[0]) + 3  # 3, read from memory: a kernel variable the passes keep (not an argument expression)
            for i in range(n):
                a[i] += 1.0
        with qd.stream_parallel():
            for j in range(b.shape[0]):
                b[j] = 2 * j

    return k


def test_stream_parallel_tasks_carry_their_block_number():
    from quadrants.runtime.state import RUNTIME

    qd.init(arch="ref")
    try:
        a, b = qd.ndarray(qd.f32, (8,)), qd.ndarray(qd.f32, (8,))
        _two_block_kernel()(a, b)
        program = RUNTIME.session.last_launch[0].program
        # the serial statement between the loops of block 1 is a task of its own, in block 1, not merged into block 2
        assert [type(t).__name__ for t in program.items] == ["ParallelFor", "SerialBlock", "ParallelFor", "ParallelFor"]
        assert [t.stream for t in program.items] == [1, 1, 1, 2]
        assert "stream 2:" in RUNTIME.session.compiled[-1][1]
        assert a.to_numpy().tolist() == [1, 2, 3, 3, 4, 5, 6, 7] and b.to_numpy().tolist() == list(range(0, 16, 2))
    finally:
        qd.reset()


class _FakeNative:
    """A backend stream/event that logs what core asks of it."""

    _handles = iter(range(1000, 2000))

    def __init__(self, log, name):
        self.log, self.name, self.handle = log, name, next(self._handles)

    def __int__(self):
        return self.handle

    def __getattr__(self, method):
        if method.startswith("__"):
            raise AttributeError(method)
        return lambda *args: self.log.append((self.name, method, *(getattr(a, "name", a) for a in args)))


def test_streams_and_events_delegate_to_a_backend_with_streams(monkeypatch):
    import contextlib

    from quadrants.runtime.state import RUNTIME

    qd.init(arch="cpu")
    try:
        log, launched_on = [], []
        backend = RUNTIME.session.backend

        @contextlib.contextmanager
        def launch_stream(native):
            launched_on.append(native.name)
            yield

        counter = iter(range(100))
        monkeypatch.setattr(backend, "create_stream", lambda: _FakeNative(log, f"s{next(counter)}"), raising=False)
        monkeypatch.setattr(backend, "create_event", lambda: _FakeNative(log, "e"), raising=False)
        monkeypatch.setattr(backend, "launch_stream", launch_stream, raising=False)
        s1, s2, e = qd.create_stream(), qd.create_stream(), qd.create_event()
        assert s1.handle == int(s1._native) and s1.handle != s2.handle
        a, b = qd.ndarray(qd.f32, (8,)), qd.ndarray(qd.f32, (8,))
        k = _two_block_kernel()
        k(a, b, qd_stream=s1)
        k(a, b)
        k(a, b, qd_stream=None)
        e.record(s1)
        e.wait(s2)
        e.wait()
        e.synchronize()
        s2.synchronize()
        with s1:
            pass
        s1.destroy()  # a second destroy does nothing
        assert launched_on == ["s0"]
        assert log == [
            ("e", "record", "s0"),
            ("e", "wait", "s1"),
            ("e", "wait", None),
            ("e", "synchronize"),
            ("s1", "synchronize"),
            ("s0", "destroy"),
        ]
        k(a, b, qd_stream=s1)  # a destroyed stream: the default stream, as upstream
        assert launched_on == ["s0"]
        with pytest.raises(TypeError, match=r"expected a qd\.Stream"):
            k(a, b, qd_stream=3)
    finally:
        qd.reset()


def test_qd_stream_is_refused_where_upstream_refuses_it():
    qd.init(arch="cpu")
    try:
        s = qd.create_stream()

        @qd.kernel(graph=True)
        def g(x: qd.types.NDArray[qd.f32, 1]):
            for i in range(x.shape[0]):
                x[i] = 1.0

        @qd.kernel
        def k(x: qd.template()):
            for i in range(4):
                y[None] += x[i]

        x = qd.ndarray(qd.f32, (4,))
        with pytest.raises(RuntimeError, match="not compatible with graph=True kernels"):
            g(x, qd_stream=s)
        g(x, qd_stream=None)
        f = qd.field(qd.f32, shape=(4,), needs_grad=True, needs_dual=True)
        y = qd.field(qd.f32, shape=(), needs_grad=True, needs_dual=True)
        with pytest.raises(RuntimeError, match="not compatible with autograd Tape"), qd.ad.Tape(loss=y):
            k(f, qd_stream=s)
        # the adjoint: upstream's message, at the user's line; qd_stream=None is no stream and runs it
        y.grad[None] = 1.0
        with pytest.raises(RuntimeError, match="not compatible with autodiff kernels") as info:
            k.grad(f, qd_stream=s)
        assert "test_streams.py" in str(info.value)
        k.grad(f, qd_stream=None)
        np.testing.assert_array_equal(f.grad.to_numpy(), np.ones(4, np.float32))
        with (
            pytest.raises(RuntimeError, match="not compatible with autodiff kernels"),
            qd.ad.FwdMode(loss=y, param=f, seed=[1.0] * 4),
        ):
            k(f, qd_stream=s)
    finally:
        qd.reset()
