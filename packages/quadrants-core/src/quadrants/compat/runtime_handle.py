"""Upstream's runtime handle, ``quadrants.lang.impl.get_runtime()``, over this implementation's session.

Upstream keeps a process-wide ``PyQuadrants`` object holding the C++ program; programs and tests reach into it for the
default types, a few counters and device queries. Here the state is the current :class:`~quadrants.runtime.state.
Session`; :class:`RuntimeHandle` answers the same questions from it, and every answer is computed when asked (the
handle holds nothing). What the handle offers, and what each answer means here, is listed in
docs/upstream-compatibility.md.
"""

from __future__ import annotations

import re

from quadrants.fastcache.keys import backend_identity, digest
from quadrants.ir.walk import iter_tasks
from quadrants.runtime.config_view import CompileConfig, session_arch
from quadrants.runtime.state import ARCHS, RUNTIME, current_session, end_session, host_arch_name, sync

__all__ = [
    "RuntimeHandle",
    "PyQuadrants",
    "ProgramHandle",
    "DeviceCaps",
    "get_runtime",
    "current_cfg",
    "default_cfg",
    "get_cuda_compute_capability",
    "get_max_shared_memory_bytes",
]


class DeviceCaps:
    """``prog.get_device_caps()``: the backend's declared capabilities and a fingerprint of them."""

    def __init__(self, session) -> None:
        self._backend = session.backend

    def hashed_key(self) -> str:
        """A stable fingerprint of the device (``T`` + hex): the backend identity fastcache keys use."""
        return "T" + digest(["device-caps", backend_identity(self._backend)])[:32]

    def supports(self, requirement: str) -> bool:
        """Whether the backend declares ``requirement`` (``"f64"``, ``"atomic:f32"``, a feature name)."""
        return self._backend.capabilities.supports(requirement)

    def get(self, capability) -> int:
        """Upstream's ``get_device_caps().get(DeviceCapability.x)``: 1 when the backend declares the dtype or atomic
        the SPIR-V capability stands for, else 0 (also for capabilities with no counterpart here)."""
        requirement = _CAPABILITY_REQUIREMENTS.get(str(capability))
        return int(requirement is not None and self.supports(requirement))


# upstream's DeviceCapability names (quadrants/runtime/enums.py) -> the capability requirement they stand for
_CAPABILITY_REQUIREMENTS = {
    "spirv_has_int8": "i8",
    "spirv_has_int16": "i16",
    "spirv_has_int64": "i64",
    "spirv_has_float16": "f16",
    "spirv_has_float64": "f64",
    "spirv_has_atomic_int64": "atomic:i64",
    **{f"spirv_has_atomic_float16{s}": "atomic:f16" for s in ("", "_add", "_minmax")},
    **{f"spirv_has_atomic_float{s}": "atomic:f32" for s in ("", "_add", "_minmax")},
    **{f"spirv_has_atomic_float64{s}": "atomic:f64" for s in ("", "_add", "_minmax")},
}


class ProgramHandle:
    """``get_runtime().prog``: counters of the last launch and device queries of the current session."""

    def __init__(self, session) -> None:
        self._session = session

    def config(self) -> CompileConfig:
        return CompileConfig(self._session)

    def get_device_caps(self) -> DeviceCaps:
        return DeviceCaps(self._session)

    def synchronize(self) -> None:
        sync()

    def _last(self):
        """``(Compiled, RunState or None)`` of the session's latest launch (``Session.last_launch``)."""
        return self._session.last_launch or (None, None)

    def get_num_offloaded_tasks_on_last_call(self) -> int:
        """Tasks (parallel loops and serial blocks) of the kernel launched last."""
        compiled, _ = self._last()
        return 0 if compiled is None else sum(1 for _ in iter_tasks(compiled.program.items))

    def get_graph_last_yield_cp_id_on_last_call(self) -> int:
        """Index of the checkpoint the latest launch yielded at, or -1."""
        _, state = self._last()
        return -1 if state is None else state.yield_signal

    def get_graph_num_checkpoints_on_last_call(self) -> int:
        """Checkpoints of the kernel launched last."""
        compiled, _ = self._last()
        graph = None if compiled is None else compiled.graph
        return len(graph.checkpoints) if graph is not None else 0

    def _get_num_ndarrays(self) -> int:
        """Live ndarrays (fields excluded) of the session: a heap walk, for tests and leak hunting only."""
        import gc

        from quadrants.runtime.ndarray import Ndarray

        return sum(
            1
            for obj in gc.get_objects()
            if isinstance(obj, Ndarray)
            and not getattr(obj, "_is_quadrants_field", False)
            and getattr(obj, "_session", None) is self._session
        )

    # The host graph runner drives graph kernels here (docs/architecture.md (the path of one kernel call)): no device
    # graph is built or cached.
    def get_graph_num_nodes_on_last_call(self) -> int:
        return 0

    def get_graph_cache_used_on_last_call(self) -> bool:
        return False

    def get_graph_cache_size(self) -> int:
        return 0

    def get_graph_total_builds(self) -> int:
        return 0


