"""The launch context: one flat buffer of 8-byte slots shared by the host launcher and the generated code.

Order (the host packs the first part with one ``struct.pack_into`` call per launch)::

    [status] [return slots...] [args...] ([print cursor]) | [error indices x 8] [interrupt epoch] [kernel vars...]
    [task slots...] [nthreads] ([print records...])

* ``status``: 0, or 1 + the id of the first failing run-time check (debug mode), or ``INTERRUPTED`` (-1) when a
  Ctrl-C stopped the launch;
* ``interrupt epoch``: the host's interrupt counter when the running task started (CPU; see ``cpu/interrupt.py``);
* an ndarray argument takes ``1 + ndim`` slots: the data pointer, then the shape (i64 each); a scalar takes one slot
  holding its value in the low bytes;
* the error slots hold the indices of the first failing bounds check;
* every task gets ``2 * ndim + 3`` slots: begins, extents, total lane count, chunk size and the chunk counter that
  worker threads advance atomically;
* GPU targets (``TargetInfo.print_buffer``) of programs that print: a cursor (in the packed part, so every launch
  starts it at 0) and ``print_capacity`` words of records ``[print id + 1, value slots...]`` that the lanes append
  with an atomic add on the cursor and the host formats after the launch.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from quadrants.ir import nodes as N

__all__ = ["Layout", "TaskSlots", "MAX_ERR_INDICES", "INTERRUPTED"]

MAX_ERR_INDICES = 8
INTERRUPTED = -1  # the status word of a launch stopped by Ctrl-C


@dataclass(frozen=True)
class TaskSlots:
    begins: int
    extents: int
    total: int
    chunk: int
    counter: int


@dataclass
class Layout:
    """Slot indices of every field of the launch context of one program."""

    status: int = 0
    returns: list[int] = field(default_factory=list)
    args: list[int] = field(default_factory=list)
    packed_end: int = 0  # slots [0, packed_end) are written by the host before every launch
    errors: int = 0
    interrupt_epoch: int = 0
    kernel_vars: dict[int, int] = field(default_factory=dict)
    tasks: list[TaskSlots | None] = field(default_factory=list)
    nthreads: int = 0
    size: int = 0
    print_cursor: int = 0
    print_data: int = 0
    print_capacity: int = 0  # words of print records; 0: prints call the host (CPU) or there are none

    @classmethod
    def of(cls, program: N.Program, tasks: list, print_capacity: int = 0) -> Layout:
        lay = cls()
        n = 1
        for _ in program.returns:
            lay.returns.append(n)
            n += 1
        for spec in program.args:
            lay.args.append(n)
            n += 1 + spec.ndim if isinstance(spec, N.NdarrayArg) else 1
        if print_capacity:
            lay.print_cursor, lay.print_capacity = n, print_capacity
            n += 1  # never written by the argument packer: the host's zero is copied in with the packed part
        lay.packed_end = n
        lay.errors = n
        n += MAX_ERR_INDICES
        lay.interrupt_epoch = n
        n += 1
        for v in program.kernel_vars:
            lay.kernel_vars[v.id] = n
            n += 1
        for t in tasks:
            if isinstance(t, N.ParallelFor):
                d = len(t.vars)
                lay.tasks.append(TaskSlots(n, n + d, n + 2 * d, n + 2 * d + 1, n + 2 * d + 2))
                n += 2 * d + 3
            else:
                lay.tasks.append(None)
        lay.nthreads = n
        lay.print_data = n + 1
        lay.size = n + 1 + print_capacity
        return lay
