"""Compile a GPU module one task at a time, the tasks side by side (docs/backends/gpu.md#compile-time).

A program's tasks share nothing at run time but the launch context: each is its own kernel entry, and the functions
they call are ``internal`` copies. So the module's IR text can be cut into one module per task, each holding that
task's kernel, the declarations, globals and helper functions, and no other kernel. Each part then goes through O3
and PTX emission on a thread of its own, in an LLVM context and target machine of its own (llvmlite's calls release
the GIL, so the parts really run at once), and the driver's JIT gets one small PTX module per task, loaded side by
side too (:func:`load_parts`). On a kernel of fifteen tasks, such as Genesis's collision kernel, optimisation and
emission then take about as long as the largest task, not as long as all of them (4.4 -> 2.9 s on 2 cores). Opt-in
(``QD_CUDA_SPLIT_MIN_CHARS``, :func:`min_chars`): the one GPU measurement so far did not show a faster whole build.

The cut is made on the text llvmlite's IR builder prints, after :func:`~quadrants_llvm.builder.stmts.distinct_loop_ids`:
a function is the lines from ``define ...`` to the closing ``}``; a kernel is marked by a ``!nvvm.annotations`` node
naming it. Parts are joined NUL-separated in the artifact's ``code``, so the offline cache and pickled artifacts keep
one ``bytes`` field (:func:`parts`).
"""

from __future__ import annotations

import functools
import os
import re
import threading
from concurrent.futures import ThreadPoolExecutor

from quadrants_llvm.cuda import cubin_cache

__all__ = [
    "MIN_CHARS",
    "compile_parts",
    "init_targets",
    "load_parts",
    "min_chars",
    "new_target_machine",
    "parts",
    "task_texts",
    "workers",
]

_LOCAL = threading.local()  # one target machine per thread and target: LLVM's are not meant to be shared at once
_ANNOTATIONS = "!nvvm.annotations = "
_INSTALL = threading.Lock()


class _PrivateContextLock:
    """Stands in for llvmlite's one process-wide lock around every LLVM call. LLVM allows concurrent work in distinct
    contexts; llvmlite serialises every call anyway, since most use its global context. A compile thread here touches
    only its own context, module, target machine and pass builder, so its calls skip the lock; every other thread
    (numba's too) still takes it, as before."""

    def __init__(self, inner):
        self.inner = inner

    def acquire(self, *args, **kwargs) -> bool:
        return True if getattr(_LOCAL, "private", False) else self.inner.acquire(*args, **kwargs)

    def release(self) -> None:
        if not getattr(_LOCAL, "private", False):
            self.inner.release()


def _private_calls() -> bool:
    """Install :class:`_PrivateContextLock` (once); ``False`` where llvmlite is not built as expected (the parts
    are then compiled one after another under llvmlite's lock: correct, only slower)."""
    from llvmlite.binding import ffi

    holder = getattr(getattr(ffi, "lib", None), "_lock", None)
    inner = getattr(holder, "_lock", None)
    if inner is None or not hasattr(inner, "acquire"):
        return False
    with _INSTALL:
        if not isinstance(holder._lock, _PrivateContextLock):
            holder._lock = _PrivateContextLock(inner)
    return True


MIN_CHARS = 200_000  # the size to try it from: smaller modules compile in milliseconds whole


def min_chars() -> int | None:
    """The IR text size from which a module of several tasks is compiled apart: ``QD_CUDA_SPLIT_MIN_CHARS`` (0 splits
    every module of several tasks, as the conformance check of this path does), or ``None`` (never) when it is unset.
    Off by default: the one GPU measurement so far (docs/backends/gpu.md#compile-time) did not show a faster build."""
    value = os.environ.get("QD_CUDA_SPLIT_MIN_CHARS", "").strip()
    return int(value) if value.isdigit() else None


def workers(n: int) -> int:
    """Threads for ``n`` parts: one per part, at most one per core this process may run on (``QD_COMPILE_THREADS``
    overrides the cores)."""
    cores = int(os.environ.get("QD_COMPILE_THREADS", "0") or 0) or len(os.sched_getaffinity(0)) or 1
    return max(1, min(n, cores))


