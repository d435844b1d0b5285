"""Source blocks and function records: what fastcache knows about the source of a kernel and the funcs it reaches.

A **source block** is the full decorated block of a Python function (first decorator line to the last body line),
dedented, with ``\\n`` line endings: the same text as ``ParsedFunction.source``, but read without parsing it (a cache
hit must not parse the kernel). Its hash is part of the keys; its first line number is not (docs/semantics.md §18.3), it
only rebases the source locations stored in artifacts.

A **function record** ``(module, qualname, path, hash)`` names one function of a compiled kernel. Validation
resolves each record to the live function again and compares hashes; a function that cannot be found counts as
changed.
"""

from __future__ import annotations

import hashlib
import inspect
import linecache
import os
import sys
import textwrap
from dataclasses import dataclass

__all__ = ["SourceBlock", "FunctionRecord", "source_block", "record_of", "resolve_function", "validate_records"]


@dataclass(frozen=True)
class SourceBlock:
    """Where a function's decorated block is now and the hash of its text."""

    path: str  # absolute
    first_line: int
    n_lines: int
    hash: str


@dataclass(frozen=True)
class FunctionRecord:
    """One function a compiled kernel depends on (kept in L1 and L2 entries)."""

    module: str
    qualname: str
    path: str
    hash: str

    def to_json(self) -> list:
        return [self.module, self.qualname, self.path, self.hash]

    @classmethod
    def from_json(cls, data) -> FunctionRecord:
        if not (isinstance(data, list) and len(data) == 4 and all(isinstance(x, str) for x in data)):
            raise ValueError(f"bad function record {data!r}")
        return cls(*data)


# code object -> SourceBlock: a code object never changes its source, so a process reads each block once
_blocks: dict = {}


def python_function(obj):
    """The plain Python function behind a kernel, func, staticmethod or bound method (``None`` if there is none)."""
    from quadrants.frontend.funcdef import SourceBacked

    if isinstance(obj, SourceBacked):
        obj = obj.fn
    elif isinstance(obj, (staticmethod, classmethod)) or inspect.ismethod(obj):
        obj = obj.__func__
    return obj if inspect.isfunction(obj) else None


def source_block(fn) -> SourceBlock | None:
    """The :class:`SourceBlock` of ``fn`` (a function, kernel or func), or ``None`` when its source is unreadable."""
    fn = python_function(fn)
    if fn is None:
        return None
    code = fn.__code__
    found = _blocks.get(code)
    if found is not None:
        return found
    located = block_lines(fn)
    if located is None:
        return None
    path, first_line, lines = located
    text = textwrap.dedent("".join(lines)).replace("\r\n", "\n")  # == ParsedFunction.source
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    found = SourceBlock(os.path.abspath(path), first_line, len(lines), digest)
    _blocks[code] = found
    return found


def block_lines(fn) -> tuple[str, int, list[str]] | None:
    """``(file, first line, lines)`` of the decorated block of ``fn``, as ``inspect.getsourcelines`` gives them.

    ``inspect`` finds the end of a block with the pure-Python tokenizer, which costs milliseconds per function: too
    much for a cache hit. The compiled code already knows where the body's last instruction ends; the block ends
    there, extended (like ``inspect``) over following lines indented deeper than the ``def`` and over comment lines
    at the body's indentation or deeper. Bodies without instructions after the ``def`` line (a lone docstring) and
    Python 3.10 (no instruction positions) still use ``inspect``.
    """
    code = fn.__code__
    if not hasattr(code, "co_positions"):
        return _inspect_lines(fn)
    lines = linecache.getlines(code.co_filename, fn.__globals__)
    first = code.co_firstlineno
    positions = _instruction_lines(code)
    def_line = next(
        (k + 1 for k in range(first - 1, min(len(lines), first + 64)) if lines[k].lstrip().startswith(_DEF)), None
    )
    body = [ln for ln in positions if def_line is not None and ln > def_line]
    if not body or max(body) > len(lines):
        return _inspect_lines(fn)
    indent = _indent(lines[def_line - 1])
    body_indent = _indent(lines[min(body) - 1])
    end = max(body)
    for k in range(end, len(lines)):  # k: 0-based index of a line after the last instruction
        text = lines[k]
        stripped = text.strip()
        if not stripped:
            continue
        if stripped.startswith("#"):
            if _indent(text) >= body_indent:
                end = k + 1
            continue
        if _indent(text) <= indent:
            break
        end = k + 1
    return os.path.abspath(code.co_filename), first, lines[first - 1 : end]


