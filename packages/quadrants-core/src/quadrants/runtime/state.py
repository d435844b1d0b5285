"""Runtime state: which backend runs kernels, with which options, and ``qd.init`` / ``qd.reset``.

The user-facing API is global (``qd.init`` selects a backend for the process), so exactly one object,
:data:`RUNTIME`, holds the current :class:`Session`. Everything else receives the session it works with as an explicit
argument; nothing below reads module state behind the caller's back.
"""

from __future__ import annotations

import itertools
import warnings
from dataclasses import dataclass, field
from typing import Any

from quadrants import config
from quadrants.backend import CompileOptions, discover_backends, load_by_id
from quadrants.ir import dtypes
from quadrants.ir.dtypes import DataType

__all__ = ["Arch", "ARCHS", "Session", "RUNTIME", "init", "reset", "sync", "current_session"]


@dataclass(frozen=True)
class Arch:
    """An arch name users pass to ``qd.init(arch=...)``; ``backends`` lists candidate backend ids in order."""

    name: str
    backends: tuple[str, ...]
    gpu: bool = False

    def __repr__(self) -> str:
        return f"qd.{self.name}"

    def __str__(self) -> str:
        return self.name


_GPU_BACKENDS = ("llvm-cuda", "llvm-amdgpu", "wgpu")

ARCHS: dict[str, Arch] = {
    a.name: a
    for a in (
        Arch("ref", ("ref",)),
        Arch("python", ("ref",)),
        Arch("cpu", ("llvm-cpu",)),
        Arch("x64", ("llvm-cpu",)),
        Arch("arm64", ("llvm-cpu",)),
        Arch("cuda", ("llvm-cuda",), gpu=True),
        Arch("amdgpu", ("llvm-amdgpu",), gpu=True),
        Arch("vulkan", ("wgpu",), gpu=True),
        Arch("metal", ("wgpu",), gpu=True),
        Arch("gpu", _GPU_BACKENDS, gpu=True),
    )
}

# qd.init() without an arch: the best available backend
_DEFAULT_ORDER = (*_GPU_BACKENDS, "llvm-cpu", "ref")

_KNOWN_INIT_OPTIONS = frozenset(
    {
        # accepted for compatibility with upstream programs; they do not change our semantics
        "offline_cache",
        "offline_cache_file_path",
        "src_ll_cache",
        "print_non_pure",
        "log_level",
        "verbose",
        "kernel_profiler",
        "device_memory_GB",
        "device_memory_fraction",
        "advanced_optimization",
        "cpu_max_num_threads",
        "opt_level",
        "print_ir",
        "check_out_of_bound",
        "random_seed",
        "packed",
        "dynamic_index",
    }
)

_generation = itertools.count(1)


@dataclass
class Session:
    """One ``qd.init`` epoch: the backend, the compile options and the caches that die with it."""

    backend: Any
    arch: Arch | None
    options: CompileOptions
    default_ip: DataType = dtypes.i32
    default_fp: DataType = dtypes.f32
    env: config.Env = field(default_factory=config.read_env)
    extra: dict[str, Any] = field(default_factory=dict)
    generation: int = field(default_factory=lambda: next(_generation))
    warned_sites: set = field(default_factory=set)
    compiled: list = field(default_factory=list)  # (kernel name, printed IR) for introspection / repro blocks

    @property
    def backend_id(self) -> str:
        return self.backend.id


class _Runtime:
    """Holder of the current session (the only process-wide state)."""

    def __init__(self) -> None:
        self.session: Session | None = None
        self._backends: dict[str, Any] | None = None  # every backend, once something asked for all of them
        self._loaded: dict[str, Any] = {}  # backends loaded one by one (importing a backend can be slow)

    def backends(self) -> dict[str, Any]:
        if self._backends is None:
            self._backends = discover_backends()
        return self._backends

    def backend(self, backend_id: str) -> Any | None:
        """One backend by id, importing only its package (:func:`quadrants.backend.load_by_id`)."""
        if self._backends is not None:
            return self._backends.get(backend_id)
        if backend_id not in self._loaded:
            self._loaded[backend_id] = load_by_id(backend_id)
        return self._loaded[backend_id]


RUNTIME = _Runtime()