def task_texts(text: str, prefix: str, n: int) -> list[str] | None:
    """One module text per task ``0..n-1`` of the module ``text`` whose kernels are ``@"<prefix>_task_<k>"``, or
    ``None`` when the text is not laid out as expected (then the module is compiled whole)."""
    kernel = re.compile(rf'^define [^@]*@"{re.escape(prefix)}_task_(\d+)"\(')
    marked = re.compile(rf'^(!\d+) = !{{ .*@"{re.escape(prefix)}_task_(\d+)", !"kernel", i32 1 }}$')
    segments: list[tuple[int | None, str]] = []  # (owning task or None for shared, lines)
    node_of: dict[int, str] = {}
    shared: list[str] = []
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        head = kernel.match(line)
        if head:
            end = i
            while end < len(lines) and lines[end] != "}":
                end += 1
            if end == len(lines):
                return None
            segments.append((None, "\n".join(shared)))
            shared = []
            segments.append((int(head.group(1)), "\n".join(lines[i : end + 1])))
            i = end + 1
            continue
        mark = marked.match(line)
        if mark:
            node_of[int(mark.group(2))] = mark.group(1)
            segments.append((None, "\n".join(shared)))
            shared = []
            segments.append((int(mark.group(2)), line))
        elif line.startswith(_ANNOTATIONS):
            segments.append((None, "\n".join(shared)))
            shared = []
            segments.append((-1, line))  # the list of kernels, rewritten per part
        else:
            shared.append(line)
        i += 1
    segments.append((None, "\n".join(shared)))
    owners = {owner for owner, _ in segments}
    if set(range(n)) - owners or set(range(n)) - node_of.keys() or -1 not in owners:
        return None
    texts = []
    for k in range(n):
        own = [
            body if owner != -1 else f"{_ANNOTATIONS}!{{ {node_of[k]} }}"
            for owner, body in segments
            if owner is None or owner == k or owner == -1
        ]
        texts.append("\n".join(part for part in own if part))
    return texts


@functools.cache
def init_targets() -> None:
    """Register LLVM's targets and assembly printers (once per process, before any thread looks a target up)."""
    import llvmlite.binding as llvm

    llvm.initialize_all_targets()
    llvm.initialize_all_asmprinters()


def new_target_machine(triple: str, cpu: str, features: str = ""):
    """A new llvmlite target machine for ``triple``/``cpu`` at O3 (``compiler.target_machine`` caches one per process,
    :func:`_machine` one per compile thread)."""
    import llvmlite.binding as llvm

    init_targets()
    target = llvm.Target.from_triple(triple)
    return target.create_target_machine(cpu=cpu, features=features, opt=3, reloc="pic", codemodel="default")


def _machine(triple: str, cpu: str, features: str):
    machines = getattr(_LOCAL, "machines", None)
    if machines is None:
        machines = _LOCAL.machines = {}
    key = (triple, cpu, features)
    if key not in machines:
        machines[key] = new_target_machine(triple, cpu, features)
    return machines[key]


def _compile_one(text: str, target, emit: str) -> tuple[bytes, str]:
    """O3 and emission of one part, in an LLVM context of this call's own. Only those two run outside llvmlite's lock:
    its parse and print switch the whole process to the C locale and back, which side by side (here, or beside any
    other thread's llvmlite call) can leave the process in the C locale."""
    import llvmlite.binding as llvm

    tm = _machine(target.triple, target.cpu, target.features)
    context = llvm.create_context()
    mod = None
    try:
        mod = llvm.parse_assembly(text, context=context)
        mod.verify()
        _LOCAL.private = _LOCAL.parallel
        try:
            pb = llvm.create_pass_builder(tm, llvm.create_pipeline_tuning_options(speed_level=3))
            pb.getModulePassManager().run(mod, pb)
            code = tm.emit_assembly(mod).encode() + b"\0" if emit == "asm" else tm.emit_object(mod)
        finally:
            _LOCAL.private = False
        return code, str(mod)
    finally:
        if mod is not None:
            mod.close()  # before its context: a module outliving its context crashes when it is freed
        context.close()


def compile_parts(texts: list[str], target, emit: str = "asm") -> tuple[bytes, str]:
    """Optimise and emit each part on a thread of its own: the NUL-terminated codes joined in part order, and the
    optimised texts joined."""
    init_targets()  # the target registry is filled once, before any thread reads it
    parallel = _private_calls()

    def one(text: str) -> tuple[bytes, str]:
        _LOCAL.parallel = parallel
        return _compile_one(text, target, emit)

    with ThreadPoolExecutor(workers(len(texts)), thread_name_prefix="qd-compile") as pool:
        done = list(pool.map(one, texts))
    return b"".join(code for code, _ in done), "\n".join(ir for _, ir in done)


def parts(code: bytes) -> list[bytes]:
    """The NUL-terminated PTX modules in an artifact's ``code`` (one for a module compiled whole)."""
    return [piece + b"\0" for piece in code.split(b"\0") if piece.strip()]


def load_parts(dev, code: bytes) -> list:
    """Load every module of ``code`` on ``dev``; several are handed to the driver's JIT side by side."""
    images = parts(code)
    if len(images) <= 1:
        return [cubin_cache.load(dev, code)]

    def load(image: bytes):
        return cubin_cache.load(dev, image)  # binds the device's context on this thread first

    with ThreadPoolExecutor(workers(len(images)), thread_name_prefix="qd-load") as pool:
        return list(pool.map(load, images))
