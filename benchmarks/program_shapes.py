"""Source generators for programs of a given size (the "blow-up" shapes of the reliability issue).

Each generator returns ``(source, kernel name, arguments)`` for a module that defines one kernel; the benchmarks and
the tests write the source to a file (kernels must come from a file) and import it.
"""

from __future__ import annotations

import importlib.util
import itertools
import tempfile
from pathlib import Path

import numpy as np

__all__ = ["SHAPES", "load_kernel"]

_HEADER = "import quadrants as qd\n\n\n"
_counter = itertools.count()


def long_expression(n: int):
    """One return expression of ``n`` terms ``x[i % 4] * i``."""
    terms = " + ".join(f"x[{i % 4}] * {i}" for i in range(n))
    src = _HEADER + f"@qd.kernel\ndef k(x: qd.types.NDArray[qd.f32, 1]) -> qd.f32:\n    return {terms}\n"
    return src, (np.ones(4, np.float32),), float(sum(range(n)))


def nested_funcs(n: int):
    """A chain of ``n`` ``@qd.func`` calls, each calling the previous one."""
    src = _HEADER + "@qd.func\ndef f0(x):\n    return x + 1\n\n\n"
    for i in range(1, n):
        src += f"@qd.func\ndef f{i}(x):\n    return f{i - 1}(x) + 1\n\n\n"
    src += f"@qd.kernel\ndef k(a: qd.i32) -> qd.i32:\n    return f{n - 1}(a)\n"
    return src, (1,), n + 1


def many_parameters(n: int):
    """A kernel with ``n`` scalar parameters returning their sum."""
    params = ", ".join(f"a{i}: qd.i32" for i in range(n))
    total = " + ".join(f"a{i}" for i in range(n))
    return _HEADER + f"@qd.kernel\ndef k({params}) -> qd.i32:\n    return {total}\n", tuple(range(n)), sum(range(n))


def many_statements(n: int):
    """``n`` statements ``s += x[i]`` in one kernel."""
    body = "\n".join(f"    s += x[{i}]" for i in range(n))
    src = _HEADER + f"@qd.kernel\ndef k(x: qd.types.NDArray[qd.i32, 1]) -> qd.i32:\n    s = 0\n{body}\n    return s\n"
    return src, (np.arange(n, dtype=np.int32),), sum(range(n))


SHAPES = {
    "long_expression": long_expression,
    "nested_funcs": nested_funcs,
    "many_parameters": many_parameters,
    "many_statements": many_statements,
}


def load_kernel(source: str):
    """Write ``source`` to a fresh file, import it, and return its kernel ``k``."""
    path = Path(tempfile.mkdtemp(prefix="qd-shape-")) / f"shape_{next(_counter)}.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.k
