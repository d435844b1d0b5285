"""The LLVM IR of the native worker pool (:mod:`.pool`): ``qd_parallel`` and the worker threads' main loop.

The pool's state lives in one ``ctypes`` structure that Python allocates (so that it can reset it after ``fork``);
the IR reaches its fields as byte offsets from the external symbol ``qd_pool``. Sleeping uses POSIX mutexes and
condition variables (``qd_pool_mutex``, ``qd_pool_wake``, ``qd_pool_done``), also allocated by Python.

Protocol (one job at a time; the caller holds ``busy``):

* ``state`` is one 64-bit word: job id (high 32 bits), *open* (bit 31), how many workers may join (bits 16-30)
  and how many joined (bits 0-15). The caller publishes ``fn``/``ctx``, stores the open state (release), bumps
  ``seq`` and wakes sleeping workers only when ``sleepers`` says there are some.
* A worker joins by a compare-and-swap that increments the joined count of an open job it has not joined yet,
  then runs ``fn(ctx)`` (which claims chunks from the task's atomic counter until none is left) and increments
  ``finished``.
* **Shared mode** (``handoff`` = 0, a quiet machine): the caller runs ``fn(ctx)`` itself, so every chunk is claimed
  when it returns; it then *closes* the job (clears the open bit, reading how many workers joined) and waits only
  for those. A worker that was descheduled, or woke late, finds the job closed and never holds up the launch. At
  most ``workers - 1`` workers join (with the caller, one thread per CPU); the last worker never spins.
* **Hand-off mode** (``handoff`` = 1, a busy machine): up to ``nthreads`` workers join and the caller sleeps. A
  worker whose ``fn`` returned (every chunk is claimed) closes the job; the last of those that joined stores the job
  id in ``done_id`` and wakes the caller (one wake-up per job). Nobody spins. On a machine with more runnable
  threads than CPUs, Linux's EEVDF scheduler serves a thread that sleeps and wakes soon after it wakes, while a
  thread that never sleeps (a caller that computes chunks and spins, between launches a worker that spins) waits
  its turn behind every other busy thread: loaded ``mpm99`` steps took 2-8x upstream's time in shared mode, whose
  caller never sleeps (upstream's sleeps in every loop).
* **Small tasks**: every job's threads add up the time they spent in ``fn`` (``job_work``), remembered per worker
  function (``@qdp_memo``, direct-mapped); in hand-off mode a task whose last run took less than ``inline_ns`` of
  work runs on the caller instead (the two wake-ups of a hand-off would cost more), and in shared mode too while
  ``inline_shared_ns`` is not 0, with that limit (publishing the job and waiting for a worker that joined cost more
  than such a task).
* **Solo or parallel** (``adapt`` = 1): the memo also keeps moving averages (1/8 of each new sample) of a task's
  wall time on the threads (publish to completion, wake-ups included) and on the caller alone, and counts its
  launches. Once the solo average is below the parallel one the task runs on the caller (it keeps ``busy`` free,
  like a small task); every :data:`PROBE_EVERY`-th launch runs the other way, so both averages stay current. A
  probe that took more than :data:`PROBE_LOSS` times the preferred way's average doubles that task's interval
  between probes, up to :data:`PROBE_MAX` launches (on many idle cores a solo probe costs many times a parallel
  run); any other probe resets it. A task's first launch goes to the threads. Solo is chosen only while the
  machine is calm (``qdp_crowd`` in :mod:`.pool_monitor_ir`: at most :data:`CROWD_FACTOR` runnable threads per
  CPU on average): on a crowded machine a caller computing alone loses its place to every busy thread. Why: where
  the other CPUs are busy, a woken worker often lands on the caller's own CPU and the loop runs on one thread
  anyway, plus two wake-ups (pbf2d's 100 us ``solve`` loops took 15 us longer on two threads than on one).
* **Choosing the mode** (``policy`` 0, automatic): at most every :data:`WINDOW_NS` the dispatching thread reads its
  own run-queue wait (``/proc/thread-self/schedstat``, second field: nanoseconds spent runnable but not running).
  In shared mode, waiting for a CPU :data:`ENTER_PERMILLE` of the window or more switches to hand-off. In hand-off
  mode the caller's wait also counts its wake-ups, which cost time even on idle CPUs, so it is no measure of
  contention there: after :data:`PROBE_WINDOWS` windows the pool tries shared mode again (one window decides).
  ``policy`` 1 / 2 pin shared / hand-off mode. Where the file does not exist (not Linux) the pool stays in shared
  mode. Its IR lives in :mod:`.pool_monitor_ir`.
* **Thread ids**: on Linux each worker first records its kernel thread id (``gettid``) in ``qd_pool_tids``; the host
  uses them to give the workers a short scheduler time slice (:mod:`.sched`), so that a worker woken on a busy
  machine preempts a running process rather than waiting for the end of its slice.
* Waiting is bounded spinning (``spin_ns``; the clock is read every 64 pauses; shared mode only) followed by a
  condition-variable sleep. No ``sched_yield``: under EEVDF a yield moves the thread's deadline back, so on a busy
  machine a worker that yielded while idle ran long after the next job opened. Both wake-ups use the
  store-then-load pattern on sequentially consistent atomics (``seq``/``sleepers``, ``finished``/``waiting``) so
  that no wake-up is lost.
"""

