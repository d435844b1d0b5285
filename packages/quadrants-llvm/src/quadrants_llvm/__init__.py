"""Quadrants LLVM backends: one llvmlite code generator shared by three targets.

What will live here (docs/writing-a-backend.md):

* ``llvm-cpu`` — IR → LLVM IR → native code for the host CPU (x64/arm64, host target features), parallel tasks split
  across worker threads, a launcher prepared once per specialization.
* ``llvm-cuda`` — the same IR builder targeting ``nvptx64``; PTX loaded through ``cuda.bindings.driver``; graph kernels
  through CUDA graphs.
* ``llvm-amdgpu`` — ``amdgcn-amd-amdhsa`` code objects (compile-only tests: no AMD GPU is available).

Per-target differences (triple, intrinsic names, limits) are data, not copied control flow. Entry points:
``llvm-cpu`` (:mod:`.cpu`), ``llvm-cuda`` (:mod:`.cuda`, needs ``cuda-bindings``) and ``llvm-amdgpu`` (:mod:`.amdgpu`,
compile-only).
"""
