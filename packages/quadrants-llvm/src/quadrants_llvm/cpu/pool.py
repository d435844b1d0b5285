"""The worker-thread pool behind ``qd_parallel(worker, ctx, nthreads, flags)`` (issue 23).

Generated code hands a parallel task to ``qd_parallel`` from native code (no Python on the launch path). Every
thread that runs ``worker(ctx)`` claims chunks of the task's flat range from an atomic counter until none is left.
``qd_parallel`` and the workers' main loop are a few functions of LLVM IR (:mod:`.pool_ir`) compiled into the JIT:

* the calling thread publishes the job and wakes sleeping workers (only when some sleep). On a quiet machine
  (*shared* mode) it claims chunks itself; when the range is exhausted it closes the job and waits only for the
  workers that joined, so a worker that is descheduled or wakes late never holds up a launch (libgomp's
  ``GOMP_parallel``, used before, waits for every thread of the team at its barrier: on a busy machine one
  preempted thread stalled each loop for a time slice);
* on a busy machine (*hand-off* mode) the caller sleeps while the workers run the loop, and nobody spins: Linux's
  scheduler runs a thread that sleeps and wakes soon after it wakes, but makes a thread that never sleeps wait
  behind every other busy thread (the caller computing chunks, then a Python loop launching the next kernel, is
  such a thread). A contention monitor in ``qd_parallel`` picks the mode from the dispatching thread's run-queue
  wait (``/proc/thread-self/schedstat``) and probes shared mode again now and then; :func:`configure` can pin it
  (:data:`MODES`);
* idle workers spin for :data:`SPIN_US` microseconds in shared mode, then sleep on a condition variable (a launch
  right after the previous one finds them awake); the last worker only helps in hand-off mode and never spins;
* a task that measured faster on the caller alone than on the threads lately runs there (:data:`ADAPT`; the other
  way is probed every so often, :mod:`.pool_ir`'s *Solo or parallel*);
* a second launch from another thread while the pool is busy runs on its own thread;
* ``qd.init(cpu_max_num_threads=N)`` caps the threads per task (:func:`configure`); worker threads are created once,
  one per CPU this process may run on;
* on Linux the workers ask for a short scheduler time slice (:data:`SLICE_US`, :mod:`.sched`), so that a worker
  woken for a loop on a busy machine preempts a running process instead of queueing behind its slice.

Worker threads block every signal (Ctrl-C reaches the main thread, :mod:`.interrupt`), are stopped and joined at
exit (before the JIT's code goes away) and are created afresh in a child after ``fork``. Where ``pthread`` is not
available a pool of Python threads calling the worker through ``ctypes`` (which releases the GIL) stands in.
"""

from __future__ import annotations

import atexit
import ctypes
import ctypes.util
import os
import signal
import threading
import time

import llvmlite.binding as llvm

from quadrants_llvm.cpu import sched
from quadrants_llvm.cpu.pool_ir import MEMO_FIELDS, MEMO_SLOTS, MEMO_WORDS, pool_ir

__all__ = [
    "ADAPT",
    "INLINE_US",
    "MODES",
    "SLICE_US",
    "SPIN_US",
    "bind_symbols",
    "configure",
    "cpu_count",
    "memo_entries",
    "pool_kind",
    "stats",
    "thread_count",
    "worker_count",
    "worker_slices",
]

SPIN_US = 100  # how long an idle worker (or a caller waiting for workers) spins before it sleeps (shared mode)
INLINE_US = 5  # a task whose last run took less work (all threads) runs on the caller (hand-off mode)
# the same rule in shared mode (0: off); with shared mode pinned, mpm99 5.9 -> 4.8 ms, mass_spring 16.0 -> 13.3 ms
INLINE_SHARED_US = 5
# run a task on the caller alone where its recent runs there were faster than on the threads (pool_ir.py, "Solo or
# parallel"); False: every large task goes to the threads
ADAPT = True
MODES = {"auto": 0, "shared": 1, "handoff": 2}  # configure(mode=...): the state's ``policy`` word
# the workers' scheduler time slice (Linux 6.12+, sched.py); 0: the kernel's default. 100 us is the kernel's minimum:
# under a background load of 3x the cores it cut the 90th percentile of a 180 us hand-off loop from 3.2-4.1 ms to
# 0.29 ms, and loaded mpm99 steps from 29 to 18 ms (docs/benchmarks.md)
SLICE_US = 100
_TID_WAIT_S = 2.0  # how long start() waits for new workers to record their thread ids