from __future__ import annotations

from quadrants_llvm.cpu.pool_memo_ir import (
    MEMO_FIELDS,
    MEMO_SLOTS,
    MEMO_WORDS,
    PROBE_EVERY,
    PROBE_LOSS,
    PROBE_MAX,
    memo_ir,
)
from quadrants_llvm.cpu.pool_monitor_ir import (
    CROWD_FACTOR,
    CROWD_SLACK_MILLI,
    ENTER_PERMILLE,
    LOADAVG,
    PROBE_WINDOWS,
    SCHEDSTAT,
    WINDOW_NS,
    monitor_ir,
)

__all__ = [
    "CROWD_FACTOR",
    "CROWD_SLACK_MILLI",
    "ENTER_PERMILLE",
    "MEMO_FIELDS",
    "MEMO_SLOTS",
    "MEMO_WORDS",
    "OPEN",
    "PROBE_EVERY",
    "PROBE_LOSS",
    "PROBE_MAX",
    "PROBE_WINDOWS",
    "WINDOW_NS",
    "pool_ir",
]

OPEN = 1 << 31  # the open bit of ``state``
MAX_JOIN = 0x7FFF  # the join limit's field (bits 16-30)


def _relax(triple: str) -> tuple[str, str]:
    """``(declaration, call)`` of the target's spin-wait hint (``pause`` / ``yield``); empty where there is none."""
    if triple.startswith(("x86_64", "i386", "i686")):
        return "declare void @llvm.x86.sse2.pause() nounwind", "call void @llvm.x86.sse2.pause()"
    if triple.startswith(("aarch64", "arm64")):
        return "declare void @llvm.aarch64.hint(i32) nounwind", "call void @llvm.aarch64.hint(i32 1)"
    return "", ""


def _cstring(name: str, data: bytes) -> str:
    body = "".join(chr(c) if 32 <= c < 127 and c not in (34, 92) else f"\\{c:02X}" for c in data)
    return f'@{name} = private unnamed_addr constant [{len(data)} x i8] c"{body}"'


def pool_ir(triple: str, offsets: dict[str, int], clock_id: int, gettid: int | None = None) -> str:
    """IR text defining ``qd_parallel(fn, ctx, nthreads, flags)``, ``qd_pool_worker(arg)`` and
    ``qd_pool_run_delay()`` (the calling thread's run-queue wait in ns, -1 where it cannot be read).

    ``offsets`` maps the state's field names (``state fn ctx seq finished sleepers waiting busy workers jobs quit
    spin_ns joins handoff job_handoff policy handoffs switches mon_t mon_delay mon_thread mon_quiet done_id job_work
    inlined inline_ns``) to byte offsets;
    ``clock_id`` is the platform's ``CLOCK_MONOTONIC``. ``arg`` of a worker is its index (an integer). With
    ``gettid`` (the system call's number, Linux), a worker first stores its kernel thread id at its index of the
    ``i64`` array ``qd_pool_tids``, so that the host can set its scheduling attributes (:mod:`.sched`).
    """

    def f(name: str) -> str:
        return f"getelementptr inbounds (i8, ptr @qd_pool, i64 {offsets[name]})"

    relax_decl, relax = _relax(triple)
    return "\n".join(
        (
            _header(triple, relax_decl),
            _spin(f, relax),
            memo_ir(),
            monitor_ir(f),
            _parallel(f),
            _worker(f, gettid),
        )
    ).replace("@CLOCK_ID", str(clock_id))


