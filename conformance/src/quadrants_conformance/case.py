"""The case vocabulary of the conformance suite.

A case is a zero-argument function in a ``cases/test_*.py`` module, decorated with :func:`case`. It imports
``quadrants as qd`` at module level, defines its kernels *inside* the function (so every run compiles afresh for the
backend under test), runs them, and returns a dict of observables (NumPy arrays, Python scalars, tuples). The harness
calls ``qd.init(arch=<backend>, debug=<case.debug>)`` before each run, runs the case on the reference backend and on
the backend under test, checks the reference run against ``golden`` and compares the two runs observable by
observable with the rules of :mod:`quadrants_conformance.compare` and the row ``tol`` of the tolerance table.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Case", "case", "REGISTRY"]


@dataclass(frozen=True)
class Case:
    """Metadata of one conformance case (see :func:`case`)."""

    fn: Callable[[], Any]
    id: str
    golden: dict[str, Any] | None = None
    requires: tuple[str, ...] = ()
    raises: tuple[type, str] | None = None
    warns: tuple[type, str] | None = None
    stdout: str | re.Pattern | None = None
    tol: str = "exact"
    debug: bool = False
    section: str = ""
    stream: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)


REGISTRY: dict[str, Case] = {}


def case(
    fn: Callable | None = None,
    *,
    golden: dict[str, Any] | None = None,
    requires: tuple[str, ...] | list[str] = (),
    raises: tuple[type, str] | None = None,
    warns: tuple[type, str] | None = None,
    stdout: str | re.Pattern | None = None,
    tol: str = "exact",
    debug: bool = False,
    section: str = "",
    stream: tuple[str, ...] | list[str] = (),
):
    """Declare a conformance case.

    * ``golden``: expected observables of the reference run (``{"x": [1, 2], "r": 5}``); every key must be returned.
    * ``requires``: capability names the backend must support (``"f64"``, ``"i64"``, ``"atomic:f32"``, ``"print"``);
      a backend lacking one reports the case as ``unsupported`` (skipped, with the capability named).
    * ``raises``: ``(ExceptionClass, "message fragment")``: the case must raise it on every backend; for compile
      errors the message must also name the case's file (the user's line).
    * ``warns``: ``(WarningClass, "message fragment")``: the case must emit it.
    * ``stdout``: exact text the case must print (kernel ``print``), or a compiled regular expression the whole text
      must match (for text that names the case's file, such as debug overflow reports).
    * ``tol``: row of the tolerance table used for float observables (``"exact"``, ``"transcendental"``, …).
    * ``debug``: run under ``qd.init(debug=True)``.
    * ``section``: the docs/semantics.md section the case checks (``"4.3"``), for reports.
    * ``stream``: names of observables whose values are draws from ``qd.random``'s stream. Backends of this
      implementation share one stream, so the conformance run compares them by value; upstream's stream is its own
      (and differs between its backends), so the parity run compares only their shape and dtype (docs/parity.md).
    """

    def wrap(f: Callable) -> Case:
        c = Case(
            fn=f,
            id=f.__name__,
            golden=golden,
            requires=tuple(requires),
            raises=raises,
            warns=warns,
            stdout=stdout,
            tol=tol,
            debug=debug,
            section=section,
            stream=tuple(stream),
        )
        key = f"{f.__module__}.{f.__name__}"
        REGISTRY[key] = c
        return c

    return wrap(fn) if fn is not None else wrap
