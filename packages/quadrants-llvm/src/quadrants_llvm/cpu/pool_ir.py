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
* The caller runs ``fn(ctx)`` itself, so every chunk is claimed when it returns; it then *closes* the job (clears
  the open bit, reading how many workers joined) and waits only for those. A worker that was descheduled, or woke
  late, finds the job closed and never holds up the launch; the caller does the work alone when no worker comes.
* Waiting is bounded spinning (``spin_ns``; the clock is read every 64 pauses) followed by a condition-variable
  sleep. No ``sched_yield``: under Linux's EEVDF scheduler a yield moves the thread's deadline back, so on a busy
  machine a worker that yielded while idle ran long after the next job opened (it joined 11% of the jobs of a
  loaded ``mpm99`` run, against about half without the yield). Both wake-ups use the store-then-load pattern on
  sequentially consistent atomics (``seq``/``sleepers``, ``finished``/``waiting``) so that no wake-up is lost.
"""

from __future__ import annotations

__all__ = ["OPEN", "pool_ir"]

OPEN = 1 << 31  # the open bit of ``state``
MAX_JOIN = 0x7FFF  # the join limit's field (bits 16-30)


def _relax(triple: str) -> tuple[str, str]:
    """``(declaration, call)`` of the target's spin-wait hint (``pause`` / ``yield``); empty where there is none."""
    if triple.startswith(("x86_64", "i386", "i686")):
        return "declare void @llvm.x86.sse2.pause() nounwind", "call void @llvm.x86.sse2.pause()"
    if triple.startswith(("aarch64", "arm64")):
        return "declare void @llvm.aarch64.hint(i32) nounwind", "call void @llvm.aarch64.hint(i32 1)"
    return "", ""


def pool_ir(triple: str, offsets: dict[str, int], clock_id: int) -> str:
    """IR text defining ``qd_parallel(fn, ctx, nthreads, flags)`` and ``qd_pool_worker(arg)``.

    ``offsets`` maps the state's field names (``state fn ctx seq finished sleepers waiting busy workers jobs quit
    spin_ns``) to byte offsets; ``clock_id`` is the platform's ``CLOCK_MONOTONIC``.
    """

    def f(name: str) -> str:
        return f"getelementptr inbounds (i8, ptr @qd_pool, i64 {offsets[name]})"

    relax_decl, relax = _relax(triple)
    return f"""
target triple = "{triple}"

@qd_pool = external global i8
@qd_pool_mutex = external global i8
@qd_pool_wake = external global i8
@qd_pool_done = external global i8

declare i32 @pthread_mutex_lock(ptr) nounwind
declare i32 @pthread_mutex_unlock(ptr) nounwind
declare i32 @pthread_cond_wait(ptr, ptr) nounwind
declare i32 @pthread_cond_signal(ptr) nounwind
declare i32 @pthread_cond_broadcast(ptr) nounwind
declare i32 @clock_gettime(i32, ptr) nounwind
{relax_decl}

define internal i64 @qdp_now() nounwind {{
  %ts = alloca {{ i64, i64 }}, align 8
  %r = call i32 @clock_gettime(i32 {clock_id}, ptr %ts)
  %sp = getelementptr {{ i64, i64 }}, ptr %ts, i32 0, i32 0
  %np = getelementptr {{ i64, i64 }}, ptr %ts, i32 0, i32 1
  %s = load i64, ptr %sp
  %n = load i64, ptr %np
  %ns = mul i64 %s, 1000000000
  %t = add i64 %ns, %n
  ret i64 %t
}}

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

define void @qd_parallel(ptr %fn, ptr %ctx, i32 %n, i32 %flags) nounwind {{
entry:
  %workers = load atomic i32, ptr {f("workers")} monotonic, align 4
  %want0 = sub i32 %n, 1
  %lt = icmp ult i32 %want0, %workers
  %want1 = select i1 %lt, i32 %want0, i32 %workers
  %big = icmp ugt i32 %want1, {MAX_JOIN}
  %want = select i1 %big, i32 {MAX_JOIN}, i32 %want1
  %none = icmp eq i32 %want, 0
  br i1 %none, label %alone, label %try
try:
  %c = cmpxchg ptr {f("busy")}, i32 0, i32 1 acquire monotonic
  %got = extractvalue {{ i32, i1 }} %c, 1
  br i1 %got, label %publish, label %alone
alone:
  call void %fn(ptr %ctx)
  ret void
publish:
  %jobs = load i32, ptr {f("jobs")}, align 4
  %id = add i32 %jobs, 1
  store i32 %id, ptr {f("jobs")}, align 4
  store ptr %fn, ptr {f("fn")}, align 8
  store ptr %ctx, ptr {f("ctx")}, align 8
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
  call void %fn(ptr %ctx)
  br label %close
close:
  %old = atomicrmw and ptr {f("state")}, i64 {~OPEN} acq_rel
  %j64 = and i64 %old, 65535
  %joined = trunc i64 %j64 to i32
  %f0 = load atomic i32, ptr {f("finished")} acquire, align 4
  %all0 = icmp eq i32 %f0, %joined
  br i1 %all0, label %done, label %spin
spin:
  %f1 = call i32 @qdp_spin(ptr {f("finished")}, i32 %joined, i1 false)
  %all1 = icmp eq i32 %f1, %joined
  br i1 %all1, label %done, label %block
block:
  %l2 = call i32 @pthread_mutex_lock(ptr @qd_pool_mutex)
  store atomic i32 1, ptr {f("waiting")} seq_cst, align 4
  br label %check
check:
  %f2 = load atomic i32, ptr {f("finished")} seq_cst, align 4
  %all2 = icmp eq i32 %f2, %joined
  br i1 %all2, label %unblock, label %sleep
sleep:
  %w2 = call i32 @pthread_cond_wait(ptr @qd_pool_done, ptr @qd_pool_mutex)
  br label %check
unblock:
  store atomic i32 0, ptr {f("waiting")} seq_cst, align 4
  %u2 = call i32 @pthread_mutex_unlock(ptr @qd_pool_mutex)
  br label %done
done:
  store atomic i32 0, ptr {f("busy")} release, align 4
  ret void
}}

define ptr @qd_pool_worker(ptr %arg) nounwind {{
entry:
  %last = alloca i32, align 4
  store i32 0, ptr %last
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
  call void %fn(ptr %ctx)
  %fin = atomicrmw add ptr {f("finished")}, i32 1 seq_cst
  %waiting = load atomic i32, ptr {f("waiting")} seq_cst, align 4
  %tell = icmp ne i32 %waiting, 0
  br i1 %tell, label %notify, label %top
notify:
  %l1 = call i32 @pthread_mutex_lock(ptr @qd_pool_mutex)
  %s2 = call i32 @pthread_cond_signal(ptr @qd_pool_done)
  %u1 = call i32 @pthread_mutex_unlock(ptr @qd_pool_mutex)
  br label %top
idle:
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
