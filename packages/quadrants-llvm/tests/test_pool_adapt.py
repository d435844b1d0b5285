"""Solo or parallel (cpu/pool_ir.py, issue 23): a task whose recent runs on the caller alone were faster than on the
threads runs there, probing the other way every so often; the probe interval grows while probes lose badly."""

from __future__ import annotations

import numpy as np
import pytest

import quadrants as qd
from quadrants_llvm.cpu import pool
from quadrants_llvm.cpu.pool_ir import MEMO_FIELDS, MEMO_WORDS, PROBE_EVERY, PROBE_MAX

I32_1 = qd.types.NDArray[qd.i32, 1]
SIZE, INNER = 2000, 20
EXPECTED = ((np.arange(SIZE)[:, None] + np.arange(INNER)[None, :]) % 7).sum(axis=1).astype(np.int32)


@pytest.fixture
def native():
    qd.init(arch=qd.cpu)
    if pool.pool_kind() != "native":
        pytest.skip("the native pool only")
    if pool.cpu_count() < 2:
        pytest.skip("one CPU: every loop runs on the caller")
    pool.configure(mode="handoff", inline_us=0, adapt=True)  # every task dispatched unless the memo says solo
    native = pool._KEEP[0]
    # a calm machine, whatever else runs on it (1 runnable thread, sampling held off by a time in the future)
    saved = (native.state.crowd, native.state.crowd_t)
    native.state.crowd, native.state.crowd_t = 1000, 1 << 62
    yield native
    native.state.crowd, native.state.crowd_t = saved
    pool.configure(mode="auto", inline_us=pool.INLINE_US, adapt=pool.ADAPT)


_SALT = [0]


def _fresh_kernel():
    """A kernel of its own with one parallel loop: a constant of its own makes its code (so its worker function
    and memo slot) differ from every other test's; it adds nothing to the result."""
    _SALT[0] += 1
    salt = _SALT[0]

    @qd.kernel
    def heavy(x: I32_1, n: qd.i32):
        for i in range(x.shape[0]):
            s = salt
            for k in range(n):
                s += (i + k) % 7
            x[i] = s - salt

    return heavy


def _first_launch(kernel, x) -> int:
    """Launch ``kernel`` once and return the memo slot its task took."""
    before = {slot: e["fn"] for slot, e in pool.memo_entries().items()}
    kernel(x, INNER)
    taken = [slot for slot, e in pool.memo_entries().items() if before.get(slot) != e["fn"]]
    assert len(taken) == 1, (taken, pool.memo_entries())
    return taken[0]


def _set(native, slot: int, **values: int) -> None:
    for name, value in values.items():
        native.memo[slot * MEMO_WORDS + MEMO_FIELDS[name]] = value


def _launches(kernel, x, n: int) -> dict[str, int]:
    before = pool.stats()
    for _ in range(n):
        kernel(x, INNER)
    after = pool.stats()
    np.testing.assert_array_equal(x.to_numpy(), EXPECTED)
    return {key: after[key] - before[key] for key in ("jobs", "solo")}


def test_first_launch_goes_to_the_threads(native):
    kernel, x = _fresh_kernel(), qd.ndarray(qd.i32, SIZE)
    before = pool.stats()
    slot = _first_launch(kernel, x)
    np.testing.assert_array_equal(x.to_numpy(), EXPECTED)
    assert pool.stats()["jobs"] - before["jobs"] == 1
    entry = pool.memo_entries()[slot]
    assert entry["par_wall"] > 0 and entry["solo_wall"] == 0 and entry["work"] > 0


def test_faster_alone_runs_alone_but_probes_the_threads(native):
    kernel, x = _fresh_kernel(), qd.ndarray(qd.i32, SIZE)
    slot = _first_launch(kernel, x)
    _set(native, slot, par_wall=10**10, solo_wall=1000, count=0, interval=PROBE_EVERY)
    counts = _launches(kernel, x, 2 * PROBE_EVERY)
    # launches 16 and 32 are probes on the threads (whether the first doubled the interval or not)
    assert counts == {"jobs": 2, "solo": 2 * PROBE_EVERY - 2}
    entry = pool.memo_entries()[slot]
    assert 0 < entry["solo_wall"] < 10**9  # real solo runs moved the average
    assert entry["count"] == 2 * PROBE_EVERY


