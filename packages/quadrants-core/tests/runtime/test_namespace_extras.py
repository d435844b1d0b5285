"""qd.profiler, qd.tools, qd.perf_dispatch, qd.pyfunc / qd.real_func, qd.frexp on the host (docs/profiler.md,
docs/tools.md, docs/perf_dispatch.md, docs/misc-functions.md)."""

import numpy as np
import pytest

import quadrants as qd

F1 = qd.types.NDArray[qd.f32, 1]


@pytest.fixture
def ref():
    def start(**options):
        return qd.init(arch="ref", **options)

    yield start
    qd.reset()


def test_kernel_profiler_counts_launches(ref, capsys):
    ref(kernel_profiler=True)

    @qd.kernel
    def fill(a: F1):
        for i in a:
            a[i] = i

    a = qd.ndarray(qd.f32, (8,))
    for _ in range(3):
        fill(a)
    r = qd.profiler.query_kernel_profiler_info("fill")
    assert r.counter == 3 and 0 <= r.min <= r.avg <= r.max
    assert qd.profiler.get_kernel_profiler_total_time() > 0
    qd.profiler.print_kernel_profiler_info()
    out = capsys.readouterr().out
    assert "Kernel Profiler(count, default) @ ref" in out and "3x" in out and "] fill" in out
    qd.profiler.clear_kernel_profiler_info()
    assert qd.profiler.query_kernel_profiler_info("fill").counter == 0
    with pytest.raises(ValueError, match="mode must be"):
        qd.profiler.print_kernel_profiler_info("both")


@pytest.mark.parametrize("arch", ["ref", "llvm-cpu"])
def test_kernel_profiler_times_each_task_and_keeps_results(arch, capsys):
    qd.init(arch=arch, kernel_profiler=True)
    try:

        @qd.kernel
        def steps(a: F1, s: qd.types.NDArray[qd.f32, 0]) -> qd.f32:
            for i in a:
                a[i] = a[i] * 2.0
            total = 0.0
            for i in range(a.shape[0]):  # a second task (serial: a sum into an outer local)
                total += a[i]
            s[()] = total
            return total

        a = qd.ndarray(qd.f32, (8,))
        a.fill(1.0)
        s = qd.ndarray(qd.f32, ())
        assert [steps(a, s) for _ in range(2)] == [16.0, 32.0]
        records = qd.profiler.query_kernel_profiler_info("steps")
        assert records.counter == 2
        first = qd.profiler.query_kernel_profiler_info("steps.task_0_range_for")
        assert first.counter == 2 and 0 <= first.min <= first.max <= records.max
        qd.profiler.print_kernel_profiler_info()
        out = capsys.readouterr().out
        assert "Tasks (" in out and "steps.task_0_range_for  (" in out and "test_namespace_extras.py:" in out
        qd.profiler.clear_kernel_profiler_info()
        assert qd.profiler.query_kernel_profiler_info("steps.task_0_range_for").counter == 0
    finally:
        qd.reset()


def test_profiler_off_records_nothing(ref):
    ref()

    @qd.kernel
    def noop(a: F1):
        for i in a:
            a[i] = 0

    noop(qd.ndarray(qd.f32, (2,)))
    assert qd.profiler.query_kernel_profiler_info("noop").counter == 0


