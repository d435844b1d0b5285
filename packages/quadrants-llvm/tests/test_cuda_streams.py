"""The llvm-cuda stream plumbing on the CPU: a fake driver that builds the dependency graph CUDA would execute.

Every operation queued on a stream (a kernel, an async copy, an event wait) is a node that depends on the stream's
previous node and on the events it waits for; the synchronous copies, memsets and frees of the legacy default stream
are nodes of stream 0 (non-blocking streams never order with it implicitly). The tests then ask what CUDA
guarantees: does node A happen before node B? The real executable, device and stream code run against it (PTX is
compiled, never loaded). GPU timings and results: test_cuda_streams_gpu.py.
"""

from __future__ import annotations

import ctypes
import enum

import numpy as np
import pytest

import quadrants as qd
from quadrants_llvm.cuda import driver, stream_launch, streams
from quadrants_llvm.cuda.backend import compile_ptx


class _Result(enum.IntEnum):
    CUDA_SUCCESS = 0
    CUDA_ERROR_NOT_READY = 600


class FakeCu:  # the method names are the driver API's
    """The driver calls llvm-cuda makes, recording a dependency graph instead of running anything."""

    CUresult = _Result

    def __init__(self):
        self.nodes: list[dict] = []  # {"stream", "what", "deps"}
        self.last: dict[int, int] = {}  # stream handle -> its latest node
        self.events: dict[int, int | None] = {}  # event handle -> the node it was last recorded after
        self.created: list[int] = []
        self.destroyed: list[int] = []
        self.freed: list[int] = []
        self._next = 100
        self._memory = 1 << 20

    def _handle(self) -> int:
        self._next += 1
        return self._next

    def _node(self, stream, what, extra=()) -> int:
        stream = int(stream)
        deps = [d for d in (self.last.get(stream), *extra) if d is not None]
        self.nodes.append({"stream": stream, "what": what, "deps": deps})
        self.last[stream] = len(self.nodes) - 1
        return self.last[stream]

    def before(self, a: int, b: int) -> bool:
        """Node ``a`` happens before node ``b`` (a path of dependencies)."""
        todo, seen = [b], set()
        while todo:
            n = todo.pop()
            for d in self.nodes[n]["deps"]:
                if d == a:
                    return True
                if d not in seen:
                    seen.add(d)
                    todo.append(d)
        return False

    def find(self, what) -> list[int]:
        return [k for k, n in enumerate(self.nodes) if n["what"] == what]

    # ---------------------------------------------------------------------------------------------- streams
    def CUstream(self, value):
        return int(value)

    def cuStreamCreate(self, flags):
        assert flags == streams.NON_BLOCKING
        h = self._handle()
        self.created.append(h)
        return 0, h

    def cuStreamDestroy(self, h):
        self.destroyed.append(int(h))
        return (0,)

    def cuStreamQuery(self, h):
        return (0,)

    def cuEventCreate(self, flags):
        h = self._handle()
        self.events[h] = None
        return 0, h

    def cuEventDestroy(self, h):
        self.destroyed.append(int(h))
        return (0,)

    def cuEventRecord(self, ev, stream):
        self.events[int(ev)] = self.last.get(int(stream))
        return (0,)

    def cuStreamWaitEvent(self, stream, ev, flags):
        point = self.events[int(ev)]
        self._node(stream, ("wait", int(ev)), () if point is None else (point,))
        return (0,)

    def cuEventQuery(self, ev):
        return (0,)

    def cuCtxSynchronize(self):
        self._node(0, "ctx-sync", tuple(v for k, v in self.last.items() if k))
        return (0,)

    def cuCtxSetCurrent(self, ctx):
        return (0,)

    # ----------------------------------------------------------------------------------------------- memory
    def cuMemAlloc(self, n):
        self._memory += (n + 255) // 256 * 256
        return 0, self._memory

    def cuMemsetD8(self, ptr, value, n):
        self._node(0, ("memset", int(ptr)))
        return (0,)

    def cuMemFree(self, ptr):
        self.freed.append(int(ptr))
        self._node(0, ("free", int(ptr)))
        return (0,)

    def cuMemcpyHtoD(self, dst, src, n):
        self._node(0, ("htod", int(dst)))
        return (0,)

    def cuMemcpyHtoDAsync(self, dst, src, n, stream):
        self._node(stream, ("args", int(dst)))
        return (0,)

    def cuMemcpyDtoH(self, dst, src, n):
        ctypes.memset(dst, 0, n)
        self._node(0, ("dtoh", int(src)))
        return (0,)

    # ----------------------------------------------------------------------------------------------- kernels
    def cuModuleLoadData(self, image):
        return 0, "module"

    def cuModuleUnload(self, module):
        return (0,)

    def cuModuleGetFunction(self, module, name):
        return 0, name.decode()

    def cuOccupancyMaxActiveBlocksPerMultiprocessor(self, fn, block, shm):
        return 0, 2

    def cuLaunchKernel(self, fn, gx, gy, gz, bx, by, bz, shm, stream, params, extra):
        param = ctypes.c_void_p.from_address(params).value  # kernelParams[0]: the address of the ctx pointer
        ctx = ctypes.c_uint64.from_address(param).value
        self._node(stream, ("kernel", fn, ctx))
        return (0,)