def _header(triple: str, relax_decl: str) -> str:
    return f"""
target triple = "{triple}"

@qd_pool = external global i8
@qd_pool_mutex = external global i8
@qd_pool_wake = external global i8
@qd_pool_done = external global i8
@qd_pool_tids = external global i64
{_cstring("qdp_schedstat", SCHEDSTAT)}
{_cstring("qdp_loadavg", LOADAVG)}

declare i32 @pthread_mutex_lock(ptr) nounwind
declare i32 @pthread_mutex_unlock(ptr) nounwind
declare i32 @pthread_cond_wait(ptr, ptr) nounwind
declare i32 @pthread_cond_signal(ptr) nounwind
declare i32 @pthread_cond_broadcast(ptr) nounwind
declare i32 @clock_gettime(i32, ptr) nounwind
declare i64 @pthread_self() nounwind
declare i32 @open(ptr, i32, ...) nounwind
declare i64 @read(i32, ptr, i64) nounwind
declare i32 @close(i32) nounwind
declare i64 @syscall(i64, ...) nounwind
{relax_decl}

define internal i64 @qdp_now() nounwind {{
  %ts = alloca {{ i64, i64 }}, align 8
  %r = call i32 @clock_gettime(i32 @CLOCK_ID, ptr %ts)
  %sp = getelementptr {{ i64, i64 }}, ptr %ts, i32 0, i32 0
  %np = getelementptr {{ i64, i64 }}, ptr %ts, i32 0, i32 1
  %s = load i64, ptr %sp
  %n = load i64, ptr %np
  %ns = mul i64 %s, 1000000000
  %t = add i64 %ns, %n
  ret i64 %t
}}
"""


def _spin(f, relax: str) -> str:
    return f"""
; spin while (*p == v) == %eq, at most spin_ns nanoseconds; returns the last value read
define internal i32 @qdp_spin(ptr %p, i32 %v, i1 %eq) nounwind {{
entry:
  %budget = load atomic i64, ptr {f("spin_ns")} monotonic, align 8
  %t0 = call i64 @qdp_now()
  br label %loop
loop:
  %i = phi i32 [ 0, %entry ], [ %i1, %cont ]
  %x = load atomic i32, ptr %p acquire, align 4
  %same = icmp eq i32 %x, %v
  %keep = icmp eq i1 %same, %eq
  br i1 %keep, label %pause, label %out
pause:
  {relax}
  %i1 = add i32 %i, 1
  %m = and i32 %i1, 63
  %tick = icmp eq i32 %m, 0
  br i1 %tick, label %clock, label %cont
clock:
  %t = call i64 @qdp_now()
  %el = sub i64 %t, %t0
  %over = icmp sge i64 %el, %budget
  br i1 %over, label %out, label %cont
cont:
  br label %loop
out:
  %r = load atomic i32, ptr %p acquire, align 4
  ret i32 %r
}}

; sleep on qd_pool_done until *p != %v (%ne) or *p == %v (!%ne)
define internal void @qdp_sleep_until(ptr %p, i32 %v, i1 %ne) nounwind {{
entry:
  %l = call i32 @pthread_mutex_lock(ptr @qd_pool_mutex)
  store atomic i32 1, ptr {f("waiting")} seq_cst, align 4
  br label %check
check:
  %x = load atomic i32, ptr %p seq_cst, align 4
  %same = icmp eq i32 %x, %v
  %ok = xor i1 %same, %ne
  br i1 %ok, label %out, label %sleep
sleep:
  %w = call i32 @pthread_cond_wait(ptr @qd_pool_done, ptr @qd_pool_mutex)
  br label %check
out:
  store atomic i32 0, ptr {f("waiting")} seq_cst, align 4
  %u = call i32 @pthread_mutex_unlock(ptr @qd_pool_mutex)
  ret void
}}
"""