def _resolve_arch(arch) -> tuple[Arch | None, list[str]]:
    if arch is None:
        return None, list(_DEFAULT_ORDER)
    if isinstance(arch, Arch):
        return arch, list(arch.backends)
    if isinstance(arch, str):
        if arch in ARCHS:
            return ARCHS[arch], list(ARCHS[arch].backends)
        return None, [arch]  # a backend id such as "llvm-cpu": no fallback
    raise TypeError(f"qd.init(arch=...) expects an arch such as qd.cpu or a backend id string, got {arch!r}")


def _pick_backend(arch, explicit_id: bool) -> Any:
    _, candidates = _resolve_arch(arch)
    reasons = []
    for backend_id in candidates:
        backend = RUNTIME.backend(backend_id)
        if backend is None:
            reasons.append(f"{backend_id}: not installed")
            continue
        availability = backend.probe()
        if availability.available and not (arch is None and availability.software):
            return backend  # qd.init() without an arch never picks a software emulation of a GPU
        reasons.append(f"{backend_id}: {availability.reason or 'software emulation'}")
    if explicit_id:
        raise RuntimeError(
            f"backend {arch!r} is not available ({'; '.join(reasons)}); `python -m quadrants doctor` lists backends"
        )
    for backend_id in _DEFAULT_ORDER:  # upstream behaviour: fall back to what works, with a warning
        backend = RUNTIME.backend(backend_id)
        if backend is not None and backend.probe().available:
            if arch is not None:
                warnings.warn(
                    f"arch={arch} is not available ({'; '.join(reasons)}); falling back to {backend_id}", stacklevel=3
                )
            return backend
    raise RuntimeError("no Quadrants backend is available; install quadrants-ref")


def init(
    arch=None,
    *,
    debug: bool = False,
    fast_math: bool = False,
    default_ip: DataType | None = None,
    default_fp: DataType | None = None,
    lane_order: str | None = None,
    seed: int = 0,
    check_races: bool | None = None,
    **options,
) -> Session:
    """Start a new session on ``arch`` (``qd.ref``, ``qd.cpu``, ``qd.gpu``, …, or a backend id such as ``"ref"``).

    Arrays and compiled kernels of the previous session become invalid. ``debug=True`` enables ``assert`` and
    run-time checks (SEMANTICS.md §15); ``fast_math=True`` allows value-changing float rewrites (§4.4).
    ``check_races=True`` (reference backend; default ``QD_CHECK_RACES``) raises ``QuadrantsRuntimeError`` for two
    iterations of a parallel loop that conflict on an ndarray element without atomics; other backends ignore it.
    """
    unknown = set(options) - _KNOWN_INIT_OPTIONS
    if unknown:
        raise TypeError(f"qd.init() got unexpected keyword argument(s): {', '.join(sorted(unknown))}")
    env = config.read_env()
    if arch is None and env.arch:
        arch = env.arch
    explicit = isinstance(arch, str) and arch not in ARCHS
    backend = _pick_backend(arch, explicit)
    order = lane_order or env.lane_order or "ascending"
    if order not in ("ascending", "reversed", "shuffled"):
        raise ValueError(f"lane_order must be 'ascending', 'reversed' or 'shuffled', got {order!r}")
    ip = default_ip or dtypes.i32
    fp = default_fp or dtypes.f32
    if not (isinstance(ip, DataType) and ip.kind == "int"):
        raise TypeError(f"default_ip must be a signed integer type such as qd.i64, got {ip!r}")
    if not (isinstance(fp, DataType) and fp.is_float):
        raise TypeError(f"default_fp must be a float type such as qd.f64, got {fp!r}")
    session = Session(
        backend=backend,
        arch=_resolve_arch(arch)[0],
        options=CompileOptions(
            debug=bool(debug),
            fast_math=bool(fast_math),
            lane_order=order,
            seed=int(seed),
            check_races=bool(env.check_races if check_races is None else check_races),
        ),
        default_ip=ip,
        default_fp=fp,
        env=env,
        extra=dict(options),
    )
    RUNTIME.session = session
    return session


def reset() -> None:
    """End the current session: arrays and compiled kernels become invalid until the next ``qd.init``."""
    RUNTIME.session = None


def sync() -> None:
    """Wait until every launch and copy queued by the current session has finished (GPU backends queue work)."""
    session = RUNTIME.session
    backend_sync = getattr(session.backend, "sync", None) if session is not None else None
    if callable(backend_sync):
        backend_sync()


def current_session() -> Session:
    """The current session, starting a default one (like upstream) when ``qd.init`` was never called."""
    if RUNTIME.session is None:
        init()
    return RUNTIME.session