class RuntimeHandle:
    """``impl.get_runtime()``: every attribute is read from, or written to, the current session."""

    @property
    def prog(self) -> ProgramHandle:
        return ProgramHandle(current_session())

    @property
    def default_fp(self):
        return current_session().default_fp

    @default_fp.setter
    def default_fp(self, dtype) -> None:
        current_session().default_fp = dtype

    @property
    def default_ip(self):
        return current_session().default_ip

    @default_ip.setter
    def default_ip(self, dtype) -> None:
        current_session().default_ip = dtype

    def set_default_fp(self, dtype) -> None:
        current_session().default_fp = dtype

    def set_default_ip(self, dtype) -> None:
        current_session().default_ip = dtype

    def materialize(self) -> None:
        """Upstream finalizes its SNode tree here; fields are allocated when created, so only a session is ensured.

        The runtime calls this method (looked up on the class at each call, so a program may replace it) where
        upstream materializes: before compiling a kernel and at the first host access of a field.
        """
        current_session()

    def clear(self) -> None:
        """Upstream destroys its program: here, the session ends. ``qd.init`` and ``qd.reset`` call this method
        (looked up on the class, so a program may replace it) as upstream's do."""
        end_session()

    def sync(self) -> None:
        sync()

    def get_num_compiled_functions(self) -> int:
        """Kernel specializations compiled (or loaded from fastcache) since the latest ``qd.init``."""
        return len(RUNTIME.session.compiled) if RUNTIME.session is not None else 0


_HANDLE = RuntimeHandle()

# upstream's class name: programs patch ``impl.PyQuadrants.materialize`` / ``.clear``
PyQuadrants = RuntimeHandle


def _materialize_hook() -> None:
    _HANDLE.materialize()


def _reset_hook() -> None:
    _HANDLE.clear()


# registered once, when a program first reaches the handle (``quadrants.lang.impl``): without it nothing can have
# patched the methods, and the runtime's own materialize / reset need no hook
if _materialize_hook not in RUNTIME.materialize_hooks:
    RUNTIME.materialize_hooks.append(_materialize_hook)
    RUNTIME.reset_hooks.append(_reset_hook)


def get_runtime() -> RuntimeHandle:
    """Upstream's process-wide runtime object."""
    return _HANDLE


class UpstreamConfigView(CompileConfig):
    """``impl.current_cfg()``: ``qd.cfg`` as upstream's programs see it.

    Upstream has no reference interpreter: every arch it knows is a device. The reference stands in for the host CPU
    (it runs on it and supports what upstream's CPU backend supports), so through this upstream-facing view a
    reference session reports the host's CPU arch (``qd.x64`` / ``qd.arm64``, i.e. ``qd.cpu``); programs that choose
    a code path by ``current_cfg().arch`` then take the CPU's. ``qd.cfg.arch`` itself stays ``qd.ref``, and
    ``current_cfg().backend_id`` says which backend really runs.
    """

    __slots__ = ()

    def __getattr__(self, name: str):
        session = object.__getattribute__(self, "_session")
        if name == "arch" and session.backend_id == "ref":
            return ARCHS[host_arch_name()]
        if name == "backend_id":
            return session.backend_id
        return super().__getattr__(name)


def current_cfg() -> CompileConfig:
    """The options of the current session as upstream's programs read them (:class:`UpstreamConfigView`)."""
    return UpstreamConfigView(current_session())


def default_cfg() -> CompileConfig:
    """Upstream returns a fresh default config; here, the current session's (started with defaults if none)."""
    return current_cfg()


def get_cuda_compute_capability() -> int:
    """``major * 10 + minor`` of the CUDA device the session runs on (read from the backend's device description)."""
    session = current_session()
    match = re.search(r"sm_(\d+)", session.backend.probe().device or "")
    if session.backend_id != "llvm-cuda" or match is None:
        raise RuntimeError("get_cuda_compute_capability() needs a session on qd.cuda")
    return int(match.group(1))


# Shared memory per block that every device of an arch offers at least (upstream's lower bounds; CUDA: the static
# limit of every generation; WebGPU: the guaranteed maxComputeWorkgroupStorageSize).
_SHARED_MEMORY_LOWER_BOUND = {
    "x64": 0,
    "arm64": 0,
    "ref": 0,
    "cuda": 48 * 1024,
    "amdgpu": 64 * 1024,
    "metal": 32 * 1024,
    "vulkan": 16 * 1024,
}


def get_max_shared_memory_bytes(*, is_lowerbound_ok: bool) -> int:
    """Shared memory per block in bytes: the backend's exact figure, or the arch's guaranteed lower bound."""
    session = current_session()
    exact = getattr(session.backend, "max_shared_memory_bytes", None)
    if exact is not None:
        return int(exact() if callable(exact) else exact)
    arch = session_arch(session)
    if not is_lowerbound_ok or arch is None or arch.name not in _SHARED_MEMORY_LOWER_BOUND:
        raise RuntimeError(f"the maximum shared memory of {arch} cannot be queried; pass is_lowerbound_ok=True")
    return _SHARED_MEMORY_LOWER_BOUND[arch.name]
