"""Host services the generated code calls back into: ``qd_print`` and the formatting of run-time errors.

``qd_print(ctx, print_id, values)`` receives the launch context's address, the id of the ``Print`` statement and one
i64 slot per expression (ints extended, floats widened to f64 bits). The callback formats the text with the
statement's ``PrintLayout`` (printf specs, separator and end) and appends it to the sink registered for that
context; the launcher writes the sink to ``sys.stdout`` after the native call returns, so output goes through
whatever ``sys.stdout`` is at that moment (pytest capture included).
"""

from __future__ import annotations

import ctypes
import struct

import llvmlite.binding as llvm
import numpy as np

from quadrants.errors import QuadrantsAssertionError, QuadrantsRuntimeError, out_of_bound_access
from quadrants.ir.print_format import PrintLayout

__all__ = [
    "bind_symbols",
    "register_sink",
    "unregister_sink",
    "slot_value",
    "format_line",
    "format_records",
    "runtime_error",
]

_SINKS: dict[int, tuple] = {}  # ctx address -> (print formats, list of output lines)
_KEEP: list = []
_BOUND = False


def register_sink(ctx_addr: int, formats: list, lines: list) -> None:
    _SINKS[ctx_addr] = (formats, lines)


def unregister_sink(ctx_addr: int) -> None:
    _SINKS.pop(ctx_addr, None)


def slot_value(bits: int, dtype):
    """The Python number in one i64 print slot (ints extended by signedness, floats widened to f64 bits)."""
    if dtype.is_float:
        return struct.unpack("<d", struct.pack("<q", bits))[0]
    if dtype.kind == "uint":
        return bits & ((1 << dtype.bits) - 1)
    return bits


def format_line(layout: PrintLayout, slots) -> str:
    """The text of one ``Print``: ``layout`` holds its strings, value dtypes and printf specs, ``slots`` one i64 per
    value."""
    return layout.render([slot_value(int(bits), dt) for bits, dt in zip(slots, layout.dtypes)])


def format_records(formats: list, words, cursor: int, capacity: int) -> list[str]:
    """Text of a GPU print buffer: the records ``[print id + 1, slots...]`` in ``words[:min(cursor, capacity)]``, up
    to the first id 0 (a record that did not fit; see ``builder.stmts._print_to_buffer``)."""
    lines, pos, end = [], 0, min(cursor, capacity)
    while pos < end and 0 < int(words[pos]) <= len(formats):
        layout = formats[int(words[pos]) - 1]
        n = len(layout.dtypes)
        if pos + 1 + n > end:
            break
        lines.append(format_line(layout, words[pos + 1 : pos + 1 + n]))
        pos += 1 + n
    if cursor > pos:
        lines.append(f"[quadrants: print buffer full, {cursor - pos} words of output dropped]\n")
    return lines


def _on_print(ctx: int, pid: int, values: int) -> None:
    sink = _SINKS.get(ctx)
    if sink is None:
        return
    formats, lines = sink
    layout = formats[pid]
    lines.append(format_line(layout, (ctypes.c_int64 * max(1, len(layout.dtypes))).from_address(values)))


def bind_symbols() -> None:
    """Bind ``qd_print`` for the JIT (idempotent)."""
    global _BOUND
    if _BOUND:
        return
    proto = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_int32, ctypes.c_void_p)
    cb = proto(_on_print)
    _KEEP.append(cb)
    llvm.add_symbol("qd_print", ctypes.cast(cb, ctypes.c_void_p).value)
    _BOUND = True


def runtime_error(check: dict, indices: list[int], shapes: dict[int, tuple]) -> Exception:
    """The exception for the first failed check of a launch (docs/semantics.md §15), pointing at the check's source."""
    kind = check["kind"]
    if kind == "assert":
        return QuadrantsAssertionError(check["message"], check["loc"])
    if kind != "bounds":
        return QuadrantsRuntimeError(check["message"], check["loc"])
    values = [int(v) for v in indices[: check["ndim"]]]
    return out_of_bound_access(check["name"], values, tuple(shapes.get(check["arg"], ())), check["loc"])


def as_numpy_scalar(value, dtype):
    return np.asarray(value, dtype=dtype.np)[()]