def _parallel(f) -> str:
    return f"""
define void @qd_parallel(ptr %fn, ptr %ctx, i32 %n, i32 %flags) nounwind {{
entry:
  %multi = icmp ugt i32 %n, 1
  br i1 %multi, label %try, label %alone
try:
  %c = cmpxchg ptr {f("busy")}, i32 0, i32 1 acquire monotonic
  %got = extractvalue {{ i32, i1 }} %c, 1
  br i1 %got, label %choose, label %alone
alone:
  call void %fn(ptr %ctx)
  ret void
choose:
  call void @qdp_monitor()
  %mode = load atomic i32, ptr {f("handoff")} monotonic, align 4
  %ho = icmp ne i32 %mode, 0
  %lim_ho = load atomic i64, ptr {f("inline_ns")} monotonic, align 8
  %lim_sh = load atomic i64, ptr {f("inline_shared_ns")} monotonic, align 8
  %limit = select i1 %ho, i64 %lim_ho, i64 %lim_sh
  %check = icmp sgt i64 %limit, 0
  br i1 %check, label %sizecheck, label %adapt
sizecheck:
  ; a dispatch costs more than a task that last took less work than the mode's limit: it runs here
  %small = call i1 @qdp_is_small(ptr %fn, i64 %limit)
  br i1 %small, label %inline, label %adapt
adapt:
  %adapt_on = load atomic i32, ptr {f("adapt")} monotonic, align 4
  %adapting = icmp ne i32 %adapt_on, 0
  br i1 %adapting, label %adapt_ask, label %size
adapt_ask:
  ; the task ran faster on the caller alone than on the threads lately: run it here, unless the machine is
  ; crowded with runnable threads (pool_monitor_ir: qdp_crowd)
  %calm = call i1 @qdp_crowd()
  %solo = call i1 @qdp_solo(ptr %fn, i1 %calm)
  br i1 %solo, label %solo_run, label %size
solo_run:
  %so = load i32, ptr {f("solo")}, align 4
  %so1 = add i32 %so, 1
  store i32 %so1, ptr {f("solo")}, align 4
  store atomic i32 0, ptr {f("busy")} release, align 4
  %sot0 = call i64 @qdp_now()
  call void %fn(ptr %ctx)
  %sot1 = call i64 @qdp_now()
  %sdt = sub i64 %sot1, %sot0
  call void @qdp_solo_record(ptr %fn, i64 %sdt)
  ret void
inline:
  %inl = load i32, ptr {f("inlined")}, align 4
  %inl1 = add i32 %inl, 1
  store i32 %inl1, ptr {f("inlined")}, align 4
  store atomic i32 0, ptr {f("busy")} release, align 4
  %iw = alloca i64, align 8
  store i64 0, ptr %iw
  call void @qdp_run_timed(ptr %fn, ptr %ctx, ptr %iw)
  %iwork = load i64, ptr %iw
  call void @qdp_record(ptr %fn, i64 %iwork)
  ret void
size:
  %workers = load atomic i32, ptr {f("workers")} monotonic, align 4
  %nm1 = sub i32 %n, 1
  %wm1 = sub i32 %workers, 1
  ; shared: the caller and n - 1 workers (never the last worker); hand-off: n workers
  %want0 = select i1 %ho, i32 %n, i32 %nm1
  %cap = select i1 %ho, i32 %workers, i32 %wm1
  %lt = icmp ult i32 %want0, %cap
  %want1 = select i1 %lt, i32 %want0, i32 %cap
  %big = icmp ugt i32 %want1, {MAX_JOIN}
  %want = select i1 %big, i32 {MAX_JOIN}, i32 %want1
  %none = icmp eq i32 %want, 0
  br i1 %none, label %release_alone, label %publish
release_alone:
  store atomic i32 0, ptr {f("busy")} release, align 4
  call void %fn(ptr %ctx)
  ret void
publish:
  %tpub = call i64 @qdp_now()
  %jobs = load i32, ptr {f("jobs")}, align 4
  %id = add i32 %jobs, 1
  store i32 %id, ptr {f("jobs")}, align 4
  %hos = load i32, ptr {f("handoffs")}, align 4
  %hoi = zext i1 %ho to i32
  %hos1 = add i32 %hos, %hoi
  store i32 %hos1, ptr {f("handoffs")}, align 4
  store ptr %fn, ptr {f("fn")}, align 8
  store ptr %ctx, ptr {f("ctx")}, align 8
  store i32 %hoi, ptr {f("job_handoff")}, align 4
  store atomic i64 0, ptr {f("job_work")} monotonic, align 8
  store atomic i32 0, ptr {f("finished")} monotonic, align 4
  %idw = zext i32 %id to i64
  %hi = shl i64 %idw, 32
  %ww = zext i32 %want to i64
  %lim = shl i64 %ww, 16
  %st0 = or i64 %hi, {OPEN}
  %st = or i64 %st0, %lim
  store atomic i64 %st, ptr {f("state")} release, align 8
  %seq = atomicrmw add ptr {f("seq")}, i32 1 seq_cst
  %sleepers = load atomic i32, ptr {f("sleepers")} seq_cst, align 4
  %asleep = icmp ne i32 %sleepers, 0
  br i1 %asleep, label %wake, label %work
wake:
  %l1 = call i32 @pthread_mutex_lock(ptr @qd_pool_mutex)
  %one = icmp eq i32 %want, 1
  br i1 %one, label %signal, label %broadcast
signal:
  %s1 = call i32 @pthread_cond_signal(ptr @qd_pool_wake)
  br label %woken
broadcast:
  %s2 = call i32 @pthread_cond_broadcast(ptr @qd_pool_wake)
  br label %woken
woken:
  %u1 = call i32 @pthread_mutex_unlock(ptr @qd_pool_mutex)
  br label %work
work:
  br i1 %ho, label %handed, label %share
handed:
  ; the last worker to finish (after the job is closed) stores its id in done_id: one wake-up of the caller
  call void @qdp_sleep_until(ptr {f("done_id")}, i32 %id, i1 false)
  br label %done
share:
  call void @qdp_run_timed(ptr %fn, ptr %ctx, ptr {f("job_work")})
  br label %close
close:
  %old = atomicrmw and ptr {f("state")}, i64 {~OPEN} acq_rel
  %j64 = and i64 %old, 65535
  %joined = trunc i64 %j64 to i32
  %f0 = load atomic i32, ptr {f("finished")} acquire, align 4
  %all0 = icmp eq i32 %f0, %joined
  br i1 %all0, label %done, label %wait
wait:
  br i1 %ho, label %block, label %spin
spin:
  %f1 = call i32 @qdp_spin(ptr {f("finished")}, i32 %joined, i1 false)
  %all1 = icmp eq i32 %f1, %joined
  br i1 %all1, label %done, label %block
block:
  call void @qdp_sleep_until(ptr {f("finished")}, i32 %joined, i1 false)
  br label %done
done:
  %jwork = load atomic i64, ptr {f("job_work")} monotonic, align 8
  %tend = call i64 @qdp_now()
  %jwall = sub i64 %tend, %tpub
  call void @qdp_par_record(ptr %fn, i64 %jwork, i64 %jwall)
  store atomic i32 0, ptr {f("busy")} release, align 4
  ret void
}}
"""


