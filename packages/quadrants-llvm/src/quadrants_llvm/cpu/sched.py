"""Per-thread scheduling requests for the pool's workers (issue 23): a short EEVDF time slice on Linux.

Since Linux 6.12 a thread of a fair scheduling class (``SCHED_OTHER``, ``SCHED_BATCH``) may ask for its own time
slice through ``sched_setattr``'s ``sched_runtime`` (clamped by the kernel to 0.1-100 ms; no privilege needed). A
shorter slice does not give a thread more CPU time; it gives it an earlier virtual deadline, so that when it wakes
it preempts a thread that has been running for its whole (default, about 1.4 ms on two CPUs) slice instead of
queueing behind it. The pool's workers sleep between parallel loops and are woken for each one; on a machine with
more busy threads than CPUs, a woken worker used to wait up to a full slice of some other process before it ran,
which is most of a short loop's time under load.

Only the thread's slice changes: its policy, nice value and priority are read first and written back unchanged.
Kernels before 6.12 accept the call and ignore the slice; other systems (or architectures whose system call numbers
are not listed) are left alone. The calls are made from Python on the workers' kernel thread ids (``gettid``), which
the workers record when they start (:mod:`.pool_ir`).
"""

from __future__ import annotations

import ctypes
import platform
import struct
import sys

__all__ = ["SYSCALLS", "get_slice", "set_slice", "syscall_numbers"]

# machine -> (gettid, sched_setattr, sched_getattr)
SYSCALLS = {
    "x86_64": (186, 314, 315),
    "amd64": (186, 314, 315),
    "aarch64": (178, 274, 275),
    "arm64": (178, 274, 275),
}
_FAIR = (0, 3)  # SCHED_OTHER, SCHED_BATCH: the policies whose slice sched_runtime sets
# struct sched_attr (SCHED_ATTR_SIZE_VER1): size, policy, flags, nice, priority, runtime, deadline, period,
# util_min, util_max
_ATTR = struct.Struct("=IIQiIQQQII")
_LIBC: list = []


def syscall_numbers() -> tuple[int, int, int] | None:
    """``(gettid, sched_setattr, sched_getattr)`` on this Linux machine, else None."""
    if not sys.platform.startswith("linux"):
        return None
    return SYSCALLS.get(platform.machine().lower())


def _libc():
    if not _LIBC:
        _LIBC.append(ctypes.CDLL(None, use_errno=True))
    return _LIBC[0]


def _get(tid: int) -> tuple | None:
    numbers = syscall_numbers()
    if numbers is None:
        return None
    buf = ctypes.create_string_buffer(_ATTR.size)
    if _libc().syscall(numbers[2], ctypes.c_long(tid), buf, ctypes.c_uint(_ATTR.size), ctypes.c_uint(0)) != 0:
        return None
    return _ATTR.unpack(buf.raw)


def get_slice(tid: int) -> int | None:
    """The time slice (ns) the kernel reports for thread ``tid``, or None where it cannot be read."""
    attr = _get(tid)
    return None if attr is None else attr[5]


def set_slice(tid: int, ns: int) -> bool:
    """Ask for a time slice of ``ns`` nanoseconds for thread ``tid`` (0: the kernel's default), keeping its policy,
    nice value and priority. Returns whether the kernel accepted it; threads of a real-time or idle class are left
    alone (False)."""
    attr = _get(tid)
    if attr is None or attr[1] not in _FAIR:
        return False
    _size, policy, _flags, nice, priority, _runtime, _deadline, _period, _umin, _umax = attr
    packed = _ATTR.pack(_ATTR.size, policy, 0, nice, priority, max(0, int(ns)), 0, 0, 0, 0)
    buf = ctypes.create_string_buffer(packed, _ATTR.size)
    numbers = syscall_numbers()
    assert numbers is not None
    return _libc().syscall(numbers[1], ctypes.c_long(tid), buf, ctypes.c_uint(0)) == 0
