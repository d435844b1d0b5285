"""``load_kernel_from_string``: a kernel defined by source text, imported from a temporary module file.

Kernels need a source file (the frontend and fastcache read it), so the text is written to a temporary directory
and imported as a module named ``kernel_name``; the module is unloaded when the context exits.
"""

from __future__ import annotations

import importlib.util
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

__all__ = ["load_kernel_from_string", "import_kernel_from_file"]


def import_kernel_from_file(kernel_filepath: Path, kernel_name: str):
    """Import ``kernel_filepath`` as module ``kernel_name`` and return its attribute of that name."""
    spec = importlib.util.spec_from_file_location(kernel_name, kernel_filepath)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {kernel_filepath}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[kernel_name] = module
    spec.loader.exec_module(module)
    return getattr(module, kernel_name)


@contextmanager
def load_kernel_from_string(kernel_str: str, kernel_name: str):
    """``with load_kernel_from_string(src, "k") as k: k(...)``: ``src`` defines ``k`` at module level."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{kernel_name}.py"
        path.write_text(kernel_str, encoding="utf-8")
        try:
            yield import_kernel_from_file(path, kernel_name)
        finally:
            sys.modules.pop(kernel_name, None)