def fake_device(cu: FakeCu) -> driver.Device:
    """A :class:`driver.Device` whose driver is ``cu`` (its methods, hooks included, are the real ones)."""
    dev = driver.Device.__new__(driver.Device)
    dev.cu, dev.ctx, dev.cc, dev.sms, dev.name = cu, "ctx", (9, 0), 4, "fake"
    dev.stream = cu.CUstream(0)
    dev.streams = streams.StreamSet(cu, dev.stream)
    dev.loop_aborts = set()
    dev.copy_args, dev.arg_ring = cu.cuMemcpyHtoDAsync, None
    return dev


@pytest.fixture
def fake():
    cu = FakeCu()
    return cu, fake_device(cu)


def _program(kernel, *args):
    """The IR ``kernel`` compiles to for ``args`` (built on the reference backend)."""
    from quadrants.runtime.state import RUNTIME

    qd.init(arch="ref")
    try:
        kernel(*args)
        return RUNTIME.session.last_launch[0].program
    finally:
        qd.reset()


def _two_blocks():
    @qd.kernel
    def k(a: qd.types.NDArray[qd.f32, 1], b: qd.types.NDArray[qd.f32, 1]):
        with qd.stream_parallel():
            for i in range(a.shape[0]):
                a[i] = i
            for i in range(a.shape[0]):
                a[i] += 1.0
        with qd.stream_parallel():
            for j in range(b.shape[0]):
                b[j] = 2 * j

    return _program(k, np.zeros(8, np.float32), np.zeros(8, np.float32))


def _one_loop():
    @qd.kernel
    def k(a: qd.types.NDArray[qd.f32, 1]):
        for i in range(a.shape[0]):
            a[i] = i

    return _program(k, np.zeros(8, np.float32))


def _executable(dev, program, debug=False):
    from quadrants.backend import CompileOptions
    from quadrants_llvm.cuda.executable import CudaExecutable

    return CudaExecutable(compile_ptx(program, CompileOptions(debug=debug)), dev, {})


class _Array:
    def __init__(self, dev, n=8):
        self.ptr = dev.alloc(4 * n)
        self.packed = (self.ptr, n)


def _kernels(cu):
    return [k for k, n in enumerate(cu.nodes) if n["what"][0] == "kernel"]


# ---------------------------------------------------------------------------------------------------------- plan
def test_plan_groups_a_run_of_blocks_and_keeps_other_tasks_on_the_launch_stream():
    assert stream_launch.plan([0, 0]) == (((0,),), ((1,),))
    assert stream_launch.plan([1, 1, 2]) == (((0, 1), (2,)),)
    assert stream_launch.plan([1, 2, 1, 3]) == (((0, 2), (1,), (3,)),)
    assert stream_launch.plan([0, 1, 2, 0, 1]) == (((0,),), ((1,), (2,)), ((3,),), ((4,),))
    assert stream_launch.plan([]) == ()


