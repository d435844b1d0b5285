"""docs/streams.md: ``qd.stream_parallel``, ``qd.graph.parallel_context`` / ``qd.graph.parallel``, streams and events.

Program order is the semantics on every backend: the results are those of running every statement in order."""

import quadrants as qd
from quadrants_conformance import case

F1 = qd.types.NDArray[qd.f32, 1]
N = 64


def _f(value=0.0):
    arr = qd.ndarray(qd.f32, (N,))
    arr.fill(value)
    return arr


@case(section="streams", golden={"x": [1.0] * N, "y": [2.0] * N, "z": [3.0] * N})
def stream_parallel_loops_run_in_program_order():
    @qd.kernel
    def k(x: F1, y: F1):
        with qd.stream_parallel():
            for i in range(N):
                x[i] = x[i] + 1.0
            for i in range(N):
                y[i] = y[i] + 2.0

    @qd.kernel
    def after(x: F1, y: F1, z: F1):
        for i in range(N):
            z[i] = x[i] + y[i]

    x, y, z = _f(), _f(), _f()
    k(x, y)
    after(x, y, z)  # a later launch sees both blocks' writes
    return {"x": x.to_numpy(), "y": y.to_numpy(), "z": z.to_numpy()}


@case(section="streams", raises=(qd.QuadrantsSyntaxError, "all top-level statements in the kernel must be"))
def stream_parallel_beside_other_top_level_code_error():
    @qd.kernel
    def k(x: F1, z: F1):
        with qd.stream_parallel():
            for i in range(N):
                x[i] = x[i] + 1.0
        for i in range(N):  # not in a stream_parallel block: move it to a kernel of its own
            z[i] = x[i]

    k(_f(), _f())


@case(section="streams", golden={"off": [0.0, 1.0] * 2, "on": [1.0, 1.0] * 2, "z": [2.0] * 4})
def graph_parallel_sections_and_a_static_optional_section():
    def make(enabled):
        @qd.kernel(graph=True)
        def k(x: F1, y: F1, z: F1):
            with qd.graph.parallel_context():
                with qd.graph.parallel():
                    for i in range(x.shape[0]):
                        x[i] = x[i] + 1.0
                if qd.static(enabled):
                    with qd.graph.parallel():
                        for i in range(y.shape[0]):
                            y[i] = y[i] + 1.0
            for i in range(z.shape[0]):
                z[i] = x[i] + y[i]

        return k

    x, y, z = _f(), _f(), _f()
    make(False)(x, y, z)
    off = [float(y.to_numpy()[0]), float(x.to_numpy()[0])] * 2
    make(True)(x, y, z)
    return {"off": off, "on": [float(y.to_numpy()[0]), 1.0] * 2, "z": [float(z.to_numpy()[0]) - 1.0] * 4}


@case(section="streams", golden={"a": [2.0] * N, "b": [3.0] * N})
def kernels_on_streams_with_events_keep_program_order():
    @qd.kernel
    def add(x: F1, v: qd.f32):
        for i in range(N):
            x[i] = x[i] + v

    a, b = _f(), _f()
    s1, s2 = qd.create_stream(), qd.create_stream()
    event = qd.create_event()
    add(a, 1.0, qd_stream=s1)
    event.record(s1)
    event.wait(s2)
    add(a, 1.0, qd_stream=s2)
    with qd.create_stream() as s3:
        add(b, 3.0, qd_stream=s3)
        s3.synchronize()
    event.synchronize()
    s1.synchronize()
    s1.destroy()
    s2.destroy()
    event.destroy()
    return {"a": a.to_numpy(), "b": b.to_numpy()}


@case(section="streams", raises=(qd.QuadrantsSyntaxError, "requires @qd.kernel(graph=True)"))
def parallel_context_needs_a_graph_kernel():
    @qd.kernel
    def k(x: F1):
        with qd.graph.parallel_context():  # noqa: SIM117 (the region and its section are separate constructs)
            with qd.graph.parallel():
                for i in range(N):
                    x[i] = 1.0

    k(_f())


