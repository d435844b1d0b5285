"""The llvm offline cache: optimised object code on disk, keyed by the unoptimised LLVM IR it came from.

Upstream's ``qd.init(offline_cache=True)`` (its default) keeps the machine code of *every* kernel, not only of
fastcache kernels: a second process still runs the frontend but skips LLVM. Fastcache (quadrants.fastcache) skips
the frontend too, but only for kernels that may be cached whole (no ``qd.field`` reads, pure); every other kernel —
all of Genesis's solver kernels, which read fields — used to pay O3 and code generation again in each process. This
cache sits under ``Jit.compile_object``, so it serves both: the key is the sha256 of the IR text, the symbol
placeholder, the LLVM version and the host target (CPU name and features) and :data:`FORMAT`, and a hit returns
exactly what the optimiser and code generator returned for that key (optimised text, symbol prefix, object code).

Files live in ``<offline_cache_file_path>/llvm_cpu_objects/<key>.obj`` (``qd.init(offline_cache_file_path=...)``,
``QD_OFFLINE_CACHE_FILE_PATH``, else ``QD_CACHE_DIR`` / ``~/.cache/quadrants``), written atomically (temporary file,
then rename), each a header, the sha256 of its body and the body: a corrupt or truncated file is a miss, never code
that runs. ``qd.init(offline_cache=False)`` turns it off. Only the backend's ``configure`` hook (``qd.init``) sets it
up; until then (a backend used without ``qd.init``, as in unit tests) nothing is read or written.

llvm-cuda keeps its PTX the same way in ``<...>/llvm_gpu_code/`` (``sub=GPU``): ``(optimised text, "", code)`` keyed
by the module's IR text and the GPU target (``cuda/compiler.py``), so a second process skips O3 and PTX emission for
every kernel, as upstream's offline cache does on CUDA.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
import threading
from pathlib import Path

__all__ = ["FORMAT", "GPU", "configure", "directory", "key_of", "load", "store"]

# bump when what compile_object produces for the same IR changes (its pipeline, the symbol renaming)
FORMAT = "qd-llvm-cpu-objects-1"
_MAGIC = (FORMAT + "\n").encode()
_SUBDIR = "llvm_cpu_objects"
GPU = "llvm_gpu_code"  # llvm-cuda's PTX (and llvm-amdgpu's code objects)

_lock = threading.Lock()
_root: Path | None = None


def configure(root: str | os.PathLike | None, enabled: bool) -> None:
    """Use ``<root>/llvm_cpu_objects`` (and ``<root>/llvm_gpu_code``) from now on (``enabled=False`` or no ``root``:
    no cache)."""
    global _root
    with _lock:
        _root = Path(root) if (enabled and root) else None


def directory(sub: str = _SUBDIR) -> Path | None:
    """Where objects of kind ``sub`` are kept now (``None``: the cache is off)."""
    root = _root
    return None if root is None else root / sub


def key_of(ir_text: str, placeholder: str, identity: str) -> str:
    """The cache key of ``ir_text`` compiled with symbol prefix ``placeholder`` for the target ``identity``."""
    digest = hashlib.sha256()
    for part in (FORMAT, identity, placeholder, ir_text):
        digest.update(part.encode())
        digest.update(b"\0")
    return digest.hexdigest()


def load(key: str, sub: str = _SUBDIR) -> tuple[str, str, bytes] | None:
    """``(optimised text, symbol prefix, object code)`` stored under ``key``, or ``None`` (off, absent, damaged)."""
    folder = directory(sub)
    if folder is None:
        return None
    try:
        data = (folder / f"{key}.obj").read_bytes()
    except OSError:
        return None
    digest, body = data[len(_MAGIC) : len(_MAGIC) + 32], data[len(_MAGIC) + 32 :]
    if not data.startswith(_MAGIC) or hashlib.sha256(body).digest() != digest:
        return None  # written by another format, truncated or corrupted: compile again (and overwrite it)
    try:
        text, prefix, obj = pickle.loads(body)
    except Exception:
        return None
    if not (isinstance(text, str) and isinstance(prefix, str) and isinstance(obj, bytes)):
        return None
    return text, prefix, obj


def store(key: str, value: tuple[str, str, bytes], sub: str = _SUBDIR) -> bool:
    """Keep ``value`` under ``key``; ``False`` when the cache is off or the folder cannot be written (never raises)."""
    folder = directory(sub)
    if folder is None:
        return False
    body = pickle.dumps(tuple(value), protocol=pickle.HIGHEST_PROTOCOL)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".obj")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(_MAGIC + hashlib.sha256(body).digest() + body)
            os.replace(tmp, folder / f"{key}.obj")  # atomic: a concurrent reader sees the old file or the new one
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError:
        return False
    return True
