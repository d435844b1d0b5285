"""The ``llvm-amdgpu`` backend (compile-only): AMDGPU code objects from the shared LLVM IR builder."""

from quadrants_llvm.amdgpu.backend import BACKEND, LlvmAmdgpuBackend, compile_code_object

__all__ = ["BACKEND", "LlvmAmdgpuBackend", "compile_code_object"]
