"""The contention monitor of the native worker pool (:mod:`.pool_ir`): LLVM IR that reads the calling thread's
run-queue wait and chooses between shared and hand-off mode.

* ``qd_pool_run_delay()`` returns the second number of ``/proc/thread-self/schedstat`` (nanoseconds this thread was
  runnable but not running), or -1 where it cannot be read (not Linux);
* ``qd_pool_runnable()`` returns how many threads the machine has runnable now (``/proc/loadavg``'s fourth field,
  the caller included), or -1; ``qdp_crowd()`` samples it at most every :data:`WINDOW_NS` into a moving average
  (1/8 of each sample) and says whether that average is at most :data:`CROWD_FACTOR` x the pool's CPUs +
  :data:`CROWD_SLACK_MILLI` / 1000
  (*Solo or parallel* in :mod:`.pool_ir`: on a crowded machine a caller that computes alone loses its place to
  every other busy thread, a cost outside the loop that its own timing cannot see);
* ``qdp_monitor()`` (the caller holds ``busy``) samples it at most every :data:`WINDOW_NS`. In shared mode a wait of
  :data:`ENTER_PERMILLE` of the window or more switches to hand-off mode; in hand-off mode the caller's own wake-ups
  count as waiting even on idle CPUs, so after :data:`PROBE_WINDOWS` windows shared mode is tried again and one
  window decides. A sample taken on another thread than the last one only starts a window. ``policy`` 1 / 2 pin
  shared / hand-off mode.

The text uses the field accessor ``f`` of :func:`.pool_ir.pool_ir` and the ``@qdp_now`` / ``@qdp_schedstat``
definitions of its header.
"""

from __future__ import annotations

__all__ = [
    "CROWD_FACTOR",
    "CROWD_SLACK_MILLI",
    "ENTER_PERMILLE",
    "LOADAVG",
    "PROBE_WINDOWS",
    "SCHEDSTAT",
    "WINDOW_NS",
    "monitor_ir",
]

WINDOW_NS = 4_000_000  # the contention monitor samples at most this often
ENTER_PERMILLE = 200  # run-queue wait per window (1/1000) in shared mode that switches to hand-off mode
PROBE_WINDOWS = 256  # windows in hand-off mode (>= 1 s) after which shared mode is tried again
SCHEDSTAT = b"/proc/thread-self/schedstat\x00"
LOADAVG = b"/proc/loadavg\x00"  # its fourth field: runnable threads / all threads, now
# a task runs solo only while the moving average of runnable threads (the caller included) stays at or below
# CROWD_FACTOR x the pool's CPUs + CROWD_SLACK_MILLI / 1000: on 2 CPUs next to other agents' work 2-5 were runnable
# (pbf2d faster solo), under a background load of 3x the CPUs 9 (mass_spring 34 against 28 ms a step solo)
CROWD_FACTOR = 2
CROWD_SLACK_MILLI = 500


