"""Device images on disk: PTX assembled by the driver once, the cubin loaded in every later process.

The offline cache (``cpu/object_cache.py``, kind ``GPU``) spares a warm start LLVM's O3 and PTX emission, but loading
PTX still runs the driver's assembler (``cuModuleLoadData`` of PTX is ``ptxas`` inside the driver) for every module,
every process, unless the driver's own JIT cache (``~/.nv/ComputeCache``, 256 MiB by default, shared by every CUDA
program of the user) happens to hold it. Here the driver assembles the PTX through ``cuLinkCreate`` /
``cuLinkComplete``, which hands back the cubin, and the cubin is kept in the offline cache, keyed by the PTX, the
libraries linked in, the device's compute capability and the driver version. A later process loads the cubin: no
assembler at all.

Modules that need a library (``libcudadevrt.a`` for the graph side modules) always take this path. For the others it
is **opt-in**, ``QD_CUDA_CUBIN_CACHE=1``: PTX handed to the linker is assembled as relocatable code, which may run
slower than the whole-program code ``cuModuleLoadData`` makes (the first GPU run with it on by default measured
every Genesis kernel slower, and the driver's JIT cache already served the warm builds), so plain modules are loaded
as PTX unless it is asked for.

Anything the cache cannot do (no cache directory, a driver that refuses to link, a cubin that no longer loads)
falls back to the plain path: a corrupt or stale file costs an assembly, never a wrong module.
"""

from __future__ import annotations

import ctypes
import logging
import os

from quadrants_llvm.cpu import object_cache
from quadrants_llvm.cuda.driver import check

__all__ = ["enabled", "image_key", "load"]

_LOG = logging.getLogger("quadrants_llvm.cuda")
_VERSION = "cubin-1"  # bump when what is linked for the same inputs changes (options, inputs)


def enabled() -> bool:
    """``QD_CUDA_CUBIN_CACHE=1`` and the offline cache is on: plain modules are kept as cubins too."""
    return os.environ.get("QD_CUDA_CUBIN_CACHE", "0") == "1" and object_cache.directory(object_cache.GPU) is not None


def image_key(ptx: bytes, sm: int, driver: int, libraries: tuple[tuple[str, int, int], ...] = ()) -> str:
    """The cache key of ``ptx`` assembled for ``sm_<sm>`` by driver ``driver``, linked with ``libraries`` (each
    ``(path, size, mtime_ns)``: a library that changes on disk is a new key)."""
    linked = " ".join(f"{path}:{size}:{mtime}" for path, size, mtime in libraries)
    identity = f"{_VERSION}|sm {sm}|driver {driver}|{linked}"
    return object_cache.key_of(ptx.decode("latin-1"), "cuLink", identity)


def load(dev, ptx: bytes, name: bytes = b"qd", libraries: tuple[str, ...] = ()):
    """The module of ``ptx`` (NUL-terminated or not) on ``dev``, linked with ``libraries`` (paths of ``.a`` files):
    from the cached cubin when there is one, else assembled by the driver and kept."""
    ptx = ptx if ptx.endswith(b"\0") else ptx + b"\0"
    key = _key(dev, ptx, libraries) if (libraries or enabled()) else None
    if key is None and not libraries:
        return dev.load_module(ptx)  # nothing to keep and nothing to link: the driver loads the PTX itself
    hit = object_cache.load(key, object_cache.GPU) if key is not None else None
    if hit is not None:
        try:
            return dev.load_module(hit[2])
        except Exception as exc:  # a cubin this driver no longer takes: assemble again, overwrite it
            _LOG.info("llvm-cuda: a cached cubin did not load (%s); assembling its PTX again", exc)
    try:
        image = link(dev, ptx, name, libraries)
    except Exception:
        if libraries:
            raise  # nothing to fall back to: the module needs the library
        return dev.load_module(ptx)
    if key is not None:
        object_cache.store(key, ("", "", image), object_cache.GPU)
    return dev.load_module(image)


def _key(dev, ptx: bytes, libraries: tuple[str, ...]) -> str | None:
    if object_cache.directory(object_cache.GPU) is None:
        return None
    try:
        stats = tuple((path, *_stat(path)) for path in libraries)
        driver = int(check(dev.cu.cuDriverGetVersion()))
    except Exception:  # no file information or driver version: assemble every time
        return None
    return image_key(ptx, dev.sm, driver, stats)


def _stat(path: str) -> tuple[int, int]:
    stat = os.stat(path)
    return stat.st_size, stat.st_mtime_ns


def link(dev, ptx: bytes, name: bytes, libraries: tuple[str, ...] = ()) -> bytes:
    """The cubin of ``ptx`` (NUL-terminated) linked with ``libraries`` by the driver."""
    cu = dev.cu
    dev.current()
    state = check(cu.cuLinkCreate(0, [], []), "cuLinkCreate")
    try:
        jit = cu.CUjitInputType
        check(cu.cuLinkAddData(state, jit.CU_JIT_INPUT_PTX, ptx, len(ptx), name, 0, [], []), "PTX")
        for library in libraries:
            check(cu.cuLinkAddFile(state, jit.CU_JIT_INPUT_LIBRARY, library.encode(), 0, [], []), f"link {library}")
        cubin, size = check(cu.cuLinkComplete(state), "cuLinkComplete")
        return ctypes.string_at(int(cubin), int(size))
    finally:
        cu.cuLinkDestroy(state)
