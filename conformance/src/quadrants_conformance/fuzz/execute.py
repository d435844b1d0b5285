"""Run one rendered program on one backend: write it to a file, import it, ``qd.init``, call ``run()``.

The outcome is an :class:`Outcome`: the returned observables, or the exception, plus the printed IR of the compiled
kernels (``quadrants.introspect.compiled_programs()``) and, when asked, the backend's own code: the LLVM IR of
``llvm-*`` artifacts (``artifact.ir_text``) or the WGSL of ``wgpu`` artifacts (``artifact.emitted.shaders[*].wgsl``),
captured by wrapping ``backend.compile`` for the duration of the run.
"""

from __future__ import annotations

import contextlib
import importlib.util
import itertools
import sys
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["Outcome", "load_module", "run_source", "run_module", "backend_code"]

_names = itertools.count()


@dataclass
class Outcome:
    """What one run produced."""

    backend: str
    value: Any = None
    error: BaseException | None = None
    programs: list[tuple[str, str]] = field(default_factory=list)
    code: list[tuple[str, str]] = field(default_factory=list)  # (label, LLVM IR or WGSL)

    @property
    def ok(self) -> bool:
        return self.error is None

    def error_text(self) -> str:
        return f"{type(self.error).__name__}: {self.error}" if self.error is not None else ""


def load_module(path: Path):
    """Import the file at ``path`` under a fresh module name."""
    name = f"quadrants_fuzz_prog_{next(_names)}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    finally:
        sys.modules.pop(name, None)
    return module


def backend_code(artifact: Any) -> list[tuple[str, str]]:
    """The backend code inside a compiled artifact, when the backend keeps it (LLVM IR text, WGSL shaders)."""
    out = []
    text = getattr(artifact, "ir_text", None)
    if isinstance(text, str):
        out.append(("LLVM IR", text))
    emitted = getattr(artifact, "emitted", None)
    for k, shader in enumerate(getattr(emitted, "shaders", ()) or ()):
        wgsl = getattr(shader, "wgsl", None)
        if isinstance(wgsl, str):
            out.append((f"WGSL task {k}", wgsl))
    return out


@contextlib.contextmanager
def _capture_code(backend: Any, sink: list[tuple[str, str]]):
    original = backend.compile

    def compile_and_keep(*args, **kwargs):
        artifact = original(*args, **kwargs)
        with contextlib.suppress(Exception):
            sink.extend(backend_code(artifact))
        return artifact

    try:
        backend.compile = compile_and_keep
    except (AttributeError, TypeError):  # a backend object that does not allow it: no code in the repro
        yield
        return
    try:
        yield
    finally:
        with contextlib.suppress(AttributeError):
            del backend.compile  # back to the class attribute


def run_module(module: Any, backend: str, keep_code: bool = False, **init_options: Any) -> Outcome:
    """``qd.init(arch=backend, **init_options)`` then ``module.run()``."""
    import quadrants as qd
    from quadrants import introspect

    out = Outcome(backend)
    try:
        session = qd.init(arch=backend, **init_options)
        capture = _capture_code(session.backend, out.code) if keep_code else contextlib.nullcontext()
        with capture, warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out.value = module.run()
            sync = getattr(qd, "sync", None)
            if callable(sync):
                sync()
    except Exception as exc:  # a program error is an observable, compared between the two sides
        out.error = exc
    with contextlib.suppress(Exception):
        out.programs = [(str(n), str(t)) for n, t in introspect.compiled_programs()]
    return out


def run_source(source: str, path: Path, backend: str, keep_code: bool = False, **init_options: Any) -> Outcome:
    """Write ``source`` to ``path``, import it and run it on ``backend``."""
    path.write_text(source)
    try:
        module = load_module(path)
    except Exception as exc:
        return Outcome(backend, error=exc)
    return run_module(module, backend, keep_code, **init_options)
