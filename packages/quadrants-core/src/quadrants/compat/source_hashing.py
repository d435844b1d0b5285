"""Upstream's source hashers (``function_hasher``, ``_wrap_inspect``) and ``config_hasher``, over fastcache's rules.

Fastcache keys a kernel by the content hash of the source of the kernel and of every function it reaches, and by
the compile-relevant options of the session and the backend's identity (:mod:`quadrants.fastcache.functions`,
:mod:`quadrants.fastcache.keys`). Upstream exposes the same ideas as functions over a ``FunctionSourceInfo`` (file and
line range) and over the current config; this module provides those functions on top of the project's own
source-block reader, digest and config key.
"""

from __future__ import annotations

import hashlib
import os
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import islice

from quadrants.compat.runtime_handle import DeviceCaps
from quadrants.fastcache.functions import block_lines, python_function
from quadrants.fastcache.keys import compile_config, digest
from quadrants.runtime.state import current_session

__all__ = [
    "FunctionSourceInfo",
    "HashedFunctionSourceInfo",
    "get_source_info_and_src",
    "getsourcefile",
    "getsourcelines",
    "read_lines",
    "hash_source",
    "hash_functions",
    "validate_hashed_function_infos",
    "hash_compile_config",
    "hash_device_caps",
]


@dataclass(frozen=True)
class FunctionSourceInfo:
    """Where a function's source is: file and the line range upstream's hashers read."""

    function_name: str
    filepath: str
    start_lineno: int
    end_lineno: int


@dataclass(frozen=True)
class HashedFunctionSourceInfo:
    """A :class:`FunctionSourceInfo` with the hash of its text when it was hashed."""

    function_source_info: FunctionSourceInfo
    hash: str


def get_source_info_and_src(func) -> tuple[FunctionSourceInfo, list[str]]:
    """The source location of ``func`` (a function, kernel or func) and its decorated block's lines."""
    fn = python_function(func) or func
    located = block_lines(fn)
    if located is None:
        raise OSError(f"the source of {getattr(fn, '__qualname__', fn)!r} cannot be read")
    path, first, lines = located
    return FunctionSourceInfo(fn.__name__, path, first, first + len(lines) - 1), lines


def getsourcelines(obj) -> tuple[list[str], int]:
    """``inspect.getsourcelines`` that also reads kernels and funcs (their Python function's decorated block, with
    fastcache's block reader, which finds sources ``inspect`` misses: code loaded from a string registered in
    ``linecache``); other objects go to ``inspect``."""
    import inspect

    fn = python_function(obj)
    located = block_lines(fn) if fn is not None else None
    if located is not None:
        _, first, lines = located
        return lines, first
    return inspect.getsourcelines(obj)


def getsourcefile(obj) -> str | None:
    """The file ``obj`` (a function, kernel, func, class or module) was defined in, as ``inspect.getsourcefile`` gives
    it, falling back to ``inspect.getfile`` when that finds no source file (upstream's behaviour)."""
    import inspect

    fn = python_function(obj)
    target = fn if fn is not None else obj
    return inspect.getsourcefile(target) or inspect.getfile(target)


def read_lines(info: FunctionSourceInfo) -> list[str]:
    """The lines upstream's hashers read for ``info``: 0-based indices ``start_lineno`` … ``end_lineno``."""
    try:
        with open(info.filepath, encoding="utf-8") as f:
            return list(islice(f, info.start_lineno, info.end_lineno + 1))
    except OSError as exc:
        raise OSError(f"cannot read {info.filepath} lines {info.start_lineno}-{info.end_lineno}: {exc}") from None


def hash_source(info: FunctionSourceInfo) -> str:
    """sha256 of the dedented text of ``info``'s lines (the normalisation fastcache's source blocks use)."""
    text = textwrap.dedent("".join(read_lines(info))).replace("\r\n", "\n")
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def hash_functions(infos: Iterable[FunctionSourceInfo]) -> list[HashedFunctionSourceInfo]:
    """Each function with the hash of its current source."""
    return [HashedFunctionSourceInfo(info, hash_source(info)) for info in infos]


def validate_hashed_function_infos(hashed: Iterable[HashedFunctionSourceInfo]) -> bool:
    """True when every function's file still exists and its source still has the recorded hash."""
    for item in hashed:
        if not os.path.isfile(item.function_source_info.filepath):
            return False
        if hash_source(item.function_source_info) != item.hash:
            return False
    return True


def hash_compile_config() -> str:
    """Hash of the current session's compile-relevant options (what fastcache's L1 key covers)."""
    return digest(["config", compile_config(current_session())])


def hash_device_caps() -> str:
    """Fingerprint of the device of the current session: ``T`` + the backend identity's digest."""
    return DeviceCaps(current_session()).hashed_key()
