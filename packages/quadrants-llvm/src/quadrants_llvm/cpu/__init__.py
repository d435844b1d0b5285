"""The ``llvm-cpu`` backend: :data:`BACKEND` is the object registered under the ``quadrants.backends`` entry point.

Modules: :mod:`.backend` (compile/load/allocate), :mod:`.jit` (MCJIT, O3, host CPU), :mod:`.pool` (worker threads
behind ``qd_parallel``), :mod:`.launcher` (the generated per-specialization launch function), :mod:`.executable`
(launch primitives), :mod:`.memory` (``LlvmArray``), :mod:`.host` (print sink, run-time errors).
"""

from quadrants_llvm.cpu.backend import BACKEND, LlvmCpuBackend

__all__ = ["BACKEND", "LlvmCpuBackend"]