def monitor_ir(f) -> str:
    """IR text of ``qd_pool_run_delay`` and ``qdp_monitor``."""
    return f"""
; the calling thread's run-queue wait in ns (second number of /proc/thread-self/schedstat); -1 if unreadable
define i64 @qd_pool_run_delay() nounwind {{
entry:
  %buf = alloca [64 x i8], align 8
  %fd = call i32 (ptr, i32, ...) @open(ptr @qdp_schedstat, i32 0)
  %bad = icmp slt i32 %fd, 0
  br i1 %bad, label %fail, label %rd
rd:
  %n = call i64 @read(i32 %fd, ptr %buf, i64 63)
  %c = call i32 @close(i32 %fd)
  %short = icmp slt i64 %n, 3
  br i1 %short, label %fail, label %skip
skip:
  %i = phi i64 [ 0, %rd ], [ %i1, %skip_next ]
  %inside = icmp slt i64 %i, %n
  br i1 %inside, label %skip_ch, label %fail
skip_ch:
  %p = getelementptr i8, ptr %buf, i64 %i
  %ch = load i8, ptr %p
  %i1 = add i64 %i, 1
  %sp = icmp eq i8 %ch, 32
  br i1 %sp, label %num, label %skip_next
skip_next:
  br label %skip
num:
  %j = phi i64 [ %i1, %skip_ch ], [ %j1, %digit ]
  %acc = phi i64 [ 0, %skip_ch ], [ %acc1, %digit ]
  %in2 = icmp slt i64 %j, %n
  br i1 %in2, label %num_ch, label %done
num_ch:
  %q = getelementptr i8, ptr %buf, i64 %j
  %d8 = load i8, ptr %q
  %d = sub i8 %d8, 48
  %isd = icmp ult i8 %d, 10
  br i1 %isd, label %digit, label %done
digit:
  %dw = zext i8 %d to i64
  %a10 = mul i64 %acc, 10
  %acc1 = add i64 %a10, %dw
  %j1 = add i64 %j, 1
  br label %num
done:
  ret i64 %acc
fail:
  ret i64 -1
}}

; threads runnable on the machine now (/proc/loadavg: "a b c RUNNABLE/ALL pid"); -1 if unreadable
define i64 @qd_pool_runnable() nounwind {{
entry:
  %buf = alloca [128 x i8], align 8
  %fd = call i32 (ptr, i32, ...) @open(ptr @qdp_loadavg, i32 0)
  %bad = icmp slt i32 %fd, 0
  br i1 %bad, label %fail, label %rd
rd:
  %n = call i64 @read(i32 %fd, ptr %buf, i64 127)
  %c = call i32 @close(i32 %fd)
  br label %skip
skip:
  %i = phi i64 [ 0, %rd ], [ %i1, %skip_ch ]
  %spaces = phi i32 [ 0, %rd ], [ %spaces1, %skip_ch ]
  %three = icmp eq i32 %spaces, 3
  br i1 %three, label %num, label %skip_in
skip_in:
  %inside = icmp slt i64 %i, %n
  br i1 %inside, label %skip_ch, label %fail
skip_ch:
  %p = getelementptr i8, ptr %buf, i64 %i
  %ch = load i8, ptr %p
  %i1 = add i64 %i, 1
  %sp = icmp eq i8 %ch, 32
  %spi = zext i1 %sp to i32
  %spaces1 = add i32 %spaces, %spi
  br label %skip
num:
  %j = phi i64 [ %i, %skip ], [ %j1, %digit ]
  %acc = phi i64 [ 0, %skip ], [ %acc1, %digit ]
  %in2 = icmp slt i64 %j, %n
  br i1 %in2, label %num_ch, label %fail
num_ch:
  %q = getelementptr i8, ptr %buf, i64 %j
  %d8 = load i8, ptr %q
  %d = sub i8 %d8, 48
  %isd = icmp ult i8 %d, 10
  br i1 %isd, label %digit, label %done
digit:
  %dw = zext i8 %d to i64
  %a10 = mul i64 %acc, 10
  %acc1 = add i64 %a10, %dw
  %j1 = add i64 %j, 1
  br label %num
done:
  %slash = icmp eq i8 %d8, 47
  br i1 %slash, label %ok, label %fail
ok:
  ret i64 %acc
fail:
  ret i64 -1
}}

; whether the machine has at most CROWD_FACTOR runnable threads per CPU of the pool (+ slack), on average; samples
; /proc/loadavg at most every WINDOW_NS (any thread may call it: the words are atomic, a lost sample is harmless)
define internal i1 @qdp_crowd() nounwind {{
entry:
  %now = call i64 @qdp_now()
  %t0 = load atomic i64, ptr {f("crowd_t")} monotonic, align 8
  %dt = sub i64 %now, %t0
  %early = icmp slt i64 %dt, {WINDOW_NS}
  br i1 %early, label %judge, label %sample
sample:
  store atomic i64 %now, ptr {f("crowd_t")} monotonic, align 8
  %r = call i64 @qd_pool_runnable()
  %known = icmp sge i64 %r, 0
  br i1 %known, label %mix, label %judge
mix:
  %x = mul i64 %r, 1000
  %old = load atomic i64, ptr {f("crowd")} monotonic, align 8
  %first = icmp eq i64 %old, 0
  %d = sub i64 %x, %old
  %step = ashr i64 %d, 3
  %m = add i64 %old, %step
  %new0 = select i1 %first, i64 %x, i64 %m
  %pos = icmp sgt i64 %new0, 0
  %new = select i1 %pos, i64 %new0, i64 1
  store atomic i64 %new, ptr {f("crowd")} monotonic, align 8
  br label %judge
judge:
  %avg = load atomic i64, ptr {f("crowd")} monotonic, align 8
  %w = load atomic i32, ptr {f("workers")} monotonic, align 4
  %w64 = zext i32 %w to i64
  %w1000 = mul i64 %w64, {CROWD_FACTOR * 1000}
  %lim = add i64 %w1000, {CROWD_SLACK_MILLI}
  %calm = icmp sle i64 %avg, %lim
  ret i1 %calm
}}

; automatic mode choice (the caller holds busy): see the module docstring
define internal void @qdp_monitor() nounwind {{
entry:
  %policy = load atomic i32, ptr {f("policy")} monotonic, align 4
  %auto = icmp eq i32 %policy, 0
  br i1 %auto, label %timed, label %pinned
pinned:
  %forced = sub i32 %policy, 1
  store atomic i32 %forced, ptr {f("handoff")} monotonic, align 4
  ret void
timed:
  %now = call i64 @qdp_now()
  %t0 = load i64, ptr {f("mon_t")}, align 8
  %dt = sub i64 %now, %t0
  %early = icmp slt i64 %dt, {WINDOW_NS}
  br i1 %early, label %out, label %sample
sample:
  %delay = call i64 @qd_pool_run_delay()
  %me = call i64 @pthread_self()
  %prev_me = load i64, ptr {f("mon_thread")}, align 8
  %prev = load i64, ptr {f("mon_delay")}, align 8
  store i64 %now, ptr {f("mon_t")}, align 8
  store i64 %delay, ptr {f("mon_delay")}, align 8
  store i64 %me, ptr {f("mon_thread")}, align 8
  %same = icmp eq i64 %me, %prev_me
  ; -1 is the one 'unreadable' value (a test may pretend a window that starts below 0)
  %known = icmp ne i64 %prev, -1
  %read = icmp sge i64 %delay, 0
  %fresh = icmp ne i64 %t0, 0
  %ok0 = and i1 %same, %known
  %ok1 = and i1 %ok0, %read
  %ok = and i1 %ok1, %fresh
  br i1 %ok, label %judge, label %out
judge:
  %dd = sub i64 %delay, %prev
  %pm = mul i64 %dd, 1000
  %mode = load atomic i32, ptr {f("handoff")} monotonic, align 4
  %shared = icmp eq i32 %mode, 0
  br i1 %shared, label %in_shared, label %in_handoff
in_shared:
  %enter_at = mul i64 %dt, {ENTER_PERMILLE}
  %busy = icmp sge i64 %pm, %enter_at
  br i1 %busy, label %enter, label %out
enter:
  store atomic i32 1, ptr {f("handoff")} monotonic, align 4
  store i32 0, ptr {f("mon_quiet")}, align 4
  %sw1 = load i32, ptr {f("switches")}, align 4
  %sw1n = add i32 %sw1, 1
  store i32 %sw1n, ptr {f("switches")}, align 4
  br label %out
in_handoff:
  ; in hand-off mode the caller's own wake-ups count as waiting (even on idle CPUs): probe shared mode instead
  %qw = load i32, ptr {f("mon_quiet")}, align 4
  %qw1 = add i32 %qw, 1
  store i32 %qw1, ptr {f("mon_quiet")}, align 4
  %back = icmp uge i32 %qw1, {PROBE_WINDOWS}
  br i1 %back, label %leave, label %out
leave:
  store atomic i32 0, ptr {f("handoff")} monotonic, align 4
  %sw2 = load i32, ptr {f("switches")}, align 4
  %sw2n = add i32 %sw2, 1
  store i32 %sw2n, ptr {f("switches")}, align 4
  br label %out
out:
  ret void
}}
"""
