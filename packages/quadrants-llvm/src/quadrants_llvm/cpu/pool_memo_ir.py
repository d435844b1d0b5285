"""The per-task memo of the native worker pool (:mod:`.pool_ir`): LLVM IR that remembers how a task's launches went
and decides whether the next one runs on the caller alone.

``@qdp_memo`` is direct-mapped on the task's worker function (:data:`MEMO_SLOTS` slots of :data:`MEMO_WORDS` words,
fields :data:`MEMO_FIELDS`); a function that hashes onto a slot another one holds takes it over with its measurements
cleared. ``qdp_record`` keeps the work of a task's last run (the small-task rule, ``qdp_is_small``); ``qdp_solo``,
``qdp_solo_record`` and ``qdp_par_record`` implement *Solo or parallel* (:mod:`.pool_ir`'s docstring). The memo is a
global symbol so that the host can read it (``pool.memo_entries``, tests). Only the thread that holds the pool's
``busy`` word decides; a solo run records after releasing it, so two threads may write one slot at once: the words
are atomic, and a lost sample only delays a decision.

The text uses the ``@qdp_now`` definition of :mod:`.pool_ir`'s header.
"""

from __future__ import annotations

__all__ = [
    "EWMA_SHIFT",
    "MEMO_FIELDS",
    "MEMO_SHIFT",
    "MEMO_SLOTS",
    "MEMO_WORDS",
    "PROBE_EVERY",
    "PROBE_LOSS",
    "PROBE_MAX",
    "memo_ir",
]

MEMO_SLOTS = 64  # the per-task memo (direct-mapped on the task's worker function)
# a memo slot's words: the function, the work of its last run (ns, all threads; the small-task rule), moving
# averages of the wall time of its parallel and of its solo runs (ns), its launches, and the launches between probes
MEMO_FIELDS = {"fn": 0, "work": 1, "par_wall": 2, "solo_wall": 3, "count": 4, "interval": 5}
MEMO_SHIFT = 3  # 8 words a slot
MEMO_WORDS = 1 << MEMO_SHIFT
EWMA_SHIFT = 3  # the moving averages take 1/8 of each new sample
PROBE_EVERY = 16  # every 16th launch of a task tries the way it does not prefer (a power of two) ...
PROBE_LOSS = 2  # ... and a probe that took over twice the preferred way's time doubles that interval ...
PROBE_MAX = 1024  # ... up to this many launches (a power of two): on 64 cores a solo probe costs 64 runs' time


def memo_ir() -> str:
    """IR text of the memo and its functions."""
    return f"""
@qdp_memo = global [{MEMO_WORDS * MEMO_SLOTS} x i64] zeroinitializer, align 8

; the memo slot of a task's worker function (direct-mapped), {MEMO_WORDS} words: see MEMO_FIELDS
define internal ptr @qdp_memo_slot(ptr %fn) nounwind {{
  %a = ptrtoint ptr %fn to i64
  %h0 = lshr i64 %a, 4
  %h1 = lshr i64 %a, 11
  %h2 = xor i64 %h0, %h1
  %h = and i64 %h2, {MEMO_SLOTS - 1}
  %k = shl i64 %h, {MEMO_SHIFT}
  %p = getelementptr i64, ptr @qdp_memo, i64 %k
  ret ptr %p
}}

define internal i1 @qdp_is_small(ptr %fn, i64 %limit) nounwind {{
  %p = call ptr @qdp_memo_slot(ptr %fn)
  %key = load atomic i64, ptr %p monotonic, align 8
  %a = ptrtoint ptr %fn to i64
  %mine = icmp eq i64 %key, %a
  %wp = getelementptr i64, ptr %p, i64 {MEMO_FIELDS["work"]}
  %work = load atomic i64, ptr %wp monotonic, align 8
  %small = icmp slt i64 %work, %limit
  %r = and i1 %mine, %small
  ret i1 %r
}}

; claim the slot for fn: a different function that hashed there leaves its measurements behind
define internal ptr @qdp_memo_claim(ptr %fn) nounwind {{
entry:
  %p = call ptr @qdp_memo_slot(ptr %fn)
  %a = ptrtoint ptr %fn to i64
  %key = load atomic i64, ptr %p monotonic, align 8
  %mine = icmp eq i64 %key, %a
  br i1 %mine, label %out, label %reset
reset:
  store atomic i64 %a, ptr %p monotonic, align 8
{_zero_fields()}
  br label %out
out:
  ret ptr %p
}}

define internal void @qdp_record(ptr %fn, i64 %work) nounwind {{
  %p = call ptr @qdp_memo_claim(ptr %fn)
  %wp = getelementptr i64, ptr %p, i64 {MEMO_FIELDS["work"]}
  store atomic i64 %work, ptr %wp monotonic, align 8
  ret void
}}

; a moving average: the first sample, then 1/{1 << EWMA_SHIFT} of each new one
define internal void @qdp_average(ptr %p, i64 %field, i64 %x) nounwind {{
entry:
  %fp = getelementptr i64, ptr %p, i64 %field
  %old = load atomic i64, ptr %fp monotonic, align 8
  %first = icmp eq i64 %old, 0
  %d = sub i64 %x, %old
  %step = ashr i64 %d, {EWMA_SHIFT}
  %mixed = add i64 %old, %step
  %new0 = select i1 %first, i64 %x, i64 %mixed
  %pos = icmp sgt i64 %new0, 0
  %new = select i1 %pos, i64 %new0, i64 1
  store atomic i64 %new, ptr %fp monotonic, align 8
  ret void
}}

; run fn(ctx) on this thread and add the nanoseconds it took to the job's work
define internal void @qdp_run_timed(ptr %fn, ptr %ctx, ptr %work) nounwind {{
  %t0 = call i64 @qdp_now()
  call void %fn(ptr %ctx)
  %t1 = call i64 @qdp_now()
  %dt = sub i64 %t1, %t0
  %old = atomicrmw add ptr %work, i64 %dt monotonic
  ret void
}}
{_adapt_ir()}"""


