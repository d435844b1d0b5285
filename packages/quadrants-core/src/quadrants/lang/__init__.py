"""``quadrants.lang``: upstream's language package path.

The modules here are this implementation's public helpers that live under upstream's paths (``qd.graph``,
``qd.data_oriented``, …) and the compatibility modules whose names upstream programs and tests import
(``impl``, ``misc``, ``util``, ``exception``, ``ops``, …; docs/upstream-compatibility.md lists them). Upstream code
reaches the latter as attributes (``qd.lang.impl.current_cfg()``), so they are imported on first access.
"""

from __future__ import annotations

import importlib

# submodules reachable as attributes of quadrants.lang, imported when first used
_LAZY = frozenset({"impl", "misc", "util", "exception", "ops", "kernel_arguments", "_kernel_types", "_wrap_inspect"})


# names upstream re-exports from quadrants.lang: name -> (module, attribute), imported when first used
_FORWARDED = {
    "random": ("quadrants.frontend.random", "random"),
}


def __getattr__(name: str):
    if name in _LAZY:
        return importlib.import_module(f"{__name__}.{name}")
    if name in _FORWARDED:
        module, attr = _FORWARDED[name]
        return getattr(importlib.import_module(module), attr)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
