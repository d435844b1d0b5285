"""``kernel.launch_stats``: what the latest launch of a kernel passed to the device, by kind of argument.

After pruning (docs/semantics.md §19), a compiled specialization takes one flat argument per ndarray or run-time scalar
it actually reads, wherever it came from (a parameter, a dataclass member, a data_oriented member). Counting them
by kind shows what pruning kept: tests and tools compare ``kernel_args_count_by_type[ArgKind.QD_ARRAY]`` with the
number of arrays a kernel reads. Fields are globals bound at compile time and are not arguments.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from quadrants.ir import nodes as ir

__all__ = ["ArgKind", "LaunchStats", "LaunchObservations", "launch_stats_of"]


class ArgKind(enum.IntEnum):
    """Kinds of flat kernel arguments (upstream's ``KernelBatchedArgType``, same names and values)."""

    FLOAT = 0
    INT = 1
    UINT = 2
    QD_ARRAY = 3
    QD_ARRAY_WITH_GRAD = 4  # gradients travel as separate flat arguments here: never counted


@dataclass
class LaunchStats:
    """``kernel_args_count_by_type[kind]``: flat arguments of each kind in the latest launch (every kind present)."""

    kernel_args_count_by_type: dict[ArgKind, int] = field(default_factory=lambda: dict.fromkeys(ArgKind, 0))
    # What ran the latest launch, where the backend says (an extension): llvm-cuda reports "cuda-graph" (one device
    # graph, do_while loops as conditional nodes), "tasks" (one launch per task) or "host: <reason>" (the host
    # graph runner, e.g. for checkpoints); "" where the backend does not say.
    runner: str = ""


@dataclass(frozen=True)
class LaunchObservations:
    """``kernel.launch_observations``: whether the latest launch reused a specialization compiled earlier in the
    session (upstream's name for it: found in the materialize cache)."""

    found_kernel_in_materialize_cache: bool = False


def _kind(spec) -> ArgKind:
    if isinstance(spec, ir.NdarrayArg):
        return ArgKind.QD_ARRAY
    dtype = spec.dtype
    if dtype.is_float:
        return ArgKind.FLOAT
    return ArgKind.INT if dtype.kind == "int" else ArgKind.UINT


def launch_stats_of(program: ir.Program | None, runner: str = "", sources: tuple = ()) -> LaunchStats:
    """The stats of a launch of ``program`` (all zero before the first launch). ``sources`` says where each flat
    argument comes from (``Compiled.arg_sources``): the fields a kernel reads are flat arguments of the program here,
    but globals for the user (upstream binds them at compile time), so they are not counted."""
    stats = LaunchStats(runner=runner)
    for k, spec in enumerate(program.args if program is not None else ()):
        if k < len(sources) and sources[k][0] == "field":
            continue
        stats.kernel_args_count_by_type[_kind(spec)] += 1
    return stats
