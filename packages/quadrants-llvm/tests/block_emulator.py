"""Run a program's ``grid`` kernels on the host CPU with the threads of a block running *at the same time*, meeting
at barriers: the execution test of SIMT slot loops on thread blocks (``builder/simt_blocks.py``) without a GPU.

``grid_emulator`` runs the threads of a launch one after another, which is a valid schedule only for kernels without
barriers. Here the program is built for the NVPTX record with the host's triple (as there), its thread-index
intrinsics replaced by callbacks that read per-thread state and its block barrier by a callback that waits on a
``threading.Barrier`` of the block's threads. Each thread of a block is a Python thread that calls the JIT-compiled
kernel through ctypes (which releases the GIL, so the threads really interleave between callbacks); the blocks of a
launch run one after another (blocks never wait for each other). A barrier that some thread of the block never
reaches times out, breaks, and the launch raises :class:`Deadlock`.
"""

from __future__ import annotations

import ctypes
import threading
from dataclasses import replace

import llvmlite.binding as llvm
import numpy as np

from quadrants.ir import nodes as N
from quadrants.ir.dtypes import from_numpy_dtype
from quadrants.ir.walk import iter_tasks
from quadrants_llvm.builder import simt_blocks
from quadrants_llvm.builder.tasks import build_module
from quadrants_llvm.target import NVPTX

__all__ = ["Deadlock", "emulate_blocks", "launch_dims", "numpy_dtype"]

_NAMES = ("qd_bemu_tid", "qd_bemu_ctaid", "qd_bemu_ntid", "qd_bemu_nctaid")
_BARRIER_NAME = "qd_bemu_barrier"
_tls = threading.local()  # .index: [thread id, block id, block size, grid size]; .barrier: the block's barrier
_INDEX = ctypes.CFUNCTYPE(ctypes.c_int32)
_BARRIER = ctypes.CFUNCTYPE(None, ctypes.c_int32)
_failures: list = []


def _index(k: int) -> int:
    return _tls.index[k]


def _wait(_id: int) -> None:
    try:
        _tls.barrier.wait()
        _tls.barriers += 1
    except threading.BrokenBarrierError as e:  # ctypes cannot raise through JIT code: recorded, raised after
        _failures.append(e)


_callbacks = [_INDEX(lambda k=k: _index(k)) for k in range(4)]
_barrier_cb = _BARRIER(_wait)
_engines = []  # keep the JIT engines (and the code they own) alive for the process


class Deadlock(AssertionError):
    """A block's threads did not all reach a barrier (a divergent barrier: on a GPU, a hang)."""


def _target():
    llvm.initialize_native_target()
    llvm.initialize_native_asmprinter()
    for name, cb in zip(_NAMES, _callbacks, strict=True):
        llvm.add_symbol(name, ctypes.cast(cb, ctypes.c_void_p).value)
    llvm.add_symbol(_BARRIER_NAME, ctypes.cast(_barrier_cb, ctypes.c_void_p).value)
    triple = llvm.get_process_triple()
    tm = llvm.Target.from_triple(triple).create_target_machine()
    host = replace(
        NVPTX,
        name="block-emulator",
        triple=triple,
        data_layout=str(tm.target_data),
        cpu="",
        grid_index=_NAMES,
        thread_index=_NAMES[:3],
        kernel_cc="",
        kernel_annotation=False,
        warp_shuffle="",
        intrinsics={},
        block_barrier=_BARRIER_NAME,
    )
    return host, tm


def launch_dims(task, blocks: int, threads: int) -> tuple[int, int]:
    """``(blocks, threads)`` a task launches with: one thread for a serial block, ``threads_for(B)`` threads for a
    SIMT slot loop (as ``cuda/executable.py``), else ``threads``."""
    if isinstance(task, N.SerialBlock):
        return 1, 1
    simt = simt_blocks.slot_block(task)
    return (blocks, simt_blocks.threads_for(simt)) if simt else (blocks, threads)


_NUMPY = ("bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "float16", "float32")
_NUMPY += ("float64",)


def numpy_dtype(dtype) -> np.dtype:
    """The NumPy dtype that stores the language's ``dtype``."""
    return next(np.dtype(n) for n in _NUMPY if from_numpy_dtype(n) == dtype)


def _pack(ctx: np.ndarray, info, program: N.Program, values: list) -> None:
    for k, (spec, value) in enumerate(zip(program.args, values, strict=True)):
        slot = info.layout.args[k]
        if isinstance(spec, N.NdarrayArg):
            assert isinstance(value, np.ndarray) and value.flags.c_contiguous
            ctx[slot] = value.ctypes.data
            ctx[slot + 1 : slot + 1 + value.ndim] = value.shape
        else:  # a scalar: its value in the slot's low bytes
            raw = np.array([value], dtype=numpy_dtype(spec.dtype))
            ctx.view(np.uint8)[slot * 8 : slot * 8 + raw.nbytes] = raw.view(np.uint8)


def emulate_blocks(
    program: N.Program, values: list, blocks: int = 2, threads: int = 32, timeout: float = 20.0, dims=None
) -> dict:
    """Launch every task of ``program`` (``values``: one per argument, ndarrays C-contiguous and written in place,
    scalars as Python numbers); ``dims(task) -> (blocks, threads)`` overrides :func:`launch_dims`. Returns
    ``{"ir": optimised IR, "barriers": barrier waits per task}``; raises :class:`Deadlock` on a broken barrier."""
    target, tm = _target()
    info = build_module(program, target, "bemu", debug=False, fast_math=False, noalias=False)
    mod = llvm.parse_assembly(str(info.module))
    mod.verify()
    pto = llvm.create_pipeline_tuning_options(speed_level=3)
    llvm.create_pass_builder(tm, pto).getModulePassManager().run(mod, llvm.create_pass_builder(tm, pto))
    text = str(mod)
    engine = llvm.create_mcjit_compiler(mod, tm)
    engine.finalize_object()
    _engines.append(engine)
    ctx = np.zeros(max(info.layout.size, 1) + 8, np.int64)
    _pack(ctx, info, program, values)
    counts = []
    for k, task in enumerate(iter_tasks(program.items)):
        kernel = ctypes.CFUNCTYPE(None, ctypes.c_void_p)(engine.get_function_address(f"bemu_task_{k}"))
        grid = dims(task) if dims is not None else launch_dims(task, blocks, threads)
        waits = [0]
        for block in range(grid[0]):
            _run_block(kernel, ctx, block, grid, timeout, waits)
        counts.append(waits[0])
    return {"ir": text, "barriers": counts}


def _run_block(kernel, ctx: np.ndarray, block: int, grid: tuple[int, int], timeout: float, waits: list) -> None:
    barrier = threading.Barrier(grid[1], timeout=timeout)
    lock = threading.Lock()
    _failures.clear()
    errors = []

    def thread(tid: int) -> None:
        _tls.index = [tid, block, grid[1], grid[0]]
        _tls.barrier, _tls.barriers = barrier, 0
        try:
            kernel(ctx.ctypes.data)
        except BaseException as e:  # pragma: no cover - a crash in the kernel call itself
            errors.append(e)
        with lock:
            waits[0] += _tls.barriers

    workers = [threading.Thread(target=thread, args=(t,), daemon=True) for t in range(grid[1])]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout * 4)
    if errors:
        raise errors[0]
    if _failures or any(w.is_alive() for w in workers):
        raise Deadlock(f"block {block}: a barrier was not reached by all {grid[1]} threads")
