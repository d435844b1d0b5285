"""Compatibility module: upstream's ``quadrants.lang.kernel_impl`` (where its decorators live), for programs that import
them from there (``from quadrants.lang.kernel_impl import pyfunc``). Each name forwards to its home:
:mod:`quadrants.runtime.kernel`, :mod:`quadrants.runtime.function_kinds` and :mod:`quadrants.lang.data_oriented`."""

from __future__ import annotations

from quadrants.lang.data_oriented import data_oriented
from quadrants.runtime.function_kinds import pyfunc, real_func
from quadrants.runtime.kernel import Func, Kernel, func, kernel

__all__ = ["kernel", "func", "pyfunc", "real_func", "data_oriented", "Kernel", "Func"]
