"""The host JIT: one MCJIT engine for the process, O3 with the host CPU's name and features.

``compile_object`` turns a program's IR into O3-optimised host object code once (at compile time); ``link`` adds such
object code to the shared engine, which costs symbol relocation only, so a fastcache hit never runs the optimiser or
the code generator. Symbols carry a prefix derived from the code's content: the same object code is linked once per
process and shared by every executable that loads it (the code keeps no state of its own: all state is in the
launch context). Intrinsics that have no instruction
(``llvm.sin.f32`` …) become libm calls that the engine resolves from the process (libm is loaded permanently), and
``qd_parallel`` / ``qd_print`` / ``qd_interrupts`` are bound to the host thread pool, print sink and Ctrl-C counter
(:mod:`.pool`, :mod:`.host`, :mod:`.interrupt`).
"""

from __future__ import annotations

import ctypes.util
import hashlib
import itertools
import re
import threading
import time
from collections import OrderedDict

import llvmlite.binding as llvm

from quadrants_llvm.cpu import object_cache
from quadrants_llvm.target import TargetInfo, host_target

__all__ = ["Jit", "get_jit", "has_out_of_range_vector_shift"]


# LLVM options of the process (set once, before the first compile; they change how code is optimised or generated,
# never the results):
# * in-order float reductions: with strict IEEE semantics (fast_math=False) a float sum in a loop may still be
#   vectorised when its additions stay sequential (``llvm.vector.reduce.fadd`` with a start value); x86 leaves this
#   off by default. The loads, products, square roots and divisions around the sum vectorise (n-body's force loop:
#   about 3x faster, bit-identical).
# * masked interleaved accesses: a guarded load of a vector field's components (``if i != j: pos[j]``) becomes one
#   wide load and shuffles (with a mask where LLVM cannot prove the elements readable) instead of gathers.
# * interleave groups of up to 16 members (LLVM's default is 8): the components of a 9-vector or 3x3-matrix field
#   (a lattice-Boltzmann cell, an MPM deformation gradient) read or written in one loop iteration are one wide
#   access and shuffles instead of nine 16-lane gathers and scatters, which AMD Zen 4 runs slowly (the Kármán
#   program's ``update_macro``: 280 -> 70 us single-threaded; issue 23). The vectoriser still compares the costs.
# * a token factor inlines at most 64 operands (LLVM's default is 2048): the DAG combiner merges the memory chains of
#   one basic block in time quadratic in their number, so a kernel with a 1024-component vector parameter (one load
#   and one store per component in one block) spent 136 s in instruction selection; with the limit, 5 s. Only
#   blocks with more than 64 independent memory operations see it; the generated code computes the same values.
# * no non-trivial loop unswitching (O3's, not O2's; a threshold of 0 trips an assertion in LLVM): a stencil's
#   boundary tests on the outer index (``if i > 0``) are invariant in the inner loop, so unswitching made one copy
#   of the inner loop per combination of them, each vectorised and runtime-unrolled. It was a fifth of mgpcg's first
#   call (14 412 optimised lines -> 11 187; first call 1.31 -> 1.13 s, stable_fluid 0.527 -> 0.490 s) for no step
#   time: per-kernel best launch times over 8 programs 0.91-1.07, sums neutral (issue 23; docs/backends/llvm-cpu.md).
#   Trivial unswitching (a branch that leaves the loop, no copy) stays.
LLVM_OPTIONS = (
    "-force-ordered-reductions=true",
    "-enable-masked-interleaved-mem-accesses=true",
    "-max-interleave-group-factor=16",
    "-combiner-tokenfactor-inline-limit=64",
    "-unswitch-threshold=1",
)
_OPTIONS_SET = [False]
# compile_object results kept in memory, the most recently used ones (a few KB to a few hundred KB each: optimised
# text and object code); repeats come close together (one kernel on two sets of arguments of one type)
MEMO_ENTRIES = 512
MEMO_BYTES = 32 << 20