# ------------------------------------------------------------------------------------------------ stream_parallel
def test_stream_parallel_blocks_fork_from_the_argument_copy_and_join_before_later_work(fake):
    cu, dev = fake
    exe = _executable(dev, _two_blocks())
    assert exe._streamed and [len(step) for step in exe.stream_steps] == [2]
    a, b = _Array(dev), _Array(dev)
    exe.launch([a, b])
    assert exe.last_runner == "streams"
    copy = cu.find(("args", exe.ctx_ptr))[-1]
    k1, k2, k3 = _kernels(cu)
    assert {cu.nodes[k]["stream"] for k in (k1, k2)} != {0} and cu.nodes[k1]["stream"] == cu.nodes[k2]["stream"]
    assert cu.nodes[k3]["stream"] not in (0, cu.nodes[k1]["stream"])
    assert all(cu.before(copy, k) for k in (k1, k2, k3))  # the arguments are on the device first
    assert cu.before(k1, k2)  # one block: program order
    assert not cu.before(k2, k3) and not cu.before(k3, k1)  # two blocks: concurrent
    out = np.empty(8, np.float32)
    dev.to_host(out.ctypes.data, a.ptr, 32)  # a host read sees both blocks' writes
    (read,) = cu.find(("dtoh", a.ptr))
    assert cu.before(k2, read) and cu.before(k3, read)
    exe.launch([a, b])  # the second launch reuses the block streams: after the first one's work
    k4, _, k6 = _kernels(cu)[3:]
    assert cu.before(k3, k6) and cu.before(k2, k4)
    assert len(cu.created) == 2  # one stream per block, created once


def test_debug_status_reads_keep_stream_parallel_blocks_on_one_stream(fake):
    cu, dev = fake
    exe = _executable(dev, _two_blocks(), debug=True)
    assert not exe._streamed
    a, b = _Array(dev), _Array(dev)
    exe.launch([a, b])
    assert {cu.nodes[k]["stream"] for k in _kernels(cu)} == {0} and not cu.created


# ---------------------------------------------------------------------------------------------- explicit streams
def test_launches_on_two_streams_overlap_each_with_its_own_launch_context(fake):
    cu, dev = fake
    exe = _executable(dev, _one_loop())
    a, b = _Array(dev), _Array(dev)
    s1, s2 = dev.streams.create_stream(), dev.streams.create_stream()
    with streams.LaunchStream(s1):
        exe.launch([a])
    with streams.LaunchStream(s2):
        exe.launch([b])
    k1, k2 = _kernels(cu)
    assert (cu.nodes[k1]["stream"], cu.nodes[k2]["stream"]) == (int(s1), int(s2))
    ctx1, ctx2 = cu.nodes[k1]["what"][2], cu.nodes[k2]["what"][2]
    assert len({ctx1, ctx2, exe.ctx_ptr}) == 3  # never the other launch's arguments
    assert cu.before(cu.find(("args", ctx1))[0], k1) and cu.before(cu.find(("args", ctx2))[0], k2)
    # a new launch context is zero-filled on the default stream before the stream copies the arguments into it
    assert cu.before(cu.find(("memset", ctx1))[0], cu.find(("args", ctx1))[0])
    assert not cu.before(k1, k2) and not cu.before(k2, k1)
    # both streams hold work the default stream has not waited for: the next default-stream launch waits for both
    assert set(dev.streams.pending) == {s1.uid, s2.uid}
    exe.launch([a])
    k3 = _kernels(cu)[-1]
    assert cu.nodes[k3]["stream"] == 0 and cu.before(k1, k3) and cu.before(k2, k3)
    assert not dev.streams.pending
    # and a stream's later launch waits for that default-stream launch (the barrier both ways)
    with streams.LaunchStream(s1):
        exe.launch([a])
    assert cu.before(k3, _kernels(cu)[-1])


def test_a_stream_launch_waits_for_earlier_copies_and_host_reads_wait_for_it(fake):
    cu, dev = fake
    exe = _executable(dev, _one_loop())
    s = dev.streams.create_stream()
    a = _Array(dev)
    data = np.arange(8, dtype=np.float32)
    dev.to_device(a.ptr, data.ctypes.data, 32)
    copy = cu.find(("htod", a.ptr))[0]
    with streams.LaunchStream(s):
        exe.launch([a])
    kernel = _kernels(cu)[-1]
    assert cu.before(copy, kernel)
    dev.to_device(a.ptr, data.ctypes.data, 32)  # overwriting what the launch reads: after it
    assert cu.before(kernel, cu.find(("htod", a.ptr))[-1])
    with streams.LaunchStream(s):
        exe.launch([a])
    dev.free(a.ptr)
    assert cu.before(_kernels(cu)[-1], cu.find(("free", a.ptr))[0])