_KIND = ""
_KEEP: list = []
_MAX_THREADS = [0]  # qd.init(cpu_max_num_threads=...); 0: every CPU
_LOCK = threading.Lock()

_SYNC_BYTES = 256  # room for a pthread_mutex_t / pthread_cond_t on every supported platform


class _State(ctypes.Structure):
    """The pool's shared words (field meanings in :mod:`.pool_ir`); hot words on their own cache lines."""

    _fields_ = [
        ("state", ctypes.c_uint64),
        ("fn", ctypes.c_void_p),
        ("ctx", ctypes.c_void_p),
        ("jobs", ctypes.c_uint32),
        ("busy", ctypes.c_uint32),
        ("workers", ctypes.c_uint32),
        ("quit", ctypes.c_uint32),
        ("spin_ns", ctypes.c_int64),
        ("joins", ctypes.c_uint32),  # how many times a worker joined a job (statistics)
        ("handoff", ctypes.c_uint32),  # the mode: 0 shared (the caller computes too), 1 hand-off (it sleeps)
        ("job_handoff", ctypes.c_uint32),  # the mode of the job published last
        ("policy", ctypes.c_uint32),  # 0 automatic, 1 always shared, 2 always hand-off
        ("handoffs", ctypes.c_uint32),  # jobs run in hand-off mode (statistics)
        ("switches", ctypes.c_uint32),  # automatic mode changes (statistics)
        ("mon_quiet", ctypes.c_uint32),  # the contention monitor: windows sampled in hand-off mode
        ("mon_t", ctypes.c_int64),  # ... when it last sampled (ns, CLOCK_MONOTONIC)
        ("mon_delay", ctypes.c_int64),  # ... the sampling thread's run-queue wait then (ns)
        ("mon_thread", ctypes.c_uint64),  # ... and which thread that was (pthread_self)
        ("job_work", ctypes.c_int64),  # nanoseconds the threads of the current job spent in its function
        ("inlined", ctypes.c_uint32),  # small tasks run on the caller (statistics)
        ("inline_ns", ctypes.c_int64),  # ... those whose last run took less work than this
        ("seq", ctypes.c_uint32),
        ("sleepers", ctypes.c_uint32),
        ("inline_shared_ns", ctypes.c_int64),  # ... the same in shared mode (INLINE_SHARED_US; 0: off)
        ("adapt", ctypes.c_uint32),  # 1: run a task on the caller where that measured faster (ADAPT; 0: never)
        ("solo", ctypes.c_uint32),  # tasks run on the caller because that measured faster (statistics)
        ("crowd", ctypes.c_int64),  # moving average of the machine's runnable threads (x 1000; 0: unknown)
        ("crowd_t", ctypes.c_int64),  # ... when it was last sampled (ns, CLOCK_MONOTONIC)
        ("_pad1", ctypes.c_char * 24),
        ("finished", ctypes.c_uint32),
        ("waiting", ctypes.c_uint32),
        ("done_id", ctypes.c_uint32),  # hand-off: the id of the last job its workers completed
        ("_pad2", ctypes.c_char * 52),
    ]


