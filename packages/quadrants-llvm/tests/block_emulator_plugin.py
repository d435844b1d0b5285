"""A pytest plugin for the conformance suite: backend ``llvm-cuda-blocks`` checks SIMT slot loops on thread blocks.

Loaded with ``-p block_emulator_plugin`` next to ``--pyargs quadrants_conformance.cases --backend llvm-cuda-blocks``.
Every kernel is compiled to PTX (as ``llvm-cuda-compile``: verified, O3, ``ptxas`` when on ``PATH``) and runs on
``llvm-cpu``, so the suite compares every observable with the reference as usual. In addition, each flat launch of a
program with a SIMT slot loop is replayed on copies of its arguments taken before the launch through
:mod:`block_emulator` (the GPU lowering on the host, the threads of a block running concurrently and meeting at the
barriers), and every ndarray argument it leaves must equal, bit for bit, what the ``llvm-cpu`` launch left (the
block scratch arrays excepted: they are the lowering's own). A mismatch or a barrier some thread misses fails the case.
``$QD_BLOCK_EMU_THREADS=n`` replays SIMT slot loops on 3 blocks of ``n`` threads instead of the launch's own shape.
Each replayed launch appends a line to ``$QD_BLOCK_EMU_LOG`` (its SIMT tasks: ``B`` and whether they ran on blocks).
"""

from __future__ import annotations

import os

import numpy as np
from gpu_compile_plugin import CompileOnlyBackend, _Driver as _CompileDriver

from quadrants.ir import nodes as N
from quadrants.ir.walk import iter_tasks
from quadrants_llvm.builder import simt_blocks


class BlockEmulatedBackend(CompileOnlyBackend):
    """``llvm-cuda-compile`` plus a replay of SIMT launches on the block emulator."""

    def load(self, artifact):
        exe = self.cpu.load(artifact)
        program = artifact.program
        flat = all(isinstance(i, (N.ParallelFor, N.SerialBlock)) for i in program.items)
        if flat and any(simt_blocks.slot_block(t) for t in iter_tasks(program.items) if isinstance(t, N.ParallelFor)):
            exe.launch = _replayed(exe.launch, program)
        return exe


def _replayed(launch, program: N.Program):
    from block_emulator import emulate_blocks

    tasks = list(iter_tasks(program.items))

    def run(args):
        before = [a.array.copy() if hasattr(a, "array") else a for a in args]
        result = launch(args)
        emulate_blocks(program, before, blocks=2, threads=32, dims=_dims())
        for spec, after, emulated in zip(program.args, args, before, strict=True):
            if not isinstance(spec, N.NdarrayArg) or spec.name.startswith(N.SIMT_SCRATCH_PREFIX):
                continue
            cpu = after.array
            if cpu.tobytes() != emulated.tobytes():
                bad = np.flatnonzero(cpu.reshape(-1).view(np.uint8) != emulated.reshape(-1).view(np.uint8))
                raise AssertionError(
                    f"block emulator: {program.name} argument {spec.name} differs from llvm-cpu at byte {bad[0]} "
                    f"({bad.size} bytes): cpu {cpu.reshape(-1)[:8]} emulated {emulated.reshape(-1)[:8]}"
                )
        log = os.environ.get("QD_BLOCK_EMU_LOG")
        if log:
            with open(log, "a", encoding="utf-8") as f:
                slots = [
                    (t.simt_block, simt_blocks.slot_block(t))
                    for t in tasks
                    if isinstance(t, N.ParallelFor) and t.simt_block
                ]
                f.write(f"{program.name} (simt_block, on thread blocks) per task {slots}\n")
        return result

    return run


def _dims():
    """``$QD_BLOCK_EMU_THREADS=n``: SIMT slot loops on 3 blocks of ``n`` threads (fewer threads than lanes, a grid
    that divides no slot count) instead of the executable's shape."""
    from block_emulator import launch_dims

    n = int(os.environ.get("QD_BLOCK_EMU_THREADS", "0"))
    if not n:
        return None
    return lambda t: (3, n) if isinstance(t, N.ParallelFor) and simt_blocks.slot_block(t) else launch_dims(t, 2, 32)


def _backends():
    from quadrants_llvm.cuda import BACKEND as CUDA, compile_ptx

    return {"llvm-cuda-blocks": BlockEmulatedBackend("llvm-cuda-blocks", CUDA, compile_ptx)}


class _Driver(_CompileDriver):
    def backends(self):
        from quadrants.runtime.state import RUNTIME

        found = self.real.backends()
        extra = _backends()
        RUNTIME._backends = {**RUNTIME.backends(), **extra}  # so qd.init(arch="llvm-cuda-blocks") finds them
        for backend_id, backend in extra.items():
            found[backend_id] = self.describe(backend_id, backend)
        return found


def pytest_conformance_driver(config):
    return _Driver()
