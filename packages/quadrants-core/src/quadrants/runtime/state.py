"""Runtime state: which backend runs kernels, with which options, and ``qd.init`` / ``qd.reset``.

The user-facing API is global (``qd.init`` selects a backend for the process), so exactly one object,
:data:`RUNTIME`, holds the current :class:`Session`. Everything else receives the session it works with as an explicit
argument; nothing below reads module state behind the caller's back.
"""

from __future__ import annotations

import dataclasses
import itertools
import platform
from dataclasses import dataclass, field
from typing import Any

from quadrants import config, log_levels
from quadrants.backend import CompileOptions, discover_backends, load_by_id
from quadrants.errors import user_api, warn_user
from quadrants.init_options import OPTIONS, UPSTREAM_API_VERSION, unknown_option_error
from quadrants.ir import dtypes
from quadrants.ir.dtypes import DataType

__all__ = [
    "Arch",
    "ARCHS",
    "host_arch_name",
    "Session",
    "RUNTIME",
    "init",
    "reset",
    "end_session",
    "materialize",
    "sync",
    "current_session",
]


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


class RefArch(Arch):
    """``qd.ref``: the reference interpreter's arch. Upstream's ``qd.ref`` is the by-reference parameter annotation of
    a ``qd.real_func`` (``def f(a: qd.ref(qd.f32))``), so calling it with a type gives that annotation
    (``qd.types.ref``, docs/misc-functions.md); as an arch it is used uncalled."""

    def __call__(self, tp):
        from quadrants.frontend.annotations import ref

        return ref(tp)


def host_arch_name() -> str:
    """``x64`` or ``arm64``: the arch upstream calls the host CPU (``qd.cpu`` is that arch)."""
    return "arm64" if platform.machine().lower() in ("arm64", "aarch64") else "x64"


_GPU_BACKENDS = ("llvm-cuda", "llvm-amdgpu", "wgpu")

ARCHS: dict[str, Arch] = {
    a.name: a
    for a in (
        RefArch("ref", ("ref",)),
        Arch("python", ("ref",)),
        Arch("x64", ("llvm-cpu",)),
        Arch("arm64", ("llvm-cpu",)),
        Arch("cuda", ("llvm-cuda",), gpu=True),
        Arch("amdgpu", ("llvm-amdgpu",), gpu=True),
        Arch("vulkan", ("wgpu",), gpu=True),
        Arch("metal", ("wgpu",), gpu=True),
        Arch("gpu", _GPU_BACKENDS, gpu=True),
    )
}
# As upstream: qd.cpu *is* the host's CPU arch (qd.cpu == qd.x64 on an x86-64 machine), so programs that compare
# ``qd.cfg.arch`` with either spelling agree.
ARCHS["cpu"] = ARCHS[host_arch_name()]

# qd.init() without an arch: the best available backend
_DEFAULT_ORDER = (*_GPU_BACKENDS, "llvm-cpu", "ref")

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
    last_launch: tuple | None = None  # (Compiled, RunState or None) of the latest kernel launch, for introspection
    random_state: Any = None  # device u32[4] of qd.random streams (runtime/random_state.py), made on first use
    scratch: dict = field(default_factory=dict)  # qd.simt block arrays by token (runtime/simt_scratch.py)
    profiler: Any = None  # kernel launch times of qd.init(kernel_profiler=True) (runtime/profiler.py)

    @property
    def backend_id(self) -> str:
        return self.backend.id


class _Runtime:
    """Holder of the current session (the only process-wide state)."""

    def __init__(self) -> None:
        self.session: Session | None = None
        self._backends: dict[str, Any] | None = None  # every backend, once something asked for all of them
        self._loaded: dict[str, Any] = {}  # backends loaded one by one (importing a backend can be slow)
        # Upstream's runtime object has ``materialize`` and ``clear`` methods that programs patch (Genesis defers
        # field fills to the next materialization); the compatibility handle (compat/runtime_handle.py) registers
        # itself here so that this runtime calls them where upstream's does: materialize before compiling a kernel
        # and at the first host access of a field, clear on qd.init / qd.reset.
        self.materialize_hooks: list = []
        self.reset_hooks: list = []

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


def _pick_backend(arch, explicit_id: bool, fallback: bool = True) -> Any:
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
    if explicit_id or (arch is not None and not fallback):
        why = "" if explicit_id else " and qd.init(enable_fallback=False) forbids falling back"
        raise RuntimeError(
            f"backend {arch!r} is not available ({'; '.join(reasons)}){why}; `python -m quadrants doctor` lists "
            "backends"
        )
    for backend_id in _DEFAULT_ORDER:  # upstream behaviour: fall back to what works, with a warning
        backend = RUNTIME.backend(backend_id)
        if backend is not None and backend.probe().available:
            if arch is not None:
                warn_user(f"arch={arch} is not available ({'; '.join(reasons)}); falling back to {backend_id}")
            return backend
    raise RuntimeError("no Quadrants backend is available; install quadrants-ref")


