"""The ``llvm-cuda`` backend: the shared LLVM IR builder targeting ``nvptx64-nvidia-cuda``, run through
``cuda.bindings.driver``.

Modules: :mod:`.compiler` (Program → PTX or AMDGPU code object, shared with ``llvm-amdgpu``), :mod:`.driver`
(device, context and driver calls), :mod:`.memory` (``CudaArray``), :mod:`.executable` (launch primitives),
:mod:`.backend` (the registered object). ``cuda.bindings`` is imported only when the backend is probed or used.
"""

from quadrants_llvm.cuda.backend import BACKEND, LlvmCudaBackend, compile_ptx

__all__ = ["BACKEND", "LlvmCudaBackend", "compile_ptx"]
