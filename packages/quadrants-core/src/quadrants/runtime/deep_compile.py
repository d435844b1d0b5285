"""Compiling programs whose nesting is deeper than Python's default recursion limit allows.

The frontend, the passes, the IR printer and the backends walk expression and call trees recursively: a 900-term
expression, a chain of 150 nested ``@qd.func`` calls or a 250-term sum nest a few thousand Python frames, past the
default limit of 1000. Rather than tax every compile, a compile that fails with ``RecursionError`` is run once more on
a dedicated thread with a large C stack (so deep recursion cannot overflow it) and a high recursion limit.
Ordinary programs never take this path; the result of the retry is the same compile, only with room to recurse.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from typing import TypeVar

__all__ = ["is_depth_failure", "run_with_deep_stack", "STACK_BYTES", "RECURSION_LIMIT"]

T = TypeVar("T")

STACK_BYTES = 1 << 30  # 1 GiB of address space for the compile thread's C stack (committed only as it is used)
RECURSION_LIMIT = 250_000  # about 4 KiB of C stack per Python frame at the worst, well inside STACK_BYTES

_LOCK = threading.Lock()  # the stack size of new threads and the recursion limit are process-wide settings


def is_depth_failure(exc: BaseException) -> bool:
    """True when ``exc`` is, or was caused by, a ``RecursionError`` (compilers wrap internal errors)."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, RecursionError):
            return True
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return False


def run_with_deep_stack(fn: Callable[[], T]) -> T:
    """``fn()`` on a thread with a large stack and a high recursion limit; its result or exception is returned or
    re-raised in the calling thread."""
    outcome: dict = {}

    def body():
        try:
            outcome["value"] = fn()
        except BaseException as exc:  # re-raised by the caller below
            outcome["error"] = exc

    with _LOCK:
        old_limit = sys.getrecursionlimit()
        old_stack = threading.stack_size()
        try:
            threading.stack_size(STACK_BYTES)
            worker = threading.Thread(target=body, name="quadrants-deep-compile")
        finally:
            threading.stack_size(old_stack)
        sys.setrecursionlimit(max(old_limit, RECURSION_LIMIT))
        try:
            worker.start()
            worker.join()
        finally:
            sys.setrecursionlimit(old_limit)
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]
