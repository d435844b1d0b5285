"""The host JIT: one MCJIT engine for the process, O3 with the host CPU's name and features.

Every loaded program adds one module to the shared engine under a unique symbol prefix, so loading costs parsing,
the O3 pipeline and machine-code generation only (no engine set-up). Intrinsics that have no instruction
(``llvm.sin.f32`` …) become libm calls that the engine resolves from the process (libm is loaded permanently), and
``qd_parallel`` / ``qd_print`` are bound to the host thread pool and print sink (:mod:`.pool`, :mod:`.host`).
"""

from __future__ import annotations

import ctypes.util
import itertools
import threading
import time

import llvmlite.binding as llvm

from quadrants_llvm.target import TargetInfo, host_target

__all__ = ["Jit", "get_jit"]


class Jit:
    """Compiles LLVM IR text to machine code in the shared engine and returns function addresses."""

    def __init__(self) -> None:
        info = host_target()
        target = llvm.Target.from_triple(info.triple)
        self._tm_args = {"cpu": info.cpu, "features": info.features, "opt": 3, "jit": True}
        self.tm = target.create_target_machine(**self._tm_args)
        self.target = TargetInfo(
            name=info.name,
            triple=info.triple,
            data_layout=str(self.tm.target_data),
            cpu=info.cpu,
            features=info.features,
            threads=info.threads,
        )
        libm = ctypes.util.find_library("m")
        if libm:
            llvm.load_library_permanently(libm)
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        seed = llvm.parse_assembly(f'target triple = "{info.triple}"\n')
        self.engine = llvm.create_mcjit_compiler(seed, target.create_target_machine(**self._tm_args))

    def new_prefix(self) -> str:
        return f"qd{next(self._ids)}"

    def compile(self, ir_text: str, names: list[str], timings: dict[str, float], optimize: bool = True) -> dict:
        """Parse, optimise (O3, unless ``ir_text`` already is) and generate code; return ``{name: address}``."""
        with self._lock:
            t0 = time.perf_counter()
            mod = llvm.parse_assembly(ir_text)
            mod.verify()
            t1 = time.perf_counter()
            if optimize:
                self._optimize(mod)
            t2 = time.perf_counter()
            self.engine.add_module(mod)
            self.engine.finalize_object()
            addresses = {n: self.engine.get_function_address(n) for n in names}
            t3 = time.perf_counter()
        timings["parse"] = t1 - t0
        timings["optimize"] = t2 - t1
        timings["codegen"] = t3 - t2
        return addresses

    def _optimize(self, mod) -> None:
        pto = llvm.create_pipeline_tuning_options(speed_level=3)
        pto.loop_vectorization = True
        pto.slp_vectorization = True
        pb = llvm.create_pass_builder(self.tm, pto)
        pb.getModulePassManager().run(mod, pb)

    def optimized_ir(self, ir_text: str) -> str:
        """The O3-optimised text of ``ir_text`` (nothing is added to the engine)."""
        mod = llvm.parse_assembly(ir_text)
        with self._lock:
            self._optimize(mod)
        return str(mod)

    def assembly(self, ir_text: str) -> str:
        """Host assembly of the O3-optimised ``ir_text`` (to check vectorisation in tests)."""
        mod = llvm.parse_assembly(self.optimized_ir(ir_text))
        return self.tm.emit_assembly(mod)


_JIT: Jit | None = None
_JIT_LOCK = threading.Lock()


def get_jit() -> Jit:
    """The process-wide JIT (created on first use, with the host symbols bound)."""
    global _JIT
    with _JIT_LOCK:
        if _JIT is None:
            from quadrants_llvm.cpu import host, pool

            jit = Jit()
            pool.bind_symbols()
            host.bind_symbols()
            _JIT = jit
        return _JIT