class _Native:
    """The native pool: state, mutex and condition variables, and the worker threads' ids."""

    def __init__(self, jit):
        self.libc = ctypes.CDLL(None, use_errno=True)
        self.state = _State()
        self.sync = {name: ctypes.create_string_buffer(_SYNC_BYTES) for name in ("mutex", "wake", "done")}
        self.threads: list[ctypes.c_uint64] = []
        self.capacity = max(os.cpu_count() or 1, cpu_count())
        self.tids = (ctypes.c_int64 * self.capacity)()  # each worker's kernel thread id (Linux), 0 until it starts
        self.slice_ns = SLICE_US * 1000
        self._init_sync()
        self.state.spin_ns = SPIN_US * 1000
        self.state.inline_ns = INLINE_US * 1000
        self.state.inline_shared_ns = INLINE_SHARED_US * 1000
        self.state.adapt = int(ADAPT)
        llvm.add_symbol("qd_pool", ctypes.addressof(self.state))
        llvm.add_symbol("qd_pool_tids", ctypes.addressof(self.tids))
        for name, buf in self.sync.items():
            llvm.add_symbol(f"qd_pool_{name}", ctypes.addressof(buf))
        for fn in ("pthread_mutex_lock", "pthread_mutex_unlock", "pthread_cond_wait", "pthread_cond_signal"):
            llvm.add_symbol(fn, ctypes.cast(getattr(self.libc, fn), ctypes.c_void_p).value)
        for fn in ("pthread_cond_broadcast", "clock_gettime", "pthread_self", "open", "read", "close", "syscall"):
            llvm.add_symbol(fn, ctypes.cast(getattr(self.libc, fn), ctypes.c_void_p).value)
        offsets = {name: getattr(_State, name).offset for name, _ in _State._fields_ if not name.startswith("_")}
        numbers = sched.syscall_numbers()
        gettid = numbers[0] if numbers else None
        module = llvm.parse_assembly(pool_ir(jit.target.triple, offsets, time.CLOCK_MONOTONIC, gettid))
        module.verify()
        jit.add_module(module)
        self.parallel = jit.engine.get_function_address("qd_parallel")
        self.worker_main = jit.engine.get_function_address("qd_pool_worker")
        self.memo = (ctypes.c_int64 * (MEMO_WORDS * MEMO_SLOTS)).from_address(
            jit.engine.get_global_value_address("qdp_memo")
        )
        self.run_delay = ctypes.CFUNCTYPE(ctypes.c_int64)(jit.engine.get_function_address("qd_pool_run_delay"))
        self.runnable = ctypes.CFUNCTYPE(ctypes.c_int64)(jit.engine.get_function_address("qd_pool_runnable"))

    def _init_sync(self) -> None:
        libc = self.libc
        for name, buf in self.sync.items():
            ctypes.memset(buf, 0, _SYNC_BYTES)
            init = libc.pthread_mutex_init if name == "mutex" else libc.pthread_cond_init
            if init(buf, None) != 0:
                raise OSError(f"pthread init of the pool's {name} failed")

    def start(self, count: int) -> None:
        """Create ``count`` worker threads with every signal blocked (they inherit the mask), then give them the
        pool's time slice."""
        count = min(count, self.capacity)
        ctypes.memset(ctypes.addressof(self.tids), 0, ctypes.sizeof(self.tids))
        create = self.libc.pthread_create
        create.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p]
        blocked = signal.pthread_sigmask(signal.SIG_BLOCK, signal.valid_signals())
        try:
            for index in range(count):  # a worker's argument is its index (the last one never spins)
                tid = ctypes.c_uint64(0)
                if create(ctypes.byref(tid), None, self.worker_main, ctypes.c_void_p(index)) != 0:
                    break
                self.threads.append(tid)
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
        self.state.workers = len(self.threads)
        self.apply_slice()

    def worker_tids(self) -> list[int]:
        """The kernel thread ids of the workers (waits briefly for new workers to record them; Linux only)."""
        if sched.syscall_numbers() is None:
            return []
        n = len(self.threads)
        deadline = time.monotonic() + _TID_WAIT_S
        while any(self.tids[i] == 0 for i in range(n)) and time.monotonic() < deadline:
            time.sleep(0.0005)
        return [int(self.tids[i]) for i in range(n) if self.tids[i] > 0]

    def apply_slice(self) -> None:
        """Give every worker the time slice ``slice_ns`` (0: the kernel's default); see :mod:`.sched`."""
        for tid in self.worker_tids():
            sched.set_slice(tid, self.slice_ns)

    def stop(self) -> None:
        """Ask every worker to return and join them (at exit: no thread may run JIT code after it is freed)."""
        if not self.threads:
            return
        libc = self.libc
        libc.pthread_mutex_lock(self.sync["mutex"])
        self.state.workers = 0
        self.state.quit = 1
        self.state.seq += 1
        libc.pthread_cond_broadcast(self.sync["wake"])
        libc.pthread_mutex_unlock(self.sync["mutex"])
        join = libc.pthread_join
        join.argtypes = [ctypes.c_uint64, ctypes.c_void_p]
        for tid in self.threads:
            join(tid.value, None)
        self.threads.clear()

    def after_fork_in_child(self) -> None:
        """The child of a ``fork`` has no workers: reset the words and the sync objects, start new ones."""
        # the settings survive (slice_ns too: it is not a state word)
        kept = {
            name: getattr(self.state, name) for name in ("spin_ns", "inline_ns", "inline_shared_ns", "policy", "adapt")
        }
        ctypes.memset(ctypes.addressof(self.state), 0, ctypes.sizeof(self.state))
        for name, value in kept.items():
            setattr(self.state, name, value)
        self._init_sync()
        self.threads = []
        self.start(cpu_count())