def test_ply_writer_ascii_and_binary(tmp_path):
    w = qd.tools.PLYWriter(num_vertices=4, num_faces=2, comment="test")
    w.add_vertex_pos(np.arange(4.0), np.zeros(4), np.ones(4))
    w.add_vertex_channel("t", "double", np.arange(8.0).reshape(4, 2))
    w.add_faces(np.array([0, 1, 2, 1, 2, 3]))
    w.add_face_id()
    w.export_ascii(str(tmp_path / "m.ply"))
    text = (tmp_path / "m.ply").read_text().splitlines()
    assert text[:5] == ["ply", "format ascii 1.0", "comment test", "element vertex 4", "property float x"]
    assert "property double t_2" in text and "property list uchar int vertex_indices" in text
    assert text[-1].split() == ["3", "1", "2", "3", "1"]
    w.export_frame(7, str(tmp_path / "m.ply"))
    data = (tmp_path / "m_000007.ply").read_bytes()
    body = data[data.index(b"end_header\n") + len(b"end_header\n") :]
    assert len(body) == 4 * (3 * 4 + 2 * 8) + 2 * (1 + 3 * 4 + 4)
    with pytest.raises(AssertionError, match="pos channel is missing"):
        qd.tools.PLYWriter(2).export(str(tmp_path / "x.ply"))


def test_write_vtk_needs_pyevtk(ref, tmp_path):
    ref()

    try:
        import pyevtk  # noqa: F401
    except ImportError:
        with pytest.raises(RuntimeError, match="pip install pyevtk"):
            qd.tools.write_vtk(qd.field(qd.f32, shape=(2, 2)), str(tmp_path / "f"))


def test_perf_dispatch_runs_a_compatible_implementation(ref):
    ref()
    calls = []

    @qd.perf_dispatch(get_geometry_hash=lambda a: a.shape[0])
    def meta(a: F1): ...

    @meta.register
    def slow(a: F1):
        calls.append("slow")

    @meta.register(is_compatible=lambda a: a.shape[0] > 1)
    def fast(a: F1):
        calls.append("fast")

    meta(qd.ndarray(qd.f32, (1,)))
    assert calls == ["slow"]  # the only compatible one
    calls.clear()
    for _ in range(4):
        meta(qd.ndarray(qd.f32, (4,)))
    # as upstream, each call runs one implementation: a warm-up and a timed run of each, spread over four calls
    assert sorted(calls) == ["fast", "fast", "slow", "slow"]
    calls.clear()
    meta(qd.ndarray(qd.f32, (4,)))
    assert len(calls) == 1
    with pytest.raises(qd.QuadrantsSyntaxError, match="not in perf_dispatch function prototype"):

        @meta.register
        def other(b: F1):
            pass


def test_pyfunc_runs_in_python_and_frexp_on_host(ref):
    ref()

    @qd.pyfunc
    def add(x, y):
        return x + y

    assert add(2, 3) == 5
    assert qd.frexp(12.0) == (0.75, 4)
    with pytest.raises(NotImplementedError, match="clock_freq_hz not implemented for arch ref"):
        qd.clock_freq_hz()


def test_interop_has_no_mps_queue():
    assert qd.interop.get_mps_command_queue() == 0


def test_a_backends_device_time_is_what_a_task_records():
    """An executable with ``time_task`` (llvm-cuda: CUDA events around the task) gives the task's seconds; the host
    sync is then not called. Without it, or when it answers None, the task is timed to the end of a host sync."""
    from types import SimpleNamespace

    from quadrants.runtime.profiler import KernelRecords, TaskTimer

    item = SimpleNamespace()
    ran, syncs = [], []

    class Exe:
        def run_task(self, ctx, task):
            ran.append(task)

        def time_task(self, ctx, task):
            self.run_task(ctx, task)
            return self.answer

    exe = Exe()
    records = KernelRecords()
    names = {id(item): ("k.task_0_serial", "here.py:1")}
    exe.answer = 0.125
    TaskTimer(exe, names, records, lambda: syncs.append(1)).run_task(None, item)
    assert records.tasks["k.task_0_serial"] == [0.125] and ran == [item] and not syncs
    exe.answer = None  # the driver refused the events: host time, with a sync
    TaskTimer(exe, names, records, lambda: syncs.append(1)).run_task(None, item)
    assert len(records.tasks["k.task_0_serial"]) == 2 and records.tasks["k.task_0_serial"][1] != 0.125
    assert ran == [item, item] and syncs == [1]
