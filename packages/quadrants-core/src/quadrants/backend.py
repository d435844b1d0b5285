"""The backend protocol and the registry of backends found through the ``quadrants.backends`` entry points.

A backend package exposes one object (the entry point's target, or a zero-argument callable returning it) that
implements :class:`Backend`. Core never imports a backend package by name: it only walks the entry-point group, so a
third-party backend installs like ours.

Data flow of one launch (see DESIGN.md §2)::

    program = frontend(...)                       # quadrants.ir.nodes.Program
    artifact = backend.compile(program, options)  # bytes-like or any picklable object
    exe = backend.load(artifact)                  # Executable
    ctx = exe.begin(args)                         # args: one value per Program.args entry
    exe.run_task(ctx, item)                       # for every task item, driven by the graph runner
    exe.read_i32(ctx, arg_index)                  # do_while conditions / checkpoint flags
    values = exe.end(ctx)                         # return values (tuple), raises pending run-time errors
"""

from __future__ import annotations

import importlib.metadata
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
    "discover_backends",
    "load_backend",
]

ENTRY_POINT_GROUP = "quadrants.backends"


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
    """Backend-owned storage of one ndarray."""

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

    # Optional fast path: ``launch(args) -> tuple`` runs every item of a program that has no graph nodes
    # (no DoWhile / Checkpoint) and returns the return values; core calls it instead of begin/run_task/end.


class Backend(Protocol):
    """The object a backend package registers under the ``quadrants.backends`` entry-point group."""

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
    found: dict[str, Any] = {}
    for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        backend = load_backend(ep)
        if backend is not None:
            found[backend.id] = backend
    return found
