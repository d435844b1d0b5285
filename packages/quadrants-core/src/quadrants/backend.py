"""The backend protocol and the registry of backends found through the ``quadrants.backends`` entry points.

A backend package exposes one object (the entry point's target, or a zero-argument callable returning it) that
implements :class:`Backend`. A third-party backend installs like ours: through the entry-point group. The one
shortcut is :data:`FIRST_PARTY`, the entry points our own packages declare, which ``qd.init`` uses for their ids
so that a process does not pay for reading package metadata (see :func:`load_by_id`).

Data flow of one launch (see docs/architecture.md (the path of one kernel call))::

    program = frontend(...)                       # quadrants.ir.nodes.Program
    artifact = backend.compile(program, options)  # bytes-like or any picklable object
    exe = backend.load(artifact)                  # Executable
    ctx = exe.begin(args)                         # args: one value per Program.args entry
    exe.run_task(ctx, item)                       # for every task item, driven by the graph runner
    exe.read_i32(ctx, arg_index)                  # do_while conditions / checkpoint flags
    values = exe.end(ctx)                         # return values (tuple), raises pending run-time errors
"""

from __future__ import annotations

import importlib
import importlib.util
import warnings
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from quadrants.ir.dtypes import DataType
from quadrants.ir.nodes import Item, Program

__all__ = [
    "Availability",
    "Capabilities",
    "CompileOptions",
    "DeviceArray",
    "Executable",
    "Backend",
    "ENTRY_POINT_GROUP",
    "FIRST_PARTY",
    "discover_backends",
    "load_backend",
    "load_by_id",
]

ENTRY_POINT_GROUP = "quadrants.backends"

# The entry points our packages declare in their pyproject.toml (a test compares this table with the installed
# metadata). Reading entry points costs ~30-60 ms of every process start: importlib.metadata imports email, zipfile
# and csv and then scans every installed distribution, which is as much as a fastcache hit saves on a small kernel.
FIRST_PARTY = {
    "ref": "quadrants_ref.backend:BACKEND",
    "llvm-cpu": "quadrants_llvm.cpu:BACKEND",
    "llvm-cuda": "quadrants_llvm.cuda:BACKEND",
    "llvm-amdgpu": "quadrants_llvm.amdgpu:BACKEND",
    "wgpu": "quadrants_wgpu.runtime.backend:BACKEND",
}


@dataclass(frozen=True)
class Availability:
    """Result of :meth:`Backend.probe`: whether the backend can run here, and why not."""

    available: bool
    reason: str = ""
    device: str = ""
    software: bool = False  # a software emulation of the device (e.g. Vulkan on lavapipe): never the default pick


@dataclass(frozen=True)
class Capabilities:
    """What a backend supports, as data. Conformance cases declare the names they need (see ``features``)."""

    dtypes: frozenset[DataType]
    atomic_dtypes: frozenset[DataType]
    features: frozenset[str] = field(default_factory=frozenset)
    max_ndim: int = 8

    def supports(self, requirement: str) -> bool:
        """True when ``requirement`` (a dtype name such as ``"f64"``, ``"atomic:f32"`` or a feature) is met."""
        kind, _, name = requirement.partition(":")
        if name and kind == "atomic":
            return any(t.name == name for t in self.atomic_dtypes)
        if any(t.name == requirement for t in self.dtypes):
            return True
        return requirement in self.features


@dataclass(frozen=True)
class CompileOptions:
    """Everything from ``qd.init`` that can change generated code (and so belongs to cache keys)."""

    debug: bool = False
    fast_math: bool = False
    lane_order: str = "ascending"  # reference only: "ascending", "reversed" or "shuffled"
    check_races: bool = False  # reference only: report conflicting accesses of parallel iterations
    seed: int = 0


@runtime_checkable
class DeviceArray(Protocol):
    """Backend-owned storage of one ndarray.

    Optional members that enable zero-copy interop (docs/interop.md; without them NumPy, DLPack and torch get
    copies): ``host_view() -> numpy.ndarray`` — the storage itself when it is host memory; ``device_buffer() ->
    (DLPack device type, device id, address)`` — device memory, after the work queued on it is finished. A backend
    whose kernels can use another library's device memory in place also offers ``wrap_device_buffer(device_type,
    device_id, address, dtype, shape, owner, stream=...) -> DeviceArray | None`` (``stream``: where the owner queued
    its work, runtime/external.py's convention).

    Optional ``fill(value: numpy.generic)``: set every element to ``value`` (already of the array's dtype) without the
    host copy ``from_numpy`` makes, and on a device without waiting for the work queued before it (Genesis fills a
    loop counter in every step; a blocking copy there made the host wait for the step's earlier kernels).
    """

    def to_numpy(self) -> Any: ...

    def from_numpy(self, array: Any) -> None: ...


