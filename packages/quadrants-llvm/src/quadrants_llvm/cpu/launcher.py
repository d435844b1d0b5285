"""The per-specialization Python launch function, generated once in ``load`` (docs/benchmarks.md).

A cached call does: the overlap test of the written ndarrays (skipped when their address ranges are those of the
previous launch), one ``struct.pack_into`` of every argument word into the launch context (which also zeroes the
status and return slots), one ``ctypes`` call of ``P_launch`` (which releases the GIL and runs every task, parallel
ones on the pool), and one ``unpack_from`` of the return slots. Generated source keeps the path free of loops and
dictionary look-ups. Arguments that would overflow ``struct``'s float formats (an f32 parameter given 1e300) take a
slow path that converts through NumPy by docs/semantics.md §5.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Sequence

import numpy as np

from quadrants.ir import nodes as N
from quadrants.ir.dtypes import DataType
from quadrants.ir.numerics import convert_scalar

__all__ = ["arg_format", "return_format", "make_launch", "make_pack", "slow_pack", "overlap_test"]

_SCALAR = {
    "i8": "b7x",
    "i16": "h6x",
    "i32": "i4x",
    "i64": "q",
    "u1": "?7x",
    "u8": "B7x",
    "u16": "H6x",
    "u32": "I4x",
    "u64": "Q",
    "f16": "e6x",
    "f32": "f4x",
    "f64": "d",
}


def arg_format(program: N.Program) -> str:
    """``struct`` format of slots ``[0, packed_end)``: zeroed status and returns, then every argument's words."""
    parts = ["<", "8x" * (1 + len(program.returns))]
    for spec in program.args:
        parts.append("Q" + "q" * spec.ndim if isinstance(spec, N.NdarrayArg) else _SCALAR[spec.dtype.name])
    return "".join(parts)


def return_format(program: N.Program) -> str:
    return "<" + "".join(_SCALAR[t.name] for t in program.returns)


def slow_pack(buf, layout, program: N.Program, args) -> None:
    """Write every argument word through NumPy conversions (values ``struct`` refuses, such as f32 overflow)."""
    words = np.frombuffer(buf, dtype=np.int64)
    words[: layout.packed_end] = 0
    for k, (spec, value) in enumerate(zip(program.args, args, strict=True)):
        slot = layout.args[k]
        if isinstance(spec, N.NdarrayArg):
            words[slot : slot + 1 + spec.ndim] = np.array(value.packed, dtype=np.uint64).view(np.int64)
            continue
        dtype: DataType = spec.dtype
        view = np.ndarray((), dtype=dtype.np, buffer=buf, offset=slot * 8)
        with np.errstate(all="ignore"):
            view[()] = convert_scalar(value, dtype)


def _arg_words(program: N.Program) -> tuple[list[str], list[str], list[tuple[str, N.NdarrayArg]]]:
    """The generated code's argument names, the expression of each argument's words (an ndarray's packed words
    unpacked in the call) and the ndarray arguments."""
    names = [f"a{k}" for k in range(len(program.args))]
    values = []
    arrays = []
    for name, spec in zip(names, program.args, strict=True):
        if isinstance(spec, N.NdarrayArg):
            values.append(f"*{name}.packed")
            arrays.append((name, spec))
        else:
            values.append(name)
    return names, values, arrays


def _unpack_line(names: list[str]) -> list[str]:
    return [f"    {', '.join(names)}{',' if len(names) == 1 else ''} = args"] if names else []


def make_pack(program: N.Program, pack) -> Callable[[object, Sequence], None]:
    """Generate ``pack_args(buf, args)``: one call of ``pack`` (``program``'s :func:`arg_format` ``pack_into``) with
    every argument word, no Python loop over the arguments (Genesis's kernels take up to some 500 ndarrays). Raises
    what ``pack`` raises (``OverflowError``, ``struct.error``) for the caller's slow path."""
    names, values, _ = _arg_words(program)
    lines = ["def pack_args(buf, args):", *_unpack_line(names), f"    pack(buf, 0{''.join(', ' + v for v in values)})"]
    env = {"pack": pack}
    exec(compile("\n".join(lines), f"<pack {program.name}>", "exec"), env)
    return env["pack_args"]