_DEF = ("def ", "async def ")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _instruction_lines(code) -> list[int]:
    """Every line an instruction of ``code`` (or of a code object nested in it) starts or ends on."""
    out = []
    for start, end, _, _ in code.co_positions():
        if start is not None:
            out.append(start)
        if end is not None:
            out.append(end)
    for const in code.co_consts:
        if hasattr(const, "co_positions"):
            out.extend(_instruction_lines(const))
    return out


def _inspect_lines(fn):
    try:
        lines, first = inspect.getsourcelines(fn)
        path = inspect.getsourcefile(fn) or inspect.getfile(fn)
    except (OSError, TypeError):
        return None
    return os.path.abspath(path), first, lines


def record_of(fn) -> tuple[FunctionRecord, SourceBlock] | None:
    """The record of ``fn`` and its block, or ``None`` when its source is unreadable."""
    block = source_block(fn)
    if block is None:
        return None
    py = python_function(fn)
    return FunctionRecord(py.__module__, py.__qualname__, block.path, block.hash), block


def resolve_function(record: FunctionRecord, roots: tuple = ()):
    """The live Python function a record names: by module and qualname, else by a search from ``roots``.

    Functions defined inside other functions (``<locals>`` in the qualname) cannot be reached by name; they are
    searched among the values reachable from ``roots`` (the kernel's closure and globals, the call's arguments and
    their classes), following kernels, funcs, classes and closures a few levels deep.
    """
    if "<locals>" not in record.qualname:
        module = sys.modules.get(record.module)
        obj = module
        for part in record.qualname.split("."):
            obj = getattr(obj, part, None) if obj is not None else None
        if obj is not None:
            fn = python_function(obj)
            if fn is not None and fn.__qualname__ == record.qualname:
                return fn
    return _search(record, roots)


def _search(record: FunctionRecord, roots: tuple):
    seen: set[int] = set()
    frontier = list(roots)
    for _ in range(4):  # depth: closure of a func found in the closure of a func …
        nxt = []
        for value in frontier:
            if id(value) in seen:
                continue
            seen.add(id(value))
            fn = python_function(value)
            if fn is not None:
                if fn.__qualname__ == record.qualname and fn.__module__ == record.module:
                    return fn
                nxt.extend(_cell_values(fn))
            elif isinstance(value, type):
                nxt.extend(vars(value).values())
        frontier = nxt
    return None


def _cell_values(fn) -> list:
    out = []
    for cell in fn.__closure__ or ():
        try:
            out.append(cell.cell_contents)
        except ValueError:
            continue
    return out


def validate_records(records, roots: tuple = ()) -> tuple[bool, str, dict[int, SourceBlock]]:
    """Check every record against the live source: ``(ok, why not, {record index: current block})``."""
    blocks: dict[int, SourceBlock] = {}
    for k, record in enumerate(records):
        fn = resolve_function(record, roots)
        if fn is None:
            return False, f"function {record.module}.{record.qualname} not found", blocks
        block = source_block(fn)
        if block is None:
            return False, f"source of {record.module}.{record.qualname} is unreadable", blocks
        if block.hash != record.hash:
            return False, f"source of {record.qualname} changed", blocks
        blocks[k] = block
    return True, "", blocks
