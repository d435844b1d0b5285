"""Write the public names of upstream Quadrants (the ``quadrants`` package on PyPI) to ``upstream_public_names.txt``.

Run it with an interpreter whose ``import quadrants`` is **upstream** (never this project), for example a separate
virtual environment made with ``python -m venv /tmp/upstream && /tmp/upstream/bin/pip install quadrants==1.3.3``::

    /tmp/upstream/bin/python packages/quadrants-core/tests/api/dump_upstream_names.py

It imports upstream and lists, section by section, the names a program can reach; ``test_public_names.py`` compares
them with this project's names and with the out-of-scope and pending lists of ``docs/api-coverage.md``.

What a section lists (the ``SECTIONS`` table picks one rule per section):

* ``dir``: every name of ``dir(module)`` that does not start with ``_``. Used for the namespaces users type
  (``qd``, ``qd.math``, ``qd.types``, …), whose re-exports are part of their API.
* ``all``: the module's own ``__all__``. Used for modules whose ``dir()`` is mostly upstream's implementation imports
  (the ``qd.lang`` compatibility modules, ``qd.simt`` submodules).
* ``own``: the names of ``dir()`` whose object is defined in the module's own package (a class or function whose
  ``__module__`` starts with the module's name, a submodule) or is a plain constant. Used for modules without
  ``__all__`` that import many helpers.

Every rule drops foreign objects: modules and classes/functions defined outside ``quadrants`` (``np``, ``functools``,
``typing.Any``, …), which are implementation imports and not API.
"""

from __future__ import annotations

import importlib
import sys
import types
from pathlib import Path

OUT = Path(__file__).with_name("upstream_public_names.txt")

# (section as users write it, module path, rule)
SECTIONS: list[tuple[str, str, str]] = [
    ("qd", "quadrants", "dir"),
    ("qd.math", "quadrants.math", "dir"),
    ("qd.types", "quadrants.types", "dir"),
    ("qd.types.primitive_types", "quadrants.types.primitive_types", "dir"),
    ("qd.types.enums", "quadrants.types.enums", "all"),
    ("qd.graph", "quadrants.lang.graph", "dir"),
    ("qd.linalg", "quadrants.linalg", "own"),
    ("qd.algorithms", "quadrants.algorithms", "all"),
    ("qd.simt", "quadrants.lang.simt", "dir"),
    ("qd.simt.warp", "quadrants.lang.simt.warp", "all"),
    ("qd.simt.subgroup", "quadrants.lang.simt.subgroup", "all"),
    ("qd.simt.block", "quadrants.lang.simt.block", "own"),
    ("qd.simt.grid", "quadrants.lang.simt.grid", "own"),
    ("qd.tools", "quadrants.tools", "own"),
    ("qd.profiler", "quadrants.profiler", "own"),
    ("qd.experimental", "quadrants.experimental", "all"),
    ("qd.ad", "quadrants.ad", "own"),
    ("qd.sparse", "quadrants.sparse", "own"),
    ("qd.interop", "quadrants.interop", "own"),
    ("qd.lang", "quadrants.lang", "dir"),
    ("qd.lang.impl", "quadrants.lang.impl", "all"),
    ("qd.lang.misc", "quadrants.lang.misc", "all"),
    ("qd.lang.util", "quadrants.lang.util", "own"),
    ("qd.lang.exception", "quadrants.lang.exception", "all"),
    ("qd.lang.ops", "quadrants.lang.ops", "all"),
    ("qd.lang.kernel_arguments", "quadrants.lang.kernel_arguments", "own"),
    ("qd.lang._kernel_types", "quadrants.lang._kernel_types", "own"),
    ("qd.lang._wrap_inspect", "quadrants.lang._wrap_inspect", "all"),
]


def _defined_in(value) -> str | None:
    """The module that defines ``value`` (a module, class, function or callable object), or ``None`` for plain
    constants (numbers, sets, lists of axes, …)."""
    if isinstance(value, types.ModuleType):
        return value.__name__
    try:
        home = getattr(value, "__module__", None)
    except Exception:  # objects whose __getattr__ needs an initialised runtime
        return None
    return home if isinstance(home, str) else None


def _foreign(value) -> bool:
    home = _defined_in(value)
    if home is None:
        return type(value).__module__.split(".")[0] not in ("builtins", "quadrants")
    return home.split(".")[0] not in ("quadrants", "builtins")


def _names(module, rule: str) -> list[str]:
    if rule == "all":
        names = list(module.__all__)
    else:
        names = [n for n in dir(module) if not n.startswith("_")]
    kept = []
    for name in names:
        value = getattr(module, name)
        if _foreign(value):
            continue
        if rule == "own":
            home = _defined_in(value)
            if home is not None and not home.startswith(module.__name__):
                continue
        kept.append(name)
    return sorted(set(kept))


def main() -> None:
    import quadrants

    version = ".".join(map(str, quadrants.__version__)) if isinstance(quadrants.__version__, tuple) else "?"
    lines = [
        f"# Public names of upstream quadrants {version}, written by dump_upstream_names.py (see its docstring).",
        "# One section per namespace; docs/api-coverage.md lists the names this project leaves out and why.",
    ]
    for section, path, rule in SECTIONS:
        module = importlib.import_module(path)
        names = _names(module, rule)
        lines.append("")
        lines.append(f"[{section}]  # {path}, rule {rule}")
        lines.extend(names)
        print(f"{section}: {len(names)} names", file=sys.stderr)
    OUT.write_text("\n".join(lines) + "\n")
    print(f"wrote {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
