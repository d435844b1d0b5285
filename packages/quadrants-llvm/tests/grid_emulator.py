"""Run a program's ``grid`` kernels (the GPU lowering of ``builder/grid.py``) on the host CPU, one thread at a time.

The GPU lowering is only executed on a GPU, which the CPU test tiers lack. Its lanes are independent (no barriers, no
shuffles in the kernels tested this way), so running the threads of a launch one after another is a valid schedule.
The program is built for the NVPTX record with the host's triple and data layout, its thread-index intrinsics
replaced by host callbacks, optimised at O3 (the alias tags and load reuse the lowering relies on take effect there)
and JIT-compiled. Tests only: reductions, prints and math needing libdevice are out of scope.
"""

from __future__ import annotations

import ctypes
from dataclasses import replace

import llvmlite.binding as llvm
import numpy as np

from quadrants.ir import nodes as N
from quadrants.ir.walk import iter_tasks
from quadrants_llvm.builder.tasks import build_module
from quadrants_llvm.target import NVPTX

_NAMES = ("qd_emu_tid", "qd_emu_ctaid", "qd_emu_ntid", "qd_emu_nctaid")
_state = [0, 0, 1, 1]  # thread id, block id, block size, grid size (blocks)
_INDEX = ctypes.CFUNCTYPE(ctypes.c_int32)
_callbacks = [_INDEX(lambda k=k: _state[k]) for k in range(4)]
_engines = []  # keep the JIT engines (and the code they own) alive for the process


def _target():
    llvm.initialize_native_target()
    llvm.initialize_native_asmprinter()
    for name, cb in zip(_NAMES, _callbacks, strict=True):
        llvm.add_symbol(name, ctypes.cast(cb, ctypes.c_void_p).value)
    triple = llvm.get_process_triple()
    tm = llvm.Target.from_triple(triple).create_target_machine()
    host = replace(
        NVPTX,
        name="grid-emulator",
        triple=triple,
        data_layout=str(tm.target_data),
        cpu="",
        grid_index=_NAMES,
        thread_index=_NAMES[:3],
        kernel_cc="",
        kernel_annotation=False,
        warp_shuffle="",
        intrinsics={},
    )
    return host, tm


def emulate(program: N.Program, arrays: list[np.ndarray], blocks: int, threads: int) -> str:
    """Launch every task of ``program`` (ndarray arguments only: ``arrays``, C-contiguous, written in place) on a grid
    of ``blocks`` × ``threads``; returns the optimised IR (for assertions on its shape)."""
    target, tm = _target()
    info = build_module(program, target, "emu", debug=False, fast_math=False, noalias=False)
    mod = llvm.parse_assembly(str(info.module))
    mod.verify()
    pto = llvm.create_pipeline_tuning_options(speed_level=3)
    llvm.create_pass_builder(tm, pto).getModulePassManager().run(mod, llvm.create_pass_builder(tm, pto))
    text = str(mod)
    engine = llvm.create_mcjit_compiler(mod, tm)
    engine.finalize_object()
    _engines.append(engine)
    ctx = np.zeros(max(info.layout.size, 1) + 8, np.int64)
    for k, a in enumerate(arrays):
        assert a.flags.c_contiguous
        slot = info.layout.args[k]
        ctx[slot] = a.ctypes.data
        ctx[slot + 1 : slot + 1 + a.ndim] = a.shape
    for k, task in enumerate(iter_tasks(program.items)):
        kernel = ctypes.CFUNCTYPE(None, ctypes.c_void_p)(engine.get_function_address(f"emu_task_{k}"))
        grid = (1, 1) if isinstance(task, N.SerialBlock) else (blocks, threads)
        _state[2], _state[3] = grid[1], grid[0]
        for block in range(grid[0]):
            for tid in range(grid[1]):
                _state[0], _state[1] = tid, block
                kernel(ctx.ctypes.data)
    return text