def _zero_fields() -> str:
    lines = []
    for name, k in MEMO_FIELDS.items():
        if name != "fn":
            lines.append(f"  %z{k} = getelementptr i64, ptr %p, i64 {k}")
            lines.append(f"  store atomic i64 0, ptr %z{k} monotonic, align 8")
    return "\n".join(lines)


def _adapt_ir() -> str:
    """``qdp_solo(fn) -> i1``: whether this launch of a task runs on the caller alone; ``qdp_solo_record`` and
    ``qdp_par_record``: the measurements behind it (module docstring, *Solo or parallel*)."""
    m = MEMO_FIELDS
    return f"""
define internal i1 @qdp_solo(ptr %fn, i1 %calm) nounwind {{
entry:
  %p = call ptr @qdp_memo_slot(ptr %fn)
  %key = load atomic i64, ptr %p monotonic, align 8
  %a = ptrtoint ptr %fn to i64
  %mine = icmp eq i64 %key, %a
  br i1 %mine, label %known, label %no
known:
  %cp = getelementptr i64, ptr %p, i64 {m["count"]}
  %c0 = load atomic i64, ptr %cp monotonic, align 8
  %c = add i64 %c0, 1
  store atomic i64 %c, ptr %cp monotonic, align 8
  %faster = call i1 @qdp_prefers_solo(ptr %p)
  %pref = and i1 %faster, %calm
  %ip = getelementptr i64, ptr %p, i64 {m["interval"]}
  %i0 = load atomic i64, ptr %ip monotonic, align 8
  %unset = icmp eq i64 %i0, 0
  %iv = select i1 %unset, i64 {PROBE_EVERY}, i64 %i0
  %ivm = sub i64 %iv, 1
  %pm = and i64 %c, %ivm
  %probe = icmp eq i64 %pm, 0
  ; a probe runs the way this task does not prefer, so that both measurements stay current
  %r = xor i1 %pref, %probe
  ret i1 %r
no:
  ret i1 false
}}

; solo is preferred once measured faster than the parallel runs (both moving averages known)
define internal i1 @qdp_prefers_solo(ptr %p) nounwind {{
  %parp = getelementptr i64, ptr %p, i64 {m["par_wall"]}
  %par = load atomic i64, ptr %parp monotonic, align 8
  %sp = getelementptr i64, ptr %p, i64 {m["solo_wall"]}
  %solo = load atomic i64, ptr %sp monotonic, align 8
  %known = icmp ne i64 %solo, 0
  %faster = icmp slt i64 %solo, %par
  %r = and i1 %known, %faster
  ret i1 %r
}}

; after a probe (a run the task did not prefer): a probe that took more than PROBE_LOSS x the preferred way's
; average doubles the interval between probes (up to PROBE_MAX launches), any other resets it
define internal void @qdp_probed(ptr %p, i64 %wall, i64 %other) nounwind {{
  %ip = getelementptr i64, ptr %p, i64 {m["interval"]}
  %i0 = load atomic i64, ptr %ip monotonic, align 8
  %unset = icmp eq i64 %i0, 0
  %iv = select i1 %unset, i64 {PROBE_EVERY}, i64 %i0
  %lim = mul i64 %other, {PROBE_LOSS}
  %lost = icmp sgt i64 %wall, %lim
  %known = icmp ne i64 %other, 0
  %bad = and i1 %lost, %known
  %twice = shl i64 %iv, 1
  %room = icmp ult i64 %twice, {PROBE_MAX}
  %grown = select i1 %room, i64 %twice, i64 {PROBE_MAX}
  %next = select i1 %bad, i64 %grown, i64 {PROBE_EVERY}
  store atomic i64 %next, ptr %ip monotonic, align 8
  ret void
}}

define internal void @qdp_solo_record(ptr %fn, i64 %wall) nounwind {{
entry:
  %p = call ptr @qdp_memo_claim(ptr %fn)
  %pref = call i1 @qdp_prefers_solo(ptr %p)
  br i1 %pref, label %avg, label %probed
probed:
  %parp = getelementptr i64, ptr %p, i64 {m["par_wall"]}
  %par = load atomic i64, ptr %parp monotonic, align 8
  call void @qdp_probed(ptr %p, i64 %wall, i64 %par)
  br label %avg
avg:
  call void @qdp_average(ptr %p, i64 {m["solo_wall"]}, i64 %wall)
  %wp = getelementptr i64, ptr %p, i64 {m["work"]}
  store atomic i64 %wall, ptr %wp monotonic, align 8
  ret void
}}

define internal void @qdp_par_record(ptr %fn, i64 %work, i64 %wall) nounwind {{
entry:
  %p = call ptr @qdp_memo_claim(ptr %fn)
  %wp = getelementptr i64, ptr %p, i64 {m["work"]}
  store atomic i64 %work, ptr %wp monotonic, align 8
  %pref = call i1 @qdp_prefers_solo(ptr %p)
  br i1 %pref, label %probed, label %avg
probed:
  %sp = getelementptr i64, ptr %p, i64 {m["solo_wall"]}
  %solo = load atomic i64, ptr %sp monotonic, align 8
  call void @qdp_probed(ptr %p, i64 %wall, i64 %solo)
  br label %avg
avg:
  call void @qdp_average(ptr %p, i64 {m["par_wall"]}, i64 %wall)
  ret void
}}
"""