def test_faster_on_the_threads_stays_on_them(native):
    kernel, x = _fresh_kernel(), qd.ndarray(qd.i32, SIZE)
    slot = _first_launch(kernel, x)
    _set(native, slot, par_wall=1000, solo_wall=10**10, count=0, interval=PROBE_EVERY)
    counts = _launches(kernel, x, PROBE_EVERY - 1)
    assert counts == {"jobs": PROBE_EVERY - 1, "solo": 0}
    counts = _launches(kernel, x, 1)  # the 16th launch: one probe alone
    assert counts == {"jobs": 0, "solo": 1}


def test_a_probe_that_loses_badly_doubles_the_interval(native):
    kernel, x = _fresh_kernel(), qd.ndarray(qd.i32, SIZE)
    slot = _first_launch(kernel, x)
    # solo preferred (1 us on average): the probe on the threads at launch 16 takes far more than 2 us
    _set(native, slot, par_wall=10**10, solo_wall=1000, count=PROBE_EVERY - 1, interval=PROBE_EVERY)
    assert _launches(kernel, x, 1) == {"jobs": 1, "solo": 0}
    assert pool.memo_entries()[slot]["interval"] == 2 * PROBE_EVERY
    # never beyond PROBE_MAX
    _set(native, slot, par_wall=10**10, solo_wall=1000, count=PROBE_MAX - 1, interval=PROBE_MAX)
    assert _launches(kernel, x, 1) == {"jobs": 1, "solo": 0}
    assert pool.memo_entries()[slot]["interval"] == PROBE_MAX


def test_a_close_probe_resets_the_interval(native):
    kernel, x = _fresh_kernel(), qd.ndarray(qd.i32, SIZE)
    slot = _first_launch(kernel, x)
    # solo barely preferred (10 s against 10 s + 1 ns): a real run on the threads is far below twice that
    _set(native, slot, par_wall=10**10 + 1, solo_wall=10**10, count=63, interval=64)
    assert _launches(kernel, x, 1) == {"jobs": 1, "solo": 0}
    entry = pool.memo_entries()[slot]
    assert entry["interval"] == PROBE_EVERY
    assert entry["par_wall"] < 10**10  # the probe's time entered the average


def test_adapt_off_always_uses_the_threads(native):
    kernel, x = _fresh_kernel(), qd.ndarray(qd.i32, SIZE)
    slot = _first_launch(kernel, x)
    pool.configure(adapt=False)
    _set(native, slot, par_wall=10**10, solo_wall=1000, count=0, interval=PROBE_EVERY)
    assert _launches(kernel, x, 20) == {"jobs": 20, "solo": 0}


@pytest.mark.parametrize("mode", ["shared", "handoff", "auto"])
def test_solo_and_parallel_runs_give_the_same_lanes(native, mode):
    """Alternating solo and parallel runs of the same task (probes every other launch) in every mode."""
    kernel, x = _fresh_kernel(), qd.ndarray(qd.i32, SIZE)
    pool.configure(mode=mode)
    slot = _first_launch(kernel, x)
    for k in range(40):
        _set(native, slot, par_wall=10**10, solo_wall=1000, count=k, interval=2)
        x.fill(0)
        kernel(x, INNER)
        np.testing.assert_array_equal(x.to_numpy(), EXPECTED)


def test_runnable_reads_the_fourth_field_of_loadavg(native):
    with open("/proc/loadavg", encoding="ascii") as f:
        field = f.read().split()[3]
    ours = native.runnable()
    assert ours >= 1  # the caller itself is running
    # the count moves from one read to the next; both reads are small positive counts of the same machine
    assert abs(ours - int(field.split("/")[0])) <= 64


@pytest.mark.parametrize(("crowd", "solo"), [(1000, PROBE_EVERY - 1), (10**9, 0)])
def test_a_crowded_machine_keeps_tasks_on_the_threads(native, crowd, solo):
    """Solo needs a calm machine: at most CROWD_FACTOR runnable threads per CPU on average (sampling held off by a
    last-sample time in the future)."""
    kernel, x = _fresh_kernel(), qd.ndarray(qd.i32, SIZE)
    slot = _first_launch(kernel, x)
    native.state.crowd = crowd  # the fixture restores it
    _set(native, slot, par_wall=10**10, solo_wall=1000, count=0, interval=PROBE_EVERY)
    counts = _launches(kernel, x, PROBE_EVERY - 1)
    assert counts == {"jobs": PROBE_EVERY - 1 - solo, "solo": solo}
