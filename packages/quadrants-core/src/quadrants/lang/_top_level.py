"""Names that upstream's compatibility modules share with the top-level ``quadrants`` package.

Upstream's ``quadrants.lang`` (and ``lang.misc``, ``lang.impl``) re-export the very objects users reach as ``qd.<name>``
(``qd.lang.sin is qd.sin``, ``qd.lang.misc.cpu is qd.cpu``). The compatibility modules here list those names and take
them from the facade on first access, so they are the same objects and the facade (which imports ``quadrants.lang``)
is never imported by this package at import time: no import cycle.
"""

from __future__ import annotations

import importlib

__all__ = ["from_top_level", "name_set"]


def name_set(text: str) -> frozenset[str]:
    """The names of a whitespace-separated list (long name tables stay readable)."""
    return frozenset(text.split())


def from_top_level(module: str, names: frozenset[str], name: str):
    """``getattr(quadrants, name)`` when ``name`` is one of ``names``; AttributeError naming ``module`` otherwise."""
    if name in names:
        return getattr(importlib.import_module("quadrants"), name)
    raise AttributeError(f"module {module!r} has no attribute {name!r}")