@case(section="streams", raises=(qd.QuadrantsSyntaxError, "not compatible with graph=True kernels"))
def stream_parallel_is_not_for_graph_kernels():
    @qd.kernel(graph=True)
    def k(x: F1):
        with qd.stream_parallel():
            for i in range(N):
                x[i] = 1.0

    k(_f())


@case(section="streams", raises=(qd.QuadrantsSyntaxError, "may contain only 'with qd.graph.parallel():' blocks"))
def a_region_holds_only_sections():
    @qd.kernel(graph=True)
    def k(x: F1):
        with qd.graph.parallel_context():
            for i in range(N):
                x[i] = 1.0

    k(_f())


@case(section="streams", raises=(RuntimeError, "qd_stream is not compatible with graph=True kernels"))
def qd_stream_is_not_for_graph_kernels():
    @qd.kernel(graph=True)
    def k(x: F1):
        for i in range(N):
            x[i] = 1.0

    k(_f(), qd_stream=qd.create_stream())


def _squares():
    @qd.kernel
    def square(x: F1, y: F1):
        for i in range(N):
            y[i] = x[i] * x[i]

    x, y = qd.ndarray(qd.f32, (N,), needs_grad=True), qd.ndarray(qd.f32, (N,), needs_grad=True)
    x.fill(3.0)
    y.grad.fill(1.0)
    return square, x, y


@case(section="streams", raises=(RuntimeError, "qd_stream is not compatible with autodiff kernels"))
def qd_stream_is_not_for_adjoint_launches():
    square, x, y = _squares()
    square(x, y, qd_stream=qd.create_stream())  # the forward launch may go to a stream
    square.grad(x, y, qd_stream=qd.create_stream())


@case(section="streams", golden={"y": [9.0] * N, "x_grad": [6.0] * N})
def adjoint_launch_with_qd_stream_none_runs():
    square, x, y = _squares()
    square(x, y, qd_stream=None)
    square.grad(x, y, qd_stream=None)  # None is no stream: the adjoint runs as without the argument
    return {"y": y.to_numpy(), "x_grad": x.grad.to_numpy()}


@case(section="streams", golden={"x0": [10.0] * N, "x1": [21.0] * N, "x2": [32.0] * N})
def one_kernel_on_several_streams_keeps_each_launchs_arguments():
    @qd.kernel
    def scale_add(x: F1, a: qd.f32, b: qd.f32):
        for i in range(N):
            x[i] = x[i] * a + b

    xs = [_f(1.0) for _ in range(3)]
    streams = [qd.create_stream() for _ in range(3)]
    for k, (x, s) in enumerate(zip(xs, streams)):
        scale_add(x, 10.0, float(k), qd_stream=s)  # x = 10 + k ...
        scale_add(x, 1.0, float(k) * 10.0, qd_stream=s)  # ... + 10 k, queued behind it on the same stream
    return {f"x{k}": x.to_numpy() for k, x in enumerate(xs)}  # host reads see every stream's launches


@case(section="streams", golden={"a": [5.0] * N, "b": [7.0] * N, "z": [14.0] * N})
def stream_parallel_blocks_with_serial_code_and_host_copies_in_between():
    @qd.kernel
    def k(a: F1, b: F1, z: F1):
        with qd.stream_parallel():
            base = 2.0  # a serial task of block 1
            for i in range(N):
                a[i] = a[i] + base
        with qd.stream_parallel():
            for i in range(N):
                b[i] = b[i] * 2.0
            for i in range(N):
                z[i] = b[i] + 1.0  # after the loop above: the same block

    @qd.kernel
    def add(x: F1, v: qd.f32):
        for i in range(N):
            x[i] = x[i] + v

    a, b, z = _f(3.0), _f(3.0), _f()
    k(a, b, z)
    s = qd.create_stream()
    add(b, 1.0, qd_stream=s)  # b = 7 once the blocks are done (a stream launch after default-stream work)
    z.from_numpy(z.to_numpy() * 2.0)  # a host round trip after the launch on s; z = 14
    return {"a": a.to_numpy(), "b": b.to_numpy(), "z": z.to_numpy()}