def test_events_order_a_producer_and_a_consumer_on_two_streams(fake):
    cu, dev = fake
    exe = _executable(dev, _one_loop())
    a = _Array(dev)
    s1, s2 = dev.streams.create_stream(), dev.streams.create_stream()
    event = dev.streams.create_event()
    with streams.LaunchStream(s1):
        exe.launch([a])
    event.record(s1)
    event.wait(s2)
    with streams.LaunchStream(s2):
        exe.launch([a])
    producer, consumer = _kernels(cu)
    assert cu.before(producer, consumer)
    # without the event the two are not ordered
    with streams.LaunchStream(s1):
        exe.launch([a])
    with streams.LaunchStream(s2):
        exe.launch([a])
    p2, c2 = _kernels(cu)[2:]
    assert not cu.before(p2, c2)
    # waiting on the default stream orders the default stream's next work after the producer
    event.record(s1)
    event.wait(None)
    assert cu.before(p2, len(cu.nodes) - 1)


def test_synchronize_and_destroy_release_the_stream_and_its_launch_contexts(fake):
    cu, dev = fake
    exe = _executable(dev, _one_loop())
    a = _Array(dev)
    s = dev.streams.create_stream()
    with streams.LaunchStream(s):
        exe.launch([a])
    slot = s.slots[exe].ctx_ptr
    s.synchronize()
    assert s.uid not in dev.streams.pending  # finished on the host: nothing left for the default stream to join
    s.destroy()
    s.destroy()
    assert int(s) in cu.destroyed and slot in cu.freed and s.destroyed
    with pytest.raises(RuntimeError, match="destroyed"), streams.LaunchStream(s):
        exe.launch([a])


def test_a_foreign_stream_is_used_but_never_destroyed(fake):
    cu, dev = fake
    s = dev.streams.create_stream(handle=4242)
    assert int(s) == 4242 and not cu.created
    s.destroy()
    assert 4242 not in cu.destroyed


def test_without_streams_the_default_path_makes_no_extra_driver_calls(fake):
    cu, dev = fake
    exe = _executable(dev, _one_loop())
    a = _Array(dev)
    before = len(cu.nodes)
    exe.launch([a])
    assert [n["what"][0] for n in cu.nodes[before:]] == ["args", "kernel"]
    assert not dev.streams.live and exe.last_runner == "tasks"


# ------------------------------------------------------------------------ the argument copy and the ctypes calls
def _returning():
    @qd.kernel
    def k(a: qd.types.NDArray[qd.f32, 1]) -> qd.i32:
        for i in range(a.shape[0]):
            a[i] = i
        return 7

    return _program(k, np.zeros(8, np.float32))


def _copies(cu, exe):
    return len(cu.find(("args", exe.ctx_ptr)))


def test_a_launch_with_the_previous_launchs_words_skips_the_argument_copy(fake):
    cu, dev = fake
    exe = _executable(dev, _one_loop())
    a, b = _Array(dev), _Array(dev)
    exe.launch([a])
    exe.launch([a])
    assert _copies(cu, exe) == 1 and len(_kernels(cu)) == 2
    exe.launch([b])  # other words: copied, and the kernel after it reads them
    assert _copies(cu, exe) == 2 and cu.before(cu.find(("args", exe.ctx_ptr))[-1], _kernels(cu)[-1])
    exe.launch([a])  # back to the first words: the context holds b's now, so they are copied again
    assert _copies(cu, exe) == 3


