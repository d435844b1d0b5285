"""One corpus program: an id, a category, what it should do, and its source."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

__all__ = ["Program", "PROLOGUE", "program"]

# Every program starts with this (unless it sets ``init=False`` to call qd.init itself); ARCH is the backend id.
PROLOGUE = "import sys\nimport numpy as np\nimport quadrants as qd\n\nARCH = sys.argv[1]\n"
INIT = "qd.init(arch=ARCH)\n"


@dataclass(frozen=True)
class Program:
    """``expect`` is ``"error"`` (a clean error at the user's line, of class ``error`` when given) or ``"ok"`` (the
    program runs to its end; it checks its own results with ``assert``)."""

    id: str
    category: str
    expect: str
    source: str
    error: str = ""  # the expected exception class name (any class of the MRO matches), when expect == "error"
    timeout: float = 60.0


def program(pid: str, category: str, body: str, *, expect="error", error="", init=True, timeout=60.0) -> Program:
    """A corpus program: ``body`` after the prologue (and ``qd.init(arch=ARCH)`` unless ``init=False``)."""
    source = PROLOGUE + (INIT if init else "") + "\n" + textwrap.dedent(body).strip() + "\n"
    return Program(pid, category, expect, source, error, timeout)
