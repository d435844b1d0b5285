"""How the harness reaches Quadrants: backend discovery, ``qd.init`` and IR introspection, behind one small object.

The plugin talks only to a :class:`Driver`. :class:`QuadrantsDriver` is the real one; the harness's own tests swap
in a fake through the ``pytest_conformance_driver`` hook (see :mod:`quadrants_conformance.hooks`), so the plugin can
be tested without a working core. Quadrants is imported lazily: loading the plugin (which pytest does in every run
of this environment) must not import it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

__all__ = ["BackendInfo", "Driver", "QuadrantsDriver"]


@dataclass(frozen=True)
class BackendInfo:
    """What the harness needs to know about one registered backend."""

    id: str
    available: bool
    reason: str = ""
    device: str = ""
    features: frozenset[str] = frozenset()
    supports: Callable[[str], bool] | None = field(default=None, compare=False)

    def supports_requirement(self, requirement: str) -> bool:
        """True when the backend meets ``requirement`` (a capability name such as ``"f64"`` or ``"atomic:f32"``)."""
        if self.supports is not None:
            return bool(self.supports(requirement))
        return requirement in self.features

    @property
    def is_gpu(self) -> bool:
        """GPU backends should run with one xdist worker per device."""
        return "gpu" in self.features


class Driver(Protocol):
    """The operations the plugin needs from Quadrants."""

    def backends(self) -> dict[str, BackendInfo]:
        """Every registered backend by id, probed."""

    def init(self, backend: str, debug: bool, lane_order: str | None) -> None:
        """Reset Quadrants and select ``backend`` (``qd.init``)."""

    def sync(self) -> None:
        """Wait for pending device work (so kernel ``print`` output has arrived)."""

    def compiled_programs(self) -> list[tuple[str, str]]:
        """``(kernel name, printed IR)`` of the kernels compiled since the last :meth:`init`."""

    def versions(self) -> dict[str, str]:
        """Versions of everything that affects results, for the report header."""


class QuadrantsDriver:
    """The real driver: ``quadrants.backend.discover_backends``, ``qd.init`` and ``quadrants.introspect``."""

    def backends(self) -> dict[str, BackendInfo]:
        from quadrants.backend import discover_backends

        found: dict[str, BackendInfo] = {}
        for backend_id, backend in sorted(discover_backends().items()):
            found[backend_id] = _describe(backend_id, backend)
        return found

    def init(self, backend: str, debug: bool, lane_order: str | None) -> None:
        import quadrants as qd

        options: dict[str, Any] = {"arch": backend, "debug": debug}
        if lane_order:
            options["lane_order"] = lane_order
        qd.init(**options)

    def sync(self) -> None:
        import quadrants as qd

        sync = getattr(qd, "sync", None)
        if callable(sync):
            sync()

    def compiled_programs(self) -> list[tuple[str, str]]:
        try:
            from quadrants import introspect
        except ImportError:
            return []
        dump = getattr(introspect, "compiled_programs", None)
        if not callable(dump):
            return []
        try:
            return [(str(name), str(text)) for name, text in dump()]
        except Exception as exc:  # IR is a debugging aid in a repro: never let it hide the real failure
            return [("<unavailable>", f"quadrants.introspect.compiled_programs() raised {exc!r}")]

    def versions(self) -> dict[str, str]:
        import importlib.metadata

        import numpy

        out = {"numpy": numpy.__version__}
        for dist in ("quadrants-core", "quadrants-ref", "quadrants-llvm", "quadrants-wgpu", "quadrants-conformance"):
            try:
                out[dist] = importlib.metadata.version(dist)
            except importlib.metadata.PackageNotFoundError:
                continue
        return out


def _describe(backend_id: str, backend: Any) -> BackendInfo:
    try:
        availability = backend.probe()
        available, reason, device = bool(availability.available), availability.reason, availability.device
    except Exception as exc:  # a probe that crashes means "not available here", with the reason
        available, reason, device = False, f"probe raised {exc!r}", ""
    capabilities = getattr(backend, "capabilities", None)
    features = frozenset(getattr(capabilities, "features", ()) or ())
    supports = getattr(capabilities, "supports", None)
    return BackendInfo(backend_id, available, reason, device, features, supports)