def _default_type(value, kind: str, name: str) -> DataType:
    """``default_ip`` / ``default_fp``: a DataType, or a type name read from ``QD_DEFAULT_IP`` / ``QD_DEFAULT_FP``."""
    if isinstance(value, str):
        value = getattr(dtypes, value)
    ok = isinstance(value, DataType) and (value.kind == "int" if kind == "int" else value.is_float)
    if not ok:
        example = "qd.i64" if kind == "int" else "qd.f64"
        what = "a signed integer" if kind == "int" else "a float"
        raise TypeError(f"{name} must be {what} type such as {example}, got {value!r}")
    return value


def _check_version(required: str) -> None:
    """``qd.init(require_version="1.2")``: this implementation follows upstream's API of UPSTREAM_API_VERSION."""
    digits = required.split("+")[0].split("-")[0]
    try:
        wanted = tuple(int(p) for p in digits.split(".")[:3])
    except ValueError:
        raise ValueError(f"require_version={required!r}: expected major.minor[.patch]") from None
    have = tuple(int(p) for p in UPSTREAM_API_VERSION.split("."))
    if len(wanted) < 2 or wanted[0] != have[0] or wanted > have:
        raise Exception(  # upstream raises a bare Exception with this wording
            f"Quadrants version mismatch. Required version >= {required}, installed version = "
            f"{UPSTREAM_API_VERSION} (the upstream API this implementation follows)."
        )


@user_api
def init(
    arch=None,
    default_fp: DataType | None = None,
    default_ip: DataType | None = None,
    *,
    debug: bool | None = None,
    fast_math: bool | None = None,
    lane_order: str | None = None,
    seed: int | None = None,
    check_races: bool | None = None,
    **options,
) -> Session:
    """Start a new session on ``arch`` (``qd.ref``, ``qd.cpu``, ``qd.gpu``, …, or a backend id such as ``"ref"``).

    Arrays and compiled kernels of the previous session become invalid. ``debug=True`` enables ``assert`` and
    run-time checks (docs/semantics.md §15); ``fast_math=True`` allows value-changing float rewrites (§4.4).
    ``check_races=True`` (reference backend; default ``QD_CHECK_RACES``) raises ``QuadrantsRuntimeError`` for two
    iterations of a parallel loop that conflict on an ndarray element without atomics; other backends ignore it.
    Every other option upstream accepts is accepted too; ``docs/configuration.md`` lists them and says which ones
    change something here. A misspelled option raises ``KeyError`` naming the nearest valid one.
    """
    unknown = set(options) - OPTIONS.keys()
    if unknown:
        raise unknown_option_error(unknown)
    if RUNTIME.session is not None:
        for hook in tuple(RUNTIME.reset_hooks):  # upstream's qd.init clears the previous program first
            hook()
    env = config.read_env()
    given = {"debug": debug, "fast_math": fast_math, "seed": seed, "default_ip": default_ip, "default_fp": default_fp}
    given = {**{k: v for k, v in given.items() if v is not None}, **options}
    values = {**config.read_init_options(), **given}  # an argument wins over its QD_<NAME> variable
    if values.get("require_version") is not None:
        _check_version(str(values["require_version"]))
    if arch is None and env.arch:
        arch = env.arch
    explicit = isinstance(arch, str) and arch not in ARCHS
    backend = _pick_backend(arch, explicit, bool(values.get("enable_fallback", True)))
    order = lane_order or env.lane_order or "ascending"
    if order not in ("ascending", "reversed", "shuffled"):
        raise ValueError(f"lane_order must be 'ascending', 'reversed' or 'shuffled', got {order!r}")
    if values.get("print_full_traceback"):
        env = dataclasses.replace(env, full_traceback=True)
    if "log_level" in values:
        log_levels.set_logging_level(values["log_level"])
    compile_fields = ("debug", "fast_math", "seed", "default_ip", "default_fp")
    session = Session(
        backend=backend,
        arch=_resolve_arch(arch)[0],
        options=CompileOptions(
            debug=bool(values.get("debug", False)),
            fast_math=bool(values.get("fast_math", False)),
            lane_order=order,
            seed=int(values.get("seed", 0)),
            check_races=bool(env.check_races if check_races is None else check_races),
        ),
        default_ip=_default_type(values.get("default_ip", dtypes.i32), "int", "default_ip"),
        default_fp=_default_type(values.get("default_fp", dtypes.f32), "float", "default_fp"),
        env=env,
        extra={k: v for k, v in values.items() if k not in compile_fields},
    )
    configure = getattr(backend, "configure", None)
    if callable(configure):  # run-time options of the backend (llvm-cpu: cpu_max_num_threads), never cache-keyed
        # the cache folder resolved as fastcache resolves it (option, QD_OFFLINE_CACHE_FILE_PATH, QD_CACHE_DIR, ~)
        cache_dir = session.extra.get("offline_cache_file_path") or str(session.env.cache_dir)
        configure({**session.extra, "offline_cache_file_path": cache_dir})
    RUNTIME.session = session
    return session


def reset() -> None:
    """End the current session: arrays and compiled kernels become invalid until the next ``qd.init``."""
    for hook in tuple(RUNTIME.reset_hooks):
        hook()
    end_session()


def end_session() -> None:
    """What :func:`reset` does once its hooks ran: forget the current session."""
    RUNTIME.session = None


def materialize() -> None:
    """Run the materialize hooks (see ``_Runtime.materialize_hooks``); nothing to do when none is registered."""
    for hook in tuple(RUNTIME.materialize_hooks):
        hook()


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
