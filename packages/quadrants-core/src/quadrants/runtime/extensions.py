"""``qd.extension`` and ``is_extension_supported(arch, ext)``, answered from the backends' capabilities.

Upstream groups optional features into extensions per arch. Here an extension is supported on an arch when the
backend the arch maps to is installed and available and its :class:`~quadrants.backend.Capabilities` contain every
requirement of the extension (:data:`REQUIRES`). Extensions whose feature is out of scope for this implementation
(sparse SNodes, quantized types, meshes, …) are supported nowhere, so upstream programs and tests
that ask first skip them.
"""

from __future__ import annotations

import enum

__all__ = ["Extension", "REQUIRES", "is_extension_supported", "is_extension_enabled"]


class Extension(enum.Enum):
    """Upstream's extension names (``qd.extension.data64``, ``qd.extension.assertion``, …)."""

    sparse = "sparse"
    quant = "quant"
    mesh = "mesh"
    quant_basic = "quant_basic"
    data64 = "data64"
    adstack = "adstack"
    bls = "bls"
    assertion = "assertion"
    extfunc = "extfunc"


# extension -> capability requirements (Capabilities.supports names); None: out of scope, supported nowhere
REQUIRES: dict[Extension, tuple[str, ...] | None] = {
    Extension.data64: ("f64", "i64"),
    Extension.assertion: ("assert",),
    Extension.sparse: None,  # pointer/bitmasked/dynamic SNodes
    Extension.quant: None,  # quantized types
    Extension.quant_basic: None,
    Extension.mesh: None,
    Extension.adstack: (),  # loops in reverse-mode autodiff: a compiler pass, every backend (docs/autodiff.md)
    Extension.bls: None,  # block-local storage of SNode trees
    Extension.extfunc: None,  # external C functions
}


def _backend_for(arch):
    """The available backend that ``arch`` (an Arch, arch name or backend id) runs on, or ``None``."""
    from quadrants.runtime.state import ARCHS, RUNTIME, Arch

    if isinstance(arch, Arch):
        candidates = arch.backends
    elif isinstance(arch, str):
        candidates = ARCHS[arch].backends if arch in ARCHS else (arch,)
    else:
        raise TypeError(f"is_extension_supported expects an arch such as qd.cpu, got {arch!r}")
    for backend_id in candidates:
        backend = RUNTIME.backend(backend_id)
        if backend is not None and backend.probe().available:
            return backend
    return None


def is_extension_supported(arch, ext) -> bool:
    """Whether ``ext`` (``qd.extension.data64``, or its name) is supported on ``arch`` here."""
    ext = Extension(ext.value if isinstance(ext, Extension) else ext)
    needs = REQUIRES[ext]
    if needs is None:
        return False
    backend = _backend_for(arch)
    if backend is None:
        return False
    return all(backend.capabilities.supports(n) for n in needs)


def is_extension_enabled(ext) -> bool:
    """``qd.is_extension_enabled(ext)``: whether ``ext`` is supported by the backend the current session runs on (a
    default session starts when ``qd.init`` was never called). Upstream asks the same of the session's arch."""
    from quadrants.runtime.state import current_session

    ext = Extension(ext.value if isinstance(ext, Extension) else ext)
    needs = REQUIRES[ext]
    backend = current_session().backend
    return needs is not None and all(backend.capabilities.supports(n) for n in needs)
