"""The cyclic garbage collector paused while a kernel specialization is compiled or loaded from fastcache.

Compiling or loading a large kernel makes hundreds of thousands of IR objects, each a container the collector tracks.
In a large process (Genesis, with torch and its own state: millions of tracked objects) those allocations trigger
full collections that walk the whole heap several times per kernel: loading a Genesis robot's 28 fastcache artifacts
took 2.6 s, of which the unpickling itself was 0.5 s. The objects made there hold no garbage cycles worth collecting
before the specialization is done, so the collector waits until then (and then sees them once).
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

__all__ = ["paused"]


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """Disable the cyclic collector for the block, unless the caller had disabled it already (nests)."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
