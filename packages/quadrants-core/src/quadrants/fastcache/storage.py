"""The on-disk layout of fastcache and atomic file access (docs/semantics.md §18.1).

::

    <offline_cache_file_path>/python_side_cache/<key>.cache.txt        JSON entries (L1 and L2)
    <offline_cache_file_path>/kernel_compilation_manager/<key>.qdfc     artifacts (what a restore needs)

Every write goes to a temp file in the target directory and is then renamed over the final name (``os.replace`` is
atomic on POSIX and Windows), so concurrent processes see either the old or the new complete file, never a torn
one. Two writers of one key race harmlessly: both write what the same key describes.

A directory that cannot be created or written (read-only, not a directory, no permission) turns fastcache off for
the process with one warning; the program still runs, compiling as if fastcache were off.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import warnings
from pathlib import Path

__all__ = ["ENTRIES_DIR", "ARTIFACTS_DIR", "CacheStore", "open_store"]

ENTRIES_DIR = "python_side_cache"
ARTIFACTS_DIR = "kernel_compilation_manager"

_stores: dict[str, CacheStore | None] = {}
_UMASK = os.umask(0o022)
os.umask(_UMASK)  # read once: cache files get the permissions of ordinary files (mkstemp makes them 0600)


class CacheStore:
    """Reads and atomic writes under one cache root."""

    def __init__(self, root: Path):
        self.root = root
        self.entries = root / ENTRIES_DIR
        self.artifacts = root / ARTIFACTS_DIR
        self._write_failed = False

    def entry_path(self, key: str) -> Path:
        return self.entries / f"{key}.cache.txt"

    def artifact_path(self, key: str) -> Path:
        return self.artifacts / f"{key}.qdfc"

    def read_entry(self, key: str) -> str | None:
        """The entry's text, ``None`` when there is none; an unreadable file raises ``ValueError``."""
        try:
            data = self.entry_path(key).read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise ValueError(f"cannot read {self.entry_path(key)}: {exc}") from None
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ValueError(f"not UTF-8 text ({exc})") from None

    def read_artifact(self, key: str) -> bytes | None:
        """The artifact's bytes, ``None`` when there is none; an unreadable file raises ``ValueError``."""
        try:
            return self.artifact_path(key).read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise ValueError(f"cannot read {self.artifact_path(key)}: {exc}") from None

    def write_entry(self, key: str, text: str) -> bool:
        return self._write(self.entry_path(key), text.encode("utf-8"))

    def write_artifact(self, key: str, data: bytes) -> bool:
        return self._write(self.artifact_path(key), data)

    def _write(self, path: Path, data: bytes) -> bool:
        """Atomic write; a failure warns once per store and returns False (the call still runs)."""
        try:
            path.parent.mkdir(parents=True, exist_ok=True)  # the artifact directory may have been deleted
            atomic_write(path, data)
            return True
        except OSError as exc:
            if not self._write_failed:
                self._write_failed = True
                warnings.warn(f"fastcache: cannot write {path} ({exc}); kernels are not cached", stacklevel=4)
            return False


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to a temp file next to ``path``, then rename it over ``path``."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name[:24]}.", suffix=".tmp")
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(fd, 0o666 & ~_UMASK)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def open_store(root) -> CacheStore | None:
    """The store at ``root``, or ``None`` (with one warning per process and root) when it cannot be used."""
    root = Path(root).expanduser()
    name = str(root)
    if name in _stores:
        return _stores[name]
    store: CacheStore | None = CacheStore(root)
    try:
        for directory in (store.entries, store.artifacts):
            directory.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(dir=store.entries, prefix=".probe.", suffix=".tmp")  # read-only even for root
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        warnings.warn(
            f"fastcache: the cache directory {root} is not usable ({exc}); fastcache is off for this process",
            stacklevel=4,
        )
        store = None
    _stores[name] = store
    return store
