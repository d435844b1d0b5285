"""Helpers shared by the graph case modules (``test_graph_do_while*.py``, ``test_graph_errors_*.py`` and
``test_checkpoints*.py``); not a case module itself (its name does not start with ``test_``).

The label enums live here and are imported into the case modules that use them: labels written ``Name.attr`` must be
host names of the kernel (module globals or closure values, docs/semantics.md §17.2.3), and an imported name is one.

Compile errors must be raised at the user's line: :func:`raises_at` checks that the error names the line of the case
file that ends with the comment ``# <marker>`` (the offending statement) and re-raises it, so the case's ``raises``
declaration checks the class and the message fragment. A wrong line turns into an ``AssertionError``, which the case
does not declare, so the case fails and says why. The location is this implementation's standard, not upstream's
(upstream points at the enclosing ``with`` or ``def``, or names no line): under the parity worker, which runs the
cases on upstream (it sets ``QUADRANTS_CONFORMANCE_UPSTREAM``), only the class and the fragment are compared.
"""

import enum
import os
import re

import quadrants as qd

I1 = qd.types.NDArray[qd.i32, 1]
I0 = qd.types.NDArray[qd.i32, 0]
F0 = qd.types.NDArray[qd.f32, 0]

# the message of a qd.graph.do_while() under a runtime if (§16.2), with or without checkpoints
_UNDER_IF = "qd.graph.do_while() cannot appear under a runtime if"


class Stage(enum.IntEnum):
    A = 5
    B = 6


class Phase(enum.IntEnum):
    LOAD = 1
    SIM = 2


def _i0(value: int = 0):
    """A 0-d i32 ndarray holding ``value``."""
    a = qd.ndarray(qd.i32, shape=())
    a[()] = value
    return a


def _i1(n: int = 2):
    """A zeroed 1-d i32 ndarray of ``n`` elements."""
    return qd.ndarray(qd.i32, shape=(n,))


def _st(status):
    """The observable fields of a ``GraphStatus``."""
    return {"yielded": status.yielded, "checkpoint": status.checkpoint, "repr": repr(status)}


def line_of(path: str, marker: str) -> int:
    """1-based line number of the line of ``path`` that ends with the comment ``# <marker>``."""
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, start=1):
            if line.rstrip().endswith("# " + marker):
                return n
    raise LookupError(marker)


def raises_at(path: str, marker, fn, *args, extra: tuple = (), **kwargs):
    """Call ``fn``; a compile error it raises must name the marked line of ``path`` (and contain ``extra``); re-raise.

    ``marker`` is one marker or a tuple of markers, any of whose lines is accepted (for an error about a whole
    kernel, SEMANTICS does not say whether the decorator line or the ``def`` line is "the user's line").
    """
    markers = (marker,) if isinstance(marker, str) else tuple(marker)
    try:
        return fn(*args, **kwargs)
    except qd.QuadrantsCompilationError as exc:
        if os.environ.get("QUADRANTS_CONFORMANCE_UPSTREAM"):
            raise  # upstream's run: the class and the case's fragment only (see the module docstring)
        lines, text = [line_of(path, m) for m in markers], str(exc)
        if not any(re.search(rf"\bline {line}\b", text) for line in lines):
            raise AssertionError(f"the compile error does not point at line(s) {lines} {markers}: {text!r}") from exc
        missing = [e for e in extra if e not in text]
        if missing:
            raise AssertionError(f"the compile error lacks {missing}: {text!r}") from exc
        raise
