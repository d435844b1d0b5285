"""``qd.cfg``: the current session's ``qd.init`` options under upstream's attribute names.

Reading ``qd.cfg.<option>`` gives the value the session runs with: the option given to ``qd.init`` (or its
``QD_<NAME>`` variable), else the default of :data:`quadrants.init_options.OPTIONS`. Assigning changes the session
for what is compiled afterwards (``qd.cfg.fast_math = True``), exactly as upstream's config object does; fastcache
keys follow, since they are computed from the session. ``qd.cfg`` is ``None`` before the first ``qd.init``.
"""

from __future__ import annotations

import dataclasses
import sys

from quadrants.init_options import OPTIONS
from quadrants.runtime.state import ARCHS, host_arch_name

__all__ = ["CompileConfig", "session_arch", "dump_compile_config"]

# CompileOptions fields (quadrants.backend) that qd.cfg reads and writes by the same name
_OPTION_FIELDS = ("debug", "fast_math", "lane_order", "seed", "check_races")


# backend id -> the arch upstream would report for a session running on it
_ARCH_OF_BACKEND = {
    "ref": "ref",
    "llvm-cpu": host_arch_name(),
    "llvm-cuda": "cuda",
    "llvm-amdgpu": "amdgpu",
    "wgpu": "metal" if sys.platform == "darwin" else "vulkan",
}


def session_arch(session):
    """The concrete arch of ``session``: the one asked for, or (``qd.gpu``, no arch) the one its backend runs."""
    arch = session.arch
    if arch is not None and arch.name != "gpu":
        return arch
    name = _ARCH_OF_BACKEND.get(session.backend_id)
    if name is None:  # an out-of-tree backend: the first arch it declares, else the host's (it runs here)
        declared = tuple(getattr(session.backend, "archs", ()) or ())
        name = declared[0] if declared else host_arch_name()
    return ARCHS.get(getattr(name, "name", name), arch)


def _read_special(session, name: str):
    """Attributes the session holds itself (not in ``session.extra``); ``KeyError`` for the others."""
    if name == "arch":
        return session_arch(session)
    if name in ("default_ip", "default_fp"):
        return getattr(session, name)
    if name in _OPTION_FIELDS:
        return getattr(session.options, name)
    if name == "offline_cache_file_path":
        return str(session.extra.get(name) or session.env.cache_dir)
    if name == "print_full_traceback":
        return bool(session.extra.get(name, session.env.full_traceback))
    raise KeyError(name)


class CompileConfig:
    """The live view of one session's options (``qd.cfg``, upstream's ``impl.current_cfg()``)."""

    __slots__ = ("_session",)

    def __init__(self, session) -> None:
        object.__setattr__(self, "_session", session)

    def __getattr__(self, name: str):
        session = object.__getattribute__(self, "_session")
        try:
            return _read_special(session, name)
        except KeyError:
            pass
        if name in OPTIONS:
            return session.extra.get(name, OPTIONS[name].default)
        raise AttributeError(f"qd.cfg has no option {name!r}; docs/configuration.md lists the options")

    def __setattr__(self, name: str, value) -> None:
        session = object.__getattribute__(self, "_session")
        if name == "arch":
            raise AttributeError("qd.cfg.arch is read-only: call qd.init(arch=...) to change the backend")
        if name in ("default_ip", "default_fp"):
            setattr(session, name, value)
        elif name in _OPTION_FIELDS:
            session.options = dataclasses.replace(session.options, **{name: value})
        elif name in OPTIONS:
            session.extra[name] = value
        else:
            raise AttributeError(f"qd.cfg has no option {name!r}; docs/configuration.md lists the options")

    def __dir__(self):
        return sorted({*OPTIONS, "arch", "default_ip", "default_fp", *_OPTION_FIELDS})

    def __repr__(self) -> str:
        session = object.__getattribute__(self, "_session")
        return f"<qd.cfg of a {session.backend_id} session>"


def dump_compile_config() -> None:
    """``qd.dump_compile_config()``: print the current session's options, one ``name=value`` line each, sorted by name
    (upstream's diagnostic for fastcache misses: the cache keys depend on these options). Starts a default session
    when ``qd.init`` was never called, as ``qd.lang.impl.current_cfg()`` does."""
    from quadrants.runtime.state import current_session

    cfg = CompileConfig(current_session())
    print("\n".join(f"{name}={getattr(cfg, name)}" for name in sorted(dir(cfg))))
