"""Ctrl-C during a long llvm-cpu launch: ``KeyboardInterrupt`` within moments, and the next launch works (issue 17).

CPython handles SIGINT by setting a flag that the interpreter reads between bytecodes, so while a launch runs in
native code a Ctrl-C waits for the launch to end. Here:

* ``qd_interrupts`` is a process-wide i32 counter that generated code can address (a JIT symbol, like ``qd_print``);
* a SIGINT handler JIT-compiled from a few lines of IR increments it, then calls ``PyErr_SetInterruptEx(SIGINT)``
  (async-signal-safe per the CPython documentation), so Python still raises ``KeyboardInterrupt`` in the main thread
  as usual; ``errno`` is preserved;
* every task records the counter when it starts (the *epoch*, a slot of the launch context); the worker loop of a
  parallel task before each chunk claim, outer serial loops at each iteration, ``while`` loops at each iteration and
  innermost loops once per block of ``POLL_BLOCK`` iterations compare the counter with the epoch and, when it moved,
  return with the status word ``INTERRUPTED`` (``builder/function.py``, ``builder/stmts.py``); the launch stops after
  that task and the launcher raises ``KeyboardInterrupt`` (:func:`raise_interrupt`).

Nothing needs resetting (each task compares against its own epoch), so a Ctrl-C between launches never stops the
next one, and the worker threads and the context buffer are released normally. The handler is installed (with
``PyOS_setsig``) only while Python's own handler for SIGINT is ``signal.default_int_handler``, the one that raises
``KeyboardInterrupt``: a program that installs its own SIGINT handler replaces ours at the C level too, and its
kernels run to completion as before. :func:`arm` re-checks at every executable load, never per launch.
"""

from __future__ import annotations

import ctypes
import signal
import sys
import threading

import llvmlite.binding as llvm

from quadrants_llvm.builder.function import INTERRUPT_SYMBOL

__all__ = ["bind_symbols", "arm", "installed", "raise_interrupt", "counter"]

_COUNTER = ctypes.c_int32(0)
_HANDLER_NAME = "qd_on_sigint"
_STATE: dict = {"address": 0}
_LOCK = threading.Lock()

_SIGHANDLER = ctypes.CFUNCTYPE(None, ctypes.c_int)


def counter() -> int:
    """How many SIGINTs the handler has seen (tests)."""
    return _COUNTER.value


def _handler_ir(errno_fn: str) -> str:
    return f"""
@{INTERRUPT_SYMBOL} = external global i32
declare i32 @PyErr_SetInterruptEx(i32)
declare ptr @{errno_fn}()

define void @{_HANDLER_NAME}(i32 %sig) nounwind {{
entry:
  %errno = call ptr @{errno_fn}()
  %saved = load i32, ptr %errno
  %old = atomicrmw add ptr @{INTERRUPT_SYMBOL}, i32 1 seq_cst
  %ignored = call i32 @PyErr_SetInterruptEx(i32 %sig)
  store i32 %saved, ptr %errno
  ret void
}}
"""


def bind_symbols(jit) -> None:
    """Bind ``qd_interrupts`` and compile the SIGINT handler into ``jit``'s engine (idempotent; once per process)."""
    with _LOCK:
        if _STATE["address"]:
            return
        llvm.add_symbol(INTERRUPT_SYMBOL, ctypes.addressof(_COUNTER))
        api = ctypes.pythonapi
        llvm.add_symbol("PyErr_SetInterruptEx", ctypes.cast(api.PyErr_SetInterruptEx, ctypes.c_void_p).value)
        errno_fn = "__error" if sys.platform == "darwin" else "__errno_location"
        libc = ctypes.CDLL(None)
        llvm.add_symbol(errno_fn, ctypes.cast(getattr(libc, errno_fn), ctypes.c_void_p).value)
        module = llvm.parse_assembly(_handler_ir(errno_fn))
        module.verify()
        jit.add_module(module)
        _STATE["address"] = jit.engine.get_function_address(_HANDLER_NAME)


def _getsig() -> int:
    get = ctypes.pythonapi.PyOS_getsig
    get.restype, get.argtypes = ctypes.c_void_p, [ctypes.c_int]
    return get(signal.SIGINT) or 0


def installed() -> bool:
    """Whether the C-level SIGINT handler is ours right now."""
    return bool(_STATE["address"]) and _getsig() == _STATE["address"]


def arm() -> None:
    """Install the handler when SIGINT raises ``KeyboardInterrupt`` (Python's default) and it is not ours yet."""
    address = _STATE["address"]
    if not address or signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        return
    with _LOCK:
        if _getsig() == address:
            return
        setsig = ctypes.pythonapi.PyOS_setsig
        setsig.restype, setsig.argtypes = ctypes.c_void_p, [ctypes.c_int, ctypes.c_void_p]
        setsig(signal.SIGINT, address)


def raise_interrupt() -> BaseException:
    """The exception of a launch that a Ctrl-C stopped: Python's own ``KeyboardInterrupt`` when its handler is still
    pending (the main thread), else a new one (a launch from another thread)."""
    check = ctypes.pythonapi.PyErr_CheckSignals  # runs pending handlers; raises what they raise
    check.restype, check.argtypes = ctypes.c_int, []
    check()
    return KeyboardInterrupt()
