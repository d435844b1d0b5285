"""Environment configuration: the one module that reads ``QD_*`` environment variables.

Callers read the environment once, at ``qd.init``, with :func:`read_env` and pass the resulting :class:`Env` (or the
values they need) down explicitly; nothing else in Quadrants looks at ``os.environ`` for ``QD_*`` names.

============================  ===================================  ====================================================
variable                      default                              meaning
============================  ===================================  ====================================================
``QD_DUMP_IR``                (empty: dump nothing)                comma-separated pass names after which the IR is
                                                                   printed, or ``all`` for every pass
``QD_LOG``                    (empty: no log channels)             comma-separated log channels: ``cache`` (every
                                                                   fastcache hit/miss/recompile with its reason),
                                                                   ``compile`` (passes and their timings),
                                                                   ``launch`` (each kernel launch)
``QD_FULL_TRACEBACK``         ``0``                                ``1`` keeps compiler-internal frames in tracebacks
                                                                   of compile errors (normally trimmed to user code)
``QD_CACHE_DIR``              ``~/.cache/quadrants``               fastcache directory (the default of
                                                                   ``qd.init(offline_cache_file_path=...)``)
``QD_VERIFY_IR``              ``0``                                ``1`` runs the IR verifier after every pass (the
                                                                   test suites set it; ``debug=True`` implies it)
``QD_ARCH``                   (unset: best available backend)      default arch for ``qd.init()`` without ``arch=``,
                                                                   an arch name such as ``ref``, ``cpu``, ``cuda``,
                                                                   ``vulkan``
``QD_LANE_ORDER``             ``ascending``                        the reference backend's default lane order for
                                                                   parallel loops: ``ascending``, ``reversed`` or
                                                                   ``shuffled`` (exposes order-dependent programs)
``QD_CHECK_RACES``            ``0``                                ``1``: the default of ``qd.init(check_races=...)``;
                                                                   the reference backend reports conflicting
                                                                   accesses of parallel iterations (data races)
``QD_WGPU_DISABLE_FEATURES``  (empty: use every feature offered)   comma-separated wgpu adapter features the wgpu
                                                                   backend must not request (``shader-f64``,
                                                                   ``shader-int64``, ...) or ``all``: keeps its
                                                                   emulations tested on adapters that have them
``QD_WGPU_EXACT_DIV``         (empty: decided per adapter)         ``1``/``0``: force the wgpu backend's correctly
                                                                   rounding f32/f16 division and sqrt on or off (read
                                                                   by the wgpu package)
``QD_CUDA_GRAPHS``            ``1``                                ``0``: llvm-cuda launches every task on its own and
                                                                   runs ``do_while`` on the host (no CUDA graphs)
``QD_CUDADEVRT``              (empty: searched)                    the path of ``libcudadevrt.a`` for llvm-cuda's
                                                                   ``do_while`` graphs (read by the llvm package)
``QD_CUDA_PINNED_ARGS``       ``0``                                ``1``: llvm-cuda stages argument copies in
                                                                   page-locked memory (opt-in: it gained little on
                                                                   an H100; read by the llvm package at device start)
``QD_CUDA_ARG_WRITES``        ``0``                                ``1``: llvm-cuda has the stream write a launch's
                                                                   few changed argument words instead of copying
                                                                   them (opt-in until measured; read at device start)
============================  ===================================  ====================================================

Besides these, every ``qd.init`` option can be given as ``QD_<OPTION>`` (``QD_DEBUG=1``, ``QD_OFFLINE_CACHE=0``,
``QD_DEFAULT_FP=64``), as upstream allows: :func:`read_init_options` parses them by the option's default type
(:mod:`quadrants.init_options`); an argument of ``qd.init`` wins over its variable.

Boolean variables accept ``1``/``true``/``yes``/``on`` and ``0``/``false``/``no``/``off`` (any case; empty means the
default). A malformed value raises :class:`ValueError` naming the variable, so a typo is never silently ignored.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "Env",
    "VARIABLES",
    "LOG_CHANNELS",
    "LANE_ORDERS",
    "read_env",
    "read_init_options",
    "set_variables",
]

VARIABLES: tuple[str, ...] = (
    "QD_DUMP_IR",
    "QD_LOG",
    "QD_FULL_TRACEBACK",
    "QD_CACHE_DIR",
    "QD_VERIFY_IR",
    "QD_ARCH",
    "QD_LANE_ORDER",
    "QD_CHECK_RACES",
    "QD_WGPU_DISABLE_FEATURES",
    "QD_WGPU_EXACT_DIV",  # the variables below are read by the backend packages; listed here for `doctor`
    "QD_CUDA_GRAPHS",
    "QD_CUDADEVRT",
    "QD_CUDA_PINNED_ARGS",
    "QD_CUDA_ARG_WRITES",
)
LOG_CHANNELS: frozenset[str] = frozenset({"cache", "compile", "launch"})
LANE_ORDERS: tuple[str, ...] = ("ascending", "reversed", "shuffled")

_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off", ""})


def _default_cache_dir() -> Path:
    return Path("~/.cache/quadrants").expanduser()


@dataclass(frozen=True)
class Env:
    """The ``QD_*`` settings, parsed. The defaults are what an empty environment gives."""

    dump_ir: frozenset[str] = frozenset()
    log: frozenset[str] = frozenset()
    full_traceback: bool = False
    cache_dir: Path = field(default_factory=_default_cache_dir)
    verify_ir: bool = False
    arch: str | None = None
    lane_order: str = "ascending"
    check_races: bool = False
    wgpu_disable_features: frozenset[str] = frozenset()  # names checked by the wgpu backend, which knows them

    def dumps_ir_after(self, pass_name: str) -> bool:
        """True when ``QD_DUMP_IR`` asks for the IR after pass ``pass_name``."""
        return "all" in self.dump_ir or pass_name in self.dump_ir

    def logs(self, channel: str) -> bool:
        """True when ``QD_LOG`` enables ``channel`` (one of :data:`LOG_CHANNELS`)."""
        return channel in self.log


def read_env(environ: Mapping[str, str] = os.environ) -> Env:
    """Parse the ``QD_*`` variables of ``environ`` into an :class:`Env`.

    Pure apart from reading ``environ``: no caching, no side effects. Raises :class:`ValueError` naming the variable
    when a value is malformed.
    """
    return Env(
        dump_ir=_parse_list(environ.get("QD_DUMP_IR", "")),
        log=_parse_channels(environ.get("QD_LOG", "")),
        full_traceback=_parse_bool("QD_FULL_TRACEBACK", environ.get("QD_FULL_TRACEBACK", "")),
        cache_dir=_parse_cache_dir(environ.get("QD_CACHE_DIR", ""), environ),
        verify_ir=_parse_bool("QD_VERIFY_IR", environ.get("QD_VERIFY_IR", "")),
        arch=environ.get("QD_ARCH", "").strip().lower() or None,
        lane_order=_parse_lane_order(environ.get("QD_LANE_ORDER", "")),
        check_races=_parse_bool("QD_CHECK_RACES", environ.get("QD_CHECK_RACES", "")),
        wgpu_disable_features=_parse_list(environ.get("QD_WGPU_DISABLE_FEATURES", "").lower()),
    )


# options whose variable is already a row of the table above, or that only qd.init's argument can set
_NOT_OPTION_VARIABLES = frozenset({"arch", "lane_order", "check_races"})
_WIDTHS = {"default_ip": {"32": "i32", "64": "i64"}, "default_fp": {"32": "f32", "64": "f64"}}


def read_init_options(environ: Mapping[str, str] = os.environ) -> dict:
    """``{option: value}`` for every ``QD_<OPTION>`` variable set (non-empty) in ``environ``.

    Values are parsed by the type of the option's default (bool, int, float, else str); ``QD_DEFAULT_IP`` and
    ``QD_DEFAULT_FP`` take ``32`` or ``64`` and give a type name (``"i64"``). A malformed value raises ``ValueError``.
    """
    from quadrants.init_options import OPTIONS

    out = {}
    for name, option in OPTIONS.items():
        variable = f"QD_{name.upper()}"
        text = environ.get(variable, "").strip()
        if not text or name in _NOT_OPTION_VARIABLES:
            continue
        if name in _WIDTHS:
            if text not in _WIDTHS[name]:
                raise ValueError(f"{variable}={text!r}: expected 32 or 64")
            out[name] = _WIDTHS[name][text]
        elif isinstance(option.default, bool):
            out[name] = _parse_bool(variable, text)
        elif isinstance(option.default, (int, float)):
            try:
                out[name] = type(option.default)(text)
            except ValueError:
                raise ValueError(f"{variable}={text!r}: expected a {type(option.default).__name__}") from None
        else:
            out[name] = text
    return out


def set_variables(environ: Mapping[str, str] = os.environ) -> dict[str, str]:
    """The known ``QD_*`` variables that are set in ``environ``, in table order (for ``quadrants doctor``)."""
    return {name: environ[name] for name in VARIABLES if name in environ}


def _parse_list(value: str) -> frozenset[str]:
    return frozenset(item.strip() for item in value.split(",") if item.strip())


def _parse_channels(value: str) -> frozenset[str]:
    channels = _parse_list(value.lower())
    unknown = sorted(channels - LOG_CHANNELS)
    if unknown:
        raise ValueError(f"QD_LOG: unknown channel(s) {', '.join(unknown)}; known: {', '.join(sorted(LOG_CHANNELS))}")
    return channels


def _parse_bool(name: str, value: str) -> bool:
    text = value.strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"{name}={value!r}: expected 1 or 0 (or true/false, yes/no, on/off)")


def _parse_cache_dir(value: str, environ: Mapping[str, str]) -> Path:
    text = value.strip() or "~/.cache/quadrants"
    if text == "~" or text.startswith("~/"):
        # Expand against the given mapping's HOME so that read_env stays a function of its argument.
        home = environ.get("HOME")
        base = Path(home) if home else Path.home()
        return base / text[2:] if len(text) > 1 else base
    return Path(text)


def _parse_lane_order(value: str) -> str:
    text = value.strip().lower() or "ascending"
    if text not in LANE_ORDERS:
        raise ValueError(f"QD_LANE_ORDER={value!r}: expected one of {', '.join(LANE_ORDERS)}")
    return text