def test_the_very_objects_of_the_previous_launch_are_not_packed_again(fake):
    cu, dev = fake
    exe = _executable(dev, _one_loop())
    a, b, packed = _Array(dev), _Array(dev), []
    pack = exe._pack_all
    exe._pack_all = lambda host, args: (packed.append(args[0]), pack(host, args))
    exe.launch([a])
    exe.launch([a])  # the same object: its words are the context's already
    assert packed == [a] and _copies(cu, exe) == 1 and len(_kernels(cu)) == 2
    exe.launch([b])
    exe.launch([a])
    assert packed == [a, b, a] and _copies(cu, exe) == 3
    with streams.LaunchStream(dev.streams.create_stream()):
        exe.launch([a])  # another launch context: packed for it
    exe.launch([a])  # the host words changed hands in between: packed again, but not copied (the context holds them)
    assert packed == [a, b, a, a, a] and _copies(cu, exe) == 3


def test_the_argument_copy_is_kept_where_the_device_writes_the_packed_words(fake):
    cu, dev = fake
    exe = _executable(dev, _returning())  # return slots: every launch must start them at zero
    a = _Array(dev)
    exe.launch([a])
    exe.launch([a])
    assert _copies(cu, exe) == 2
    debug = _executable(dev, _one_loop(), debug=True)  # the status word is read after every task
    debug.launch([a])
    debug.launch([a])
    assert _copies(cu, debug) == 2


def test_a_stream_launch_context_is_always_copied_and_does_not_disturb_the_default_one(fake):
    cu, dev = fake
    exe = _executable(dev, _one_loop())
    a, s = _Array(dev), dev.streams.create_stream()
    exe.launch([a])
    with streams.LaunchStream(s):
        exe.launch([a])
        exe.launch([a])
    slot = cu.nodes[_kernels(cu)[-1]]["what"][2]
    assert len(cu.find(("args", slot))) == 2
    exe.launch([a])  # the default context still holds a's words
    assert _copies(cu, exe) == 1


def test_ctrl_c_during_a_wait_ends_the_queued_loops(fake):
    """A graph with ``do_while`` loops is queued, not waited for: Ctrl-C during a later wait (``Device.drain``) sets
    the abort word of every loop still queued and waits for the device before ``KeyboardInterrupt`` propagates."""
    import ctypes

    cu, dev = fake
    word = ctypes.c_uint64(0)
    dev.loop_aborts.add(ctypes.addressof(word))
    dev.drain()  # finished: nothing is left to abort
    assert not dev.loop_aborts and word.value == 0

    dev.loop_aborts.add(ctypes.addressof(word))
    syncs = sum(n["what"] == "ctx-sync" for n in cu.nodes)

    def interrupted(h):
        raise KeyboardInterrupt

    cu.cuStreamQuery = interrupted
    with pytest.raises(KeyboardInterrupt):
        dev.drain()
    assert word.value == 1 and not dev.loop_aborts
    assert sum(n["what"] == "ctx-sync" for n in cu.nodes) == syncs + 1  # waited for the loops to end


@pytest.mark.parametrize(
    "stream, live, wait",
    [
        (None, False, "none"),  # CUDA array interface v3: the producer says nothing needs waiting for
        (None, True, "none"),
        (0, False, "none"),  # torch's default stream = the legacy default stream launches queue on
        (1, False, "none"),  # the interface's legacy default stream
        (0, True, "context"),  # a launch may go to a qd stream the legacy stream does not order
        (2, False, "context"),  # the per-thread default stream
        (0x7F00DEAD, False, "stream"),  # another library's stream: that stream alone
        (0x7F00DEAD, True, "stream"),
        (-1, False, "context"),  # unknown (interface v2, no "stream" key)
        ("odd", False, "context"),
    ],
)
def test_what_a_launch_waits_for_before_reading_another_librarys_memory(stream, live, wait):
    assert streams.producer_wait(stream, live) == wait


def test_a_host_copy_behind_a_queued_loop_waits_where_ctrl_c_reaches(fake):
    """``cuMemcpyHtoD`` would wait for a queued graph loop inside the driver: the copy drains first, so Ctrl-C ends
    the loop there too."""
    import ctypes

    cu, dev = fake
    word = ctypes.c_uint64(0)
    dev.loop_aborts.add(ctypes.addressof(word))

    def interrupted(h):
        raise KeyboardInterrupt

    cu.cuStreamQuery = interrupted
    src = ctypes.c_int64(7)
    with pytest.raises(KeyboardInterrupt):
        dev.to_device(0x1000, ctypes.addressof(src), 8)
    assert word.value == 1 and not dev.loop_aborts