def _set_llvm_options() -> None:
    if not _OPTIONS_SET[0]:  # LLVM rejects an option given twice
        for option in LLVM_OPTIONS:
            llvm.set_option("quadrants", option)
        _OPTIONS_SET[0] = True


class Jit:
    """Compiles LLVM IR text to machine code in the shared engine and returns function addresses."""

    def __init__(self) -> None:
        _set_llvm_options()
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
            interrupts=info.interrupts,
        )
        libm = ctypes.util.find_library("m")
        if libm:
            llvm.load_library_permanently(libm)
        self._lock = threading.Lock()
        self._linked: set[str] = set()  # symbol prefixes whose object code is in the engine
        # what compile_object returned for each key in this process (most recent last): a program whose IR equals
        # an earlier one's (``dot`` on two pairs of ndarrays of one type, a kernel instance per field of one shape)
        # is optimised and code-generated once, with or without the offline cache
        self._compiled: OrderedDict[str, tuple[str, str, bytes]] = OrderedDict()
        self._compiled_bytes = 0
        seed = llvm.parse_assembly(f'target triple = "{info.triple}"\n')
        self.engine = llvm.create_mcjit_compiler(seed, target.create_target_machine(**self._tm_args))
        # what besides the IR decides the object code (offline cache key)
        version = ".".join(map(str, llvm.llvm_version_info))
        self._identity = f"LLVM {version}|{info.triple}|{info.cpu}|{info.features}|{' '.join(LLVM_OPTIONS)}"

    def compile_object(self, ir_text: str, placeholder: str, timings: dict[str, float]) -> tuple[str, str, bytes]:
        """Optimise ``ir_text`` (O3) and generate object code: ``(optimised text, symbol prefix, object code)``.

        ``placeholder`` is the symbol prefix used in ``ir_text``; the optimised text keeps it (dumps, tests), the
        object code uses ``qd<content hash>`` so two different programs never define the same symbol.
        """
        t0 = time.perf_counter()
        key = object_cache.key_of(ir_text, placeholder, self._identity)
        with self._lock:
            done = self._compiled.get(key)
            if done is not None:
                self._compiled.move_to_end(key)
        if done is not None:
            timings.update(parse=0.0, optimize=0.0, codegen=0.0, memo=time.perf_counter() - t0)
            return done
        cached = object_cache.load(key)  # the offline cache: optimised by an earlier process (None when off)
        if cached is not None:
            timings.update(parse=0.0, optimize=0.0, codegen=0.0, object_cache=time.perf_counter() - t0)
            self._remember(key, cached)
            return cached
        mod = llvm.parse_assembly(ir_text)
        mod.verify()
        t1 = time.perf_counter()
        with self._lock:  # the pass builder and the target machine are shared: one user at a time
            mod, text = self._optimized(ir_text, mod)
            prefix = "qd" + hashlib.sha256(text.encode()).hexdigest()[:24]
            for value in itertools.chain(mod.functions, mod.global_variables):
                if value.name.startswith(placeholder + "_"):
                    value.name = prefix + value.name[len(placeholder) :]
            t2 = time.perf_counter()
            obj = self.tm.emit_object(mod)
        timings.update(parse=t1 - t0, optimize=t2 - t1, codegen=time.perf_counter() - t2)
        object_cache.store(key, (text, prefix, obj))  # no-op when the offline cache is off
        self._remember(key, (text, prefix, obj))
        return text, prefix, obj

    def _remember(self, key: str, value: tuple[str, str, bytes]) -> None:
        with self._lock:
            if key in self._compiled:
                return
            self._compiled[key] = value
            self._compiled_bytes += _size(value)
            while len(self._compiled) > MEMO_ENTRIES or (self._compiled_bytes > MEMO_BYTES and len(self._compiled) > 1):
                self._compiled_bytes -= _size(self._compiled.popitem(last=False)[1])

    def forget(self) -> None:
        """Drop the in-process results of ``compile_object`` (tests of the offline cache and of the optimiser)."""
        with self._lock:
            self._compiled.clear()
            self._compiled_bytes = 0

    def add_module(self, module) -> None:
        """Compile a parsed module straight into the engine (host glue such as the SIGINT handler)."""
        with self._lock:
            self.engine.add_module(module)
            self.engine.finalize_object()

    def link(self, prefix: str, object_code: bytes, names: list[str]) -> dict[str, int]:
        """Add ``object_code`` (symbols ``prefix_*``) to the engine unless it already is; return ``{name: address}``."""
        with self._lock:
            if prefix not in self._linked:
                self.engine.add_object_file(llvm.ObjectFileRef.from_data(object_code))
                self.engine.finalize_object()
                self._linked.add(prefix)
            return {n: self.engine.get_function_address(n) for n in names}

    def _optimize(self, mod, slp: bool = True) -> None:
        pto = llvm.create_pipeline_tuning_options(speed_level=3)
        pto.loop_vectorization = True
        pto.slp_vectorization = slp
        pb = llvm.create_pass_builder(self.tm, pto)
        pb.getModulePassManager().run(mod, pb)

    def _optimized(self, ir_text: str, mod=None):
        """``(module, text)`` of ``ir_text`` (``mod``: already parsed from it) after O3; without SLP vectorisation
        when it made an unsafe shift.

        LLVM 22's SLP vectoriser packs different ops of neighbouring statements into one vector op plus a blend
        (``ashr`` for a sign extension next to ``and`` for a zero extension, as in ``o[i, 0] = i8(x)``,
        ``o[i, 1] = u8(x)``). The lanes it does not keep get the other op's constants, which for a shift are
        out-of-range amounts (``ashr <4 x i32> %v, <i32 24, i32 255, ...>``: poison lanes). The x86 backend then
        turns the blend into an ``or`` that assumes those lanes are zero while ``vpsravd`` fills them with sign bits,
        so a zero extension of a negative value came out as -1. Our own shifts mask their counts (a program never
        shifts by a constant >= the width), so such a shift can only come from that packing: the module is then
        optimised again without SLP (loop vectorisation stays).
        """
        mod = llvm.parse_assembly(ir_text) if mod is None else mod
        self._optimize(mod)
        text = str(mod)
        if has_out_of_range_vector_shift(text):
            mod = llvm.parse_assembly(ir_text)
            self._optimize(mod, slp=False)
            text = str(mod)
        return mod, text

    def optimized_ir(self, ir_text: str) -> str:
        """The O3-optimised text of ``ir_text`` (nothing is added to the engine)."""
        with self._lock:
            return self._optimized(ir_text)[1]

    def assembly(self, ir_text: str) -> str:
        """Host assembly of the O3-optimised ``ir_text`` (to check vectorisation in tests)."""
        mod = llvm.parse_assembly(self.optimized_ir(ir_text))
        return self.tm.emit_assembly(mod)


def _size(value: tuple[str, str, bytes]) -> int:
    text, prefix, obj = value
    return len(text) + len(prefix) + len(obj)


_VECTOR_SHIFT = re.compile(r"= (?:ashr|lshr|shl)(?: exact| nuw| nsw)* <\d+ x i(\d+)> [^,]+, <([^>]*)>")


def has_out_of_range_vector_shift(ir_text: str) -> bool:
    """Whether some vector shift in ``ir_text`` has a constant amount lane >= the element width (see ``_optimized``)."""
    for m in _VECTOR_SHIFT.finditer(ir_text):
        width = int(m.group(1))
        for lane in m.group(2).split(","):
            value = lane.split()[-1]
            if value.lstrip("-").isdigit() and not 0 <= int(value) < width:
                return True
    return False


_JIT: Jit | None = None
_JIT_LOCK = threading.Lock()


def get_jit() -> Jit:
    """The process-wide JIT (created on first use, with the host symbols bound)."""
    global _JIT
    with _JIT_LOCK:
        if _JIT is None:
            from quadrants_llvm.cpu import host, interrupt, pool

            jit = Jit()
            pool.bind_symbols(jit)
            host.bind_symbols()
            interrupt.bind_symbols(jit)
            _JIT = jit
        return _JIT
