"""Artifacts: everything a cache hit needs to launch a specialization without the frontend (docs/semantics.md §18.3).

An artifact file is a header (magic + schema version), the sha256 of the rest, and one pickle of a :class:`Payload`
(the digest is checked before anything is unpickled: a flipped bit in a backend's machine code must be a warned miss,
not code that runs or a loader that aborts the process): the program,
the backend artifact (``backend.serialize(artifact) -> bytes`` when the backend offers it, else the object itself),
the launcher tables (argument sources, return layout, member reads) and the printed IR.

Two kinds of objects are pickled by reference instead of by value (``reducer_override``, so that the pickle's memo
stores each object once and later references cost one memo lookup at load, not a Python call):

* :class:`~quadrants.ir.nodes.SrcLoc` — stored relative to the start of the function block that contains it and
  rebased onto where that block is *now*, so a kernel moved down a file still reports the right line (the unpickler
  answers the reference to :func:`_located` with its own rebasing method);
* :class:`~quadrants.ir.dtypes.DataType` — restored as the very ``qd.i32`` … objects of this process.

A large Genesis kernel holds some 28,000 locations and 67,000 dtype references; as persistent ids (not memoised) each
was a Python call at every load.

Checkpoint labels never enter the pickle (a user's IntEnum may live in a ``<locals>`` scope): the L2 entry keeps
them as ints plus ``module.Class.MEMBER`` names, and :func:`restore_label` brings the enum member back.
"""

from __future__ import annotations

import enum
import hashlib
import importlib
import io
import os
import pickle
import sys
from dataclasses import dataclass
from typing import Any

from quadrants.fastcache.functions import SourceBlock
from quadrants.fastcache.keys import SCHEMA_VERSION
from quadrants.ir.dtypes import DTYPES_BY_NAME, DataType
from quadrants.ir.nodes import SrcLoc

__all__ = ["Payload", "pack", "unpack", "label_qualname", "restore_label"]

_MAGIC = b"QDFC\n" + SCHEMA_VERSION.encode() + b"\n"


@dataclass
class Payload:
    """What an artifact file holds."""

    program: Any
    artifact: Any  # the backend artifact object (default serialisation) or None
    artifact_bytes: bytes | None  # backend.serialize(artifact) when the backend offers it
    arg_sources: tuple
    return_layout: tuple
    member_reads: dict  # {param index: {path: what}}
    ir_text: str


class _Pickler(pickle.Pickler):
    def __init__(self, file, blocks: list[SourceBlock]):
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self._blocks: dict[str, list[tuple[int, int, int]]] = {}
        for k, b in enumerate(blocks):
            self._blocks.setdefault(b.path, []).append((b.first_line, b.n_lines, k))
        self._abspath: dict[str, str] = {}

    def reducer_override(self, obj):
        kind = type(obj)
        if kind is DataType:
            return _dtype, (obj.name,)
        if kind is SrcLoc:
            path = self._abspath.get(obj.file)
            if path is None:
                path = self._abspath[obj.file] = os.path.abspath(obj.file)
            for first, n, k in self._blocks.get(path, ()):
                if first <= obj.line < first + n:
                    return _located, (k, obj.line - first, obj.col, obj.end_col, obj.text, obj.func)
        return NotImplemented  # anything else, and a location outside every recorded block, as it is


def _dtype(name: str) -> DataType:
    """The process's dtype object of that name (artifacts refer to dtypes by name)."""
    return DTYPES_BY_NAME[name]


def _located(*_args):
    """What a pickled location refers to; only :class:`_Unpickler` can rebase one (it answers this name itself)."""
    raise pickle.UnpicklingError("a fastcache location can only be restored by the artifact loader")


class _Unpickler(pickle.Unpickler):
    def __init__(self, file, blocks: dict[int, SourceBlock]):
        super().__init__(file)
        self._blocks = blocks

    def find_class(self, module, name):
        if module == __name__ and name == "_located":
            return self._relocate
        return super().find_class(module, name)

    def _relocate(self, k: int, rel: int, col: int, end_col: int, text: str, func: str) -> SrcLoc:
        block = self._blocks[k]
        return SrcLoc(block.path, block.first_line + rel, col, end_col, text, func)


def pack(payload: Payload, blocks: list[SourceBlock]) -> bytes:
    """The artifact file bytes; ``blocks[k]`` is the block of function record ``k`` of the L2 entry."""
    buf = io.BytesIO()
    _Pickler(buf, blocks).dump(payload)
    body = buf.getvalue()
    return _MAGIC + hashlib.sha256(body).digest() + body


def unpack(data: bytes, blocks: dict[int, SourceBlock]) -> Payload:
    """Inverse of :func:`pack`, rebasing locations onto ``blocks`` (the validated current blocks by record index)."""
    if not data.startswith(_MAGIC):
        raise ValueError("not a fastcache artifact of this schema")
    digest, body = data[len(_MAGIC) : len(_MAGIC) + 32], data[len(_MAGIC) + 32 :]
    if hashlib.sha256(body).digest() != digest:
        raise ValueError("artifact checksum mismatch (truncated or corrupted file)")
    payload = _Unpickler(io.BytesIO(body), blocks).load()  # with the collector paused by the caller (runtime/kernel.py)
    if not isinstance(payload, Payload):
        raise ValueError("artifact does not hold a payload")
    return payload


def label_qualname(label) -> str | None:
    """``"module.Class.MEMBER"`` for an enum member label, ``None`` for a plain int or an implicit checkpoint."""
    if not isinstance(label, enum.Enum):
        return None
    cls = type(label)
    return f"{cls.__module__}.{cls.__qualname__}.{label.name}"


def restore_label(qualname: str | None, value: int | None):
    """The enum member ``qualname`` names if it still exists with the same value, else the plain int (§18.7)."""
    if qualname is None or value is None:
        return value
    cls_path, _, member = qualname.rpartition(".")
    segments = cls_path.split(".")
    for cut in range(len(segments), 0, -1):
        module_name = ".".join(segments[:cut])
        module = sys.modules.get(module_name)
        if module is None:
            try:
                module = importlib.import_module(module_name)
            except Exception:
                continue
        obj = module
        try:
            for attr in (*segments[cut:], member):
                obj = getattr(obj, attr)
        except AttributeError:
            return value
        if isinstance(obj, enum.Enum) and isinstance(obj, int) and int(obj) == value:
            return obj
        return value
    return value