def cpu_count() -> int:
    """The CPUs this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def thread_count() -> int:
    """Threads per parallel task (the caller included): the CPUs, capped by ``cpu_max_num_threads`` when set."""
    n = cpu_count()
    cap = _MAX_THREADS[0]
    return min(n, cap) if cap > 0 else n


def configure(
    max_threads: int | None = None,
    spin_us: int | None = None,
    mode: str | None = None,
    inline_us: int | None = None,
    slice_us: int | None = None,
    inline_shared_us: int | None = None,
    adapt: bool | None = None,
) -> None:
    """Cap the threads per task (``qd.init(cpu_max_num_threads=...)``; 0 or None: every CPU); set the spin time;
    pin the dispatch mode (``mode``: one of :data:`MODES`; ``"auto"`` lets the contention monitor choose); set how
    little work makes a task run on the caller (``inline_us``, :data:`INLINE_US`); set the workers'
    scheduler time slice (``slice_us``, :data:`SLICE_US`; 0: the kernel's default); whether that small-task rule
    in shared mode (``inline_shared_us``, :data:`INLINE_SHARED_US`; 0: never); whether a task may run on the caller
    alone where that measured faster than on the threads (``adapt``, :data:`ADAPT`)."""
    _MAX_THREADS[0] = max(0, int(max_threads or 0))
    if mode is not None and mode not in MODES:
        raise ValueError(f"pool mode {mode!r}: expected one of {', '.join(MODES)}")
    if not (_KEEP and isinstance(_KEEP[0], _Native)):
        return
    state = _KEEP[0].state
    if spin_us is not None:
        state.spin_ns = max(0, int(spin_us)) * 1000
    if inline_us is not None:
        state.inline_ns = max(0, int(inline_us)) * 1000
    if inline_shared_us is not None:
        state.inline_shared_ns = max(0, int(inline_shared_us)) * 1000
    if adapt is not None:
        state.adapt = int(bool(adapt))
    if slice_us is not None:
        _KEEP[0].slice_ns = max(0, int(slice_us)) * 1000
        _KEEP[0].apply_slice()
    if mode is not None:
        state.policy = MODES[mode]
        state.handoff = max(0, MODES[mode] - 1)  # "auto" starts from shared mode
        state.mon_t = state.mon_quiet = 0


def worker_count() -> int:
    """Worker threads running (the caller not counted; tests): one per CPU for the native pool."""
    if _KEEP and isinstance(_KEEP[0], _Native):
        return int(_KEEP[0].state.workers)
    return max(0, cpu_count() - 1) if _KEEP else 0


def worker_slices() -> dict[int, int | None]:
    """``{thread id: time slice in ns}`` of the native pool's workers as the kernel reports it (Linux; tests)."""
    if not (_KEEP and isinstance(_KEEP[0], _Native)):
        return {}
    return {tid: sched.get_slice(tid) for tid in _KEEP[0].worker_tids()}


def stats() -> dict[str, int]:
    """Counters of the native pool so far (diagnostics): ``jobs`` (dispatches to the workers), ``joins`` (worker
    joins), ``handoffs`` (jobs run in hand-off mode), ``inlined`` (small tasks run on the caller
    instead), ``solo`` (tasks run on the caller because that measured faster, :data:`ADAPT`), ``switches``
    (automatic mode changes) and ``handoff`` (the current mode: 1 hand-off, 0 shared)."""
    keys = ("jobs", "joins", "handoffs", "inlined", "solo", "switches", "handoff")
    if _KEEP and isinstance(_KEEP[0], _Native):
        return {key: int(getattr(_KEEP[0].state, key)) for key in keys}
    return dict.fromkeys(keys, 0)


def memo_entries() -> dict[int, dict[str, int]]:
    """The native pool's per-task memo (diagnostics, tests): ``{slot: {field: value}}`` for every slot a task's
    worker function holds, fields as :data:`.pool_ir.MEMO_FIELDS` (times in ns)."""
    if not (_KEEP and isinstance(_KEEP[0], _Native)):
        return {}
    memo = _KEEP[0].memo
    entries = {}
    for slot in range(MEMO_SLOTS):
        words = memo[slot * MEMO_WORDS : (slot + 1) * MEMO_WORDS]
        if words[MEMO_FIELDS["fn"]]:
            entries[slot] = {name: int(words[k]) for name, k in MEMO_FIELDS.items()}
    return entries


def pool_kind() -> str:
    """``"native"`` or ``"python-threads"`` (after :func:`bind_symbols`)."""
    return _KIND


class _PythonPool:
    """Persistent threads that each run ``worker(ctx)``; the dispatching thread runs one share itself."""

    def __init__(self, n: int):
        self.n = n
        self.cv = threading.Condition()
        self.job = None
        self.generation = 0
        self.pending = 0
        for k in range(n - 1):
            threading.Thread(target=self._loop, name=f"qd-worker-{k}", daemon=True).start()

    def _loop(self) -> None:
        seen = 0
        while True:
            with self.cv:
                while self.generation == seen:
                    self.cv.wait()
                seen = self.generation
                job = self.job
            job[0](job[1])
            with self.cv:
                self.pending -= 1
                self.cv.notify_all()

    def dispatch(self, fn_addr: int, ctx: int, nthreads: int, flags: int) -> None:
        fn = ctypes.CFUNCTYPE(None, ctypes.c_void_p)(fn_addr)
        with self.cv:
            self.job = (fn, ctx)
            self.pending = self.n - 1
            self.generation += 1
            self.cv.notify_all()
        fn(ctx)
        with self.cv:
            while self.pending:
                self.cv.wait()


def _native(jit) -> _Native | None:
    libc = ctypes.CDLL(None)
    if not all(hasattr(libc, fn) for fn in ("pthread_create", "pthread_cond_init", "clock_gettime")):
        return None
    pool = _Native(jit)
    pool.start(cpu_count())
    atexit.register(pool.stop)
    if hasattr(os, "register_at_fork"):
        os.register_at_fork(after_in_child=pool.after_fork_in_child)
    return pool


def bind_symbols(jit) -> None:
    """Compile the pool into ``jit`` and bind ``qd_parallel`` (idempotent; once per process)."""
    global _KIND
    with _LOCK:
        if _KIND:
            return
        pool = _native(jit)
        if pool is not None:
            _KEEP.append(pool)
            llvm.add_symbol("qd_parallel", pool.parallel)
            _KIND = "native"
            return
        python_pool = _PythonPool(cpu_count())
        proto = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_uint, ctypes.c_uint)
        cb = proto(python_pool.dispatch)
        _KEEP.extend((python_pool, cb))
        llvm.add_symbol("qd_parallel", ctypes.cast(cb, ctypes.c_void_p).value)
        _KIND = "python-threads"