def _worker(f, gettid: int | None) -> str:
    record = (
        f"""
  %tid = call i64 (i64, ...) @syscall(i64 {gettid})
  %tidp = getelementptr i64, ptr @qd_pool_tids, i64 %index
  store atomic i64 %tid, ptr %tidp release, align 8"""
        if gettid is not None
        else ""
    )
    return f"""
define ptr @qd_pool_worker(ptr %arg) nounwind {{
entry:
  %last = alloca i32, align 4
  store i32 0, ptr %last
  %index = ptrtoint ptr %arg to i64{record}
  br label %top
top:
  %quit = load atomic i32, ptr {f("quit")} acquire, align 4
  %stop = icmp ne i32 %quit, 0
  br i1 %stop, label %exit, label %look
look:
  %seq0 = load atomic i32, ptr {f("seq")} acquire, align 4
  %s = load atomic i64, ptr {f("state")} acquire, align 8
  %open = and i64 %s, {OPEN}
  %isopen = icmp ne i64 %open, 0
  %idw = lshr i64 %s, 32
  %id = trunc i64 %idw to i32
  %l = load i32, ptr %last
  %fresh = icmp ne i32 %id, %l
  %joined = and i64 %s, 65535
  %lim0 = lshr i64 %s, 16
  %lim = and i64 %lim0, {MAX_JOIN}
  %room = icmp ult i64 %joined, %lim
  %ok0 = and i1 %isopen, %fresh
  %ok = and i1 %ok0, %room
  br i1 %ok, label %join, label %idle
join:
  %s1 = add i64 %s, 1
  %c = cmpxchg ptr {f("state")}, i64 %s, i64 %s1 acq_rel acquire
  %won = extractvalue {{ i64, i1 }} %c, 1
  br i1 %won, label %run, label %top
run:
  store i32 %id, ptr %last
  %jt = atomicrmw add ptr {f("joins")}, i32 1 monotonic
  %fn = load ptr, ptr {f("fn")}, align 8
  %ctx = load ptr, ptr {f("ctx")}, align 8
  %jho = load i32, ptr {f("job_handoff")}, align 4
  call void @qdp_run_timed(ptr %fn, ptr %ctx, ptr {f("job_work")})
  %fin = atomicrmw add ptr {f("finished")}, i32 1 seq_cst
  %handed = icmp ne i32 %jho, 0
  br i1 %handed, label %wclose, label %told
wclose:
  ; hand-off: fn returned, so every chunk is claimed: close the job if it is still this one (another worker may
  ; have finished it, and the caller published the next one, since this worker counted itself in ``finished``);
  ; the last of those who joined tells the sleeping caller
  %cur = load atomic i64, ptr {f("state")} acquire, align 8
  %cidw = lshr i64 %cur, 32
  %cid = trunc i64 %cidw to i32
  %mine = icmp eq i32 %cid, %id
  br i1 %mine, label %wclose2, label %top
wclose2:
  %closed = and i64 %cur, {~OPEN}
  %cx = cmpxchg ptr {f("state")}, i64 %cur, i64 %closed acq_rel acquire
  %cxok = extractvalue {{ i64, i1 }} %cx, 1
  br i1 %cxok, label %wjudge, label %wclose
wjudge:
  %oj = and i64 %cur, 65535
  %ojoined = trunc i64 %oj to i32
  %fin1 = add i32 %fin, 1
  %lastone = icmp eq i32 %fin1, %ojoined
  br i1 %lastone, label %complete, label %top
complete:
  store atomic i32 %id, ptr {f("done_id")} seq_cst, align 4
  br label %told
told:
  %waiting = load atomic i32, ptr {f("waiting")} seq_cst, align 4
  %tell = icmp ne i32 %waiting, 0
  br i1 %tell, label %notify, label %top
notify:
  %l1 = call i32 @pthread_mutex_lock(ptr @qd_pool_mutex)
  %s2 = call i32 @pthread_cond_signal(ptr @qd_pool_done)
  %u1 = call i32 @pthread_mutex_unlock(ptr @qd_pool_mutex)
  br label %top
idle:
  ; spin only in shared mode, and never the last worker (it only joins in hand-off mode)
  %mode = load atomic i32, ptr {f("handoff")} monotonic, align 4
  %ho = icmp ne i32 %mode, 0
  %nw = load atomic i32, ptr {f("workers")} monotonic, align 4
  %nw64 = zext i32 %nw to i64
  %lastw = add i64 %index, 1
  %spare = icmp uge i64 %lastw, %nw64
  %nospin = or i1 %ho, %spare
  br i1 %nospin, label %sleep, label %spinning
spinning:
  %x = call i32 @qdp_spin(ptr {f("seq")}, i32 %seq0, i1 true)
  %moved = icmp ne i32 %x, %seq0
  br i1 %moved, label %top, label %sleep
sleep:
  %l2 = call i32 @pthread_mutex_lock(ptr @qd_pool_mutex)
  %sl = atomicrmw add ptr {f("sleepers")}, i32 1 seq_cst
  br label %check
check:
  %q = load atomic i32, ptr {f("seq")} seq_cst, align 4
  %still = icmp eq i32 %q, %seq0
  %qq = load atomic i32, ptr {f("quit")} seq_cst, align 4
  %live = icmp eq i32 %qq, 0
  %wait = and i1 %still, %live
  br i1 %wait, label %block, label %woke
block:
  %w = call i32 @pthread_cond_wait(ptr @qd_pool_wake, ptr @qd_pool_mutex)
  br label %check
woke:
  %sl2 = atomicrmw sub ptr {f("sleepers")}, i32 1 seq_cst
  %u2 = call i32 @pthread_mutex_unlock(ptr @qd_pool_mutex)
  br label %top
exit:
  ret ptr null
}}
"""
