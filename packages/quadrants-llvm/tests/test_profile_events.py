"""cuda/profile_events.py and CudaExecutable.time_task's protocol, on a stand-in driver (no GPU needed)."""

from __future__ import annotations

from quadrants_llvm.cuda.profile_events import device_events


class _Driver:
    """Answers the event calls as the CUDA driver binding does (status first) and logs them."""

    def __init__(self, elapsed_ms: float = 2.5):
        self.calls: list[tuple] = []
        self.elapsed_ms = elapsed_ms

    def cuEventCreate(self, flags):
        self.calls.append(("create", flags))
        return 0, object()

    def cuEventRecord(self, event, stream):
        self.calls.append(("record", event, stream))
        return (0,)

    def cuEventSynchronize(self, event):
        self.calls.append(("sync", event))
        return (0,)

    def cuEventElapsedTime(self, start, end):
        self.calls.append(("elapsed", start, end))
        return 0, self.elapsed_ms

    def cuEventDestroy(self, event):
        return (0,)


def test_a_task_is_timed_between_its_two_events_on_its_stream():
    cu = _Driver(elapsed_ms=2.5)
    timer = device_events(cu)
    timer.begin("s")
    seconds = timer("s")
    assert seconds == 0.0025  # milliseconds from the driver, seconds to the profiler
    kinds = [c[0] for c in cu.calls]
    assert kinds == ["create", "create", "record", "record", "sync", "elapsed"]
    record_start, record_end = cu.calls[2], cu.calls[3]
    assert record_start[1] is timer.start and record_end[1] is timer.end and record_start[2] == record_end[2] == "s"
    assert cu.calls[4][1] is timer.end and cu.calls[5][1:] == (timer.start, timer.end)
    assert cu.calls[0][1] == 0  # timing enabled (the streams' marker events disable it)


def test_the_v2_elapsed_time_call_is_preferred_where_the_binding_has_it():
    cu = _Driver()
    cu.cuEventElapsedTime_v2 = lambda start, end: (0, 7.0)
    timer = device_events(cu)
    timer.begin(None)
    assert timer(None) == 0.007


def test_a_binding_without_events_leaves_host_timing():
    class NoEvents:
        pass

    assert device_events(NoEvents()) is False