class Executable(Protocol):
    """A loaded artifact: the launch primitives the core graph runner drives."""

    def begin(self, args: list[Any]) -> Any:
        """Start a launch with one value per program argument (a DeviceArray or a Python scalar)."""

    def run_task(self, ctx: Any, item: Item) -> None:
        """Run one task item (:class:`ParallelFor` or :class:`SerialBlock`) of the program."""

    def read_i32(self, ctx: Any, arg: int) -> int:
        """Read the 0-d i32 ndarray argument ``arg`` after all preceding work of the launch is visible."""

    def end(self, ctx: Any) -> tuple:
        """Finish the launch: raise pending run-time errors, make writes visible, return the return values."""

    # Optional: ``abort(ctx)`` is called instead of ``end`` when a launch begun with ``begin`` fails (a task raised,
    # Ctrl-C), so an executable can release what ``begin`` took (a lock, a context buffer).

    # Optional fast path: ``launch(args) -> tuple`` runs every item of a program that has no graph nodes
    # (no DoWhile / Checkpoint) and returns the return values; core calls it instead of begin/run_task/end.


class Backend(Protocol):
    """The object a backend package registers under the ``quadrants.backends`` entry-point group.

    Optional: ``configure(options: dict)``, called by ``qd.init`` with the session's options that are not compile
    options (``cpu_max_num_threads`` …): run-time settings that never change generated code.
    """

    id: str
    archs: tuple[str, ...]
    capabilities: Capabilities

    def probe(self) -> Availability: ...

    def compile(self, program: Program, options: CompileOptions) -> Any: ...

    def load(self, artifact: Any) -> Executable: ...

    def allocate(self, dtype: DataType, shape: tuple[int, ...]) -> DeviceArray:
        """A zero-initialised array."""

    def wrap_numpy(self, array: Any) -> DeviceArray:
        """A DeviceArray standing for a NumPy array passed directly to a kernel (writes must reach ``array``)."""

    def sync_back(self, wrapped: DeviceArray, array: Any) -> None:
        """After a launch, copy the launch's writes back into the NumPy ``array`` that ``wrapped`` stands for."""


def load_backend(ep) -> Any | None:
    """Load one entry point's backend; a broken plugin warns and gives ``None`` instead of crashing."""
    try:
        obj = ep.load()
        return obj() if callable(obj) and not hasattr(obj, "probe") else obj
    except Exception as exc:  # a third-party plugin must not take the process down
        warnings.warn(f"quadrants: backend entry point {ep.name!r} failed to load: {exc}", stacklevel=3)
        return None


def discover_backends() -> dict[str, Any]:
    """Load every registered backend: ``{id: backend}``."""
    from importlib import metadata

    found: dict[str, Any] = {}
    for ep in metadata.entry_points(group=ENTRY_POINT_GROUP):
        backend = load_backend(ep)
        if backend is not None:
            found[backend.id] = backend
    return found


class _Target:
    """An entry-point target ``"module:attribute"`` that loads like ``importlib.metadata.EntryPoint``."""

    def __init__(self, name: str, value: str):
        self.name, self.value = name, value

    def load(self) -> Any:
        module, _, attribute = self.value.partition(":")
        return getattr(importlib.import_module(module), attribute)


def load_by_id(backend_id: str) -> Any | None:
    """The backend registered as ``backend_id``, importing only its package; ``None`` if none is installed.

    First-party ids load straight from :data:`FIRST_PARTY` when their package is importable; any other id, or a
    first-party package that is not installed, goes through the entry points.
    """
    target = FIRST_PARTY.get(backend_id)
    if target is not None:
        top = target.split(".", 1)[0]
        if importlib.util.find_spec(top) is not None:
            return load_backend(_Target(backend_id, target))
    from importlib import metadata

    eps = metadata.entry_points(group=ENTRY_POINT_GROUP, name=backend_id)
    loaded = [b for b in (load_backend(ep) for ep in eps) if b is not None and b.id == backend_id]
    return loaded[0] if loaded else None