def make_launch(exe) -> object:
    """Generate ``launch(args) -> tuple`` for ``exe`` (a :class:`~quadrants_llvm.cpu.executable.CpuExecutable`)."""
    program = exe.program
    names, values, arrays = _arg_words(program)
    lines = ["def launch(args):", *_unpack_line(names)]
    if exe.overlaps is not None:
        # The overlap test sorts the arrays' ranges; its answer depends only on those ranges, so a launch with the
        # ranges of the latest launch that passed it skips it.
        span = ", ".join(f"{a}.ptr, {a}.end" for a, _ in arrays)
        lines.append(f"    span = ({span},)")
        lines.append("    if span != passed[0]:")
        lines.append("        if overlaps(args):")
        lines.append("            return exe.launch_aliased(args)")
        lines.append("        passed[0] = span")
    # The executable's one context buffer serves the calling thread that holds its lock; a launch from another
    # thread at the same time (the call below releases the GIL) takes the general path with a buffer of its own.
    lines.append("    if not try_lock(False):")
    lines.append("        return exe.launch_private(args)")
    lines.append("    try:")
    lines.append("        try:")
    lines.append(f"            pack(buf, 0{''.join(', ' + v for v in values)})")
    lines.append("        except (OverflowError, struct_error):")
    lines.append("            slow_pack(buf, layout, program, args)")
    lines.append("        status = call(addr)")
    if exe.has_prints:
        lines.append("        if lines:")
        lines.append("            exe.flush_prints()")
    lines.append("        if status:")
    lines.append("            raise exe.error(status, args)")
    lines.append("        return unpack(buf, 8)" if program.returns else "        return ()")
    lines.append("    finally:")
    lines.append("        unlock()")
    env = {
        "exe": exe,
        "buf": exe.buf,
        "pack": struct.Struct(arg_format(program)).pack_into,
        "unpack": struct.Struct(return_format(program)).unpack_from,
        "struct_error": struct.error,
        "slow_pack": slow_pack,
        "layout": exe.layout,
        "program": program,
        "call": exe.launch_c,
        "addr": exe.buf_addr,
        "lines": exe.lines,
        "try_lock": exe.buf_lock.acquire,
        "unlock": exe.buf_lock.release,
        "overlaps": exe.overlaps,
        "passed": [None],  # the address ranges of the latest launch whose arrays did not overlap
    }
    exec(compile("\n".join(lines), f"<llvm-cpu launch {program.name}>", "exec"), env)
    return env["launch"]


def overlap_test(program: N.Program, written) -> Callable[[Sequence], bool] | None:
    """``overlaps(args)``: whether two ndarray arguments' address ranges overlap while one of them is written (the
    ``noalias`` variant must not run then), or ``None`` when no ndarray argument is written.

    A sweep over the ranges sorted by start, not a test of every pair: Genesis's kernels take up to 476 arrays (over
    10^5 pairs). An interval overlaps an earlier-starting one exactly when it starts before the largest end seen so
    far (among all intervals for a written one, among the written ones for the others); sorting equal starts by end
    puts an empty range first, so it overlaps only a range that strictly contains its address, as ``a.ptr < b.end and
    b.ptr < a.end`` says."""
    arrays = tuple((k, k in written) for k, spec in enumerate(program.args) if isinstance(spec, N.NdarrayArg))
    if not any(w for _, w in arrays):
        return None

    def overlaps(args: Sequence) -> bool:
        spans = sorted((args[k].ptr, args[k].end, w) for k, w in arrays)
        top_all = top_written = -1
        for start, end, is_written in spans:
            if start < (top_all if is_written else top_written):
                return True
            top_all = max(top_all, end)
            if is_written:
                top_written = max(top_written, end)
        return False

    return overlaps
