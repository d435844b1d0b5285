"""Fastcache records on the ``quadrants`` logger (STYLE.md habit 8: caches explain themselves).

* :func:`explain` — one INFO record per lookup, miss, hit, store or skip, with the reason, when ``QD_LOG=cache``.
  If nothing in the process configured logging, a stderr handler is attached so the records are seen.
* :func:`diagnostic` — the WARNING records of docs/semantics.md §18 (``[FASTCACHE][INVALID_FUNC]`` …), always emitted.
* :func:`unknown_type` — ``[FASTCACHE][UNKNOWN_TYPE]``, once per type per process.
"""

from __future__ import annotations

__all__ = ["logger", "explain", "diagnostic", "unknown_type", "invalid_func"]

_unknown_types_seen: set[str] = set()
_handler_installed = False


def logger():
    """``logging.getLogger("quadrants")`` (imported on first use: a cache hit that logs nothing skips it)."""
    import logging

    return logging.getLogger("quadrants")


def _ensure_visible(log) -> None:
    """``QD_LOG=cache`` must print something even when the program never configured :mod:`logging`."""
    import logging

    global _handler_installed
    if _handler_installed:
        return
    _handler_installed = True
    if log.handlers or logging.getLogger().handlers:
        return  # the application (or pytest) decides where records go
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("[quadrants] %(message)s"))
    log.addHandler(handler)
    if log.level == logging.NOTSET:
        log.setLevel(logging.INFO)


def explain(session, message: str) -> None:
    """An INFO record ``[fastcache] <message>`` when ``QD_LOG`` contains ``cache``."""
    if "cache" not in session.env.log:
        return
    log = logger()
    _ensure_visible(log)
    log.info("[fastcache] %s", message)


def diagnostic(message: str) -> None:
    """A WARNING record (fastcache diagnostics are log records, not Python warnings: docs/semantics.md §2). It is
    always seen on stderr, as upstream's: when no handler the record reaches writes to the console (pytest's capture
    handlers keep records to themselves), the line is also written to stderr."""
    import sys

    log = logger()
    log.warning(message)
    if log.isEnabledFor(30) and not _reaches_the_console(log):
        sys.stderr.write(f"[quadrants] {message}\n")


def _reaches_the_console(log) -> bool:
    """Whether a record of ``log`` is printed on stdout/stderr by a handler (or by logging's last resort)."""
    import logging
    import sys

    consoles = {id(s) for s in (sys.stderr, sys.stdout, sys.__stderr__, sys.__stdout__)}
    handlers = []
    node = log
    while node is not None:
        handlers += node.handlers
        node = node.parent if node.propagate else None
    if not handlers:
        return True  # logging.lastResort prints WARNING records on stderr
    return any(isinstance(h, logging.StreamHandler) and id(h.stream) in consoles for h in handlers)


def invalid_func(kernel_name: str, reason: str) -> None:
    """``[FASTCACHE][INVALID_FUNC]``: this call of a fastcache kernel cannot be cached."""
    diagnostic(f"[FASTCACHE][INVALID_FUNC] The pure function {kernel_name} could not be fast cached: {reason}")


def unknown_type(value) -> None:
    """``[FASTCACHE][UNKNOWN_TYPE] Unrecognised type builtins.str``, at most once per type per process."""
    cls = type(value)
    name = f"{cls.__module__}.{cls.__qualname__}"
    if name in _unknown_types_seen:
        return
    _unknown_types_seen.add(name)
    diagnostic(
        f"[FASTCACHE][UNKNOWN_TYPE] Unrecognised type {name}: a kernel-read value of this type disables fastcache"
    )
