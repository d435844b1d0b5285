"""The cyclic garbage collector paused while a kernel specialization is compiled or loaded from fastcache.

Compiling or loading a large kernel makes hundreds of thousands of IR objects, each a container the collector tracks.
In a large process (Genesis, with torch and its own state: millions of tracked objects) those allocations trigger
full collections that walk the whole heap several times per kernel: loading a Genesis robot's 28 fastcache artifacts
took 2.6 s, of which the unpickling itself was 0.5 s. The objects made there hold no garbage cycles worth collecting
before the specialization is done, so the collector waits until then.

Waiting alone only defers the work: when the collector runs again, the new objects are young and count towards the
next full collection, and a warm Genesis build (thirty kernels loaded one after the other) still spent about as long in
collections as in everything else (0.9 of 2.1 s). So at the end of the pause every tracked object moves straight to
the oldest generation (``gc.freeze()`` then ``gc.unfreeze()``, which is what that pair does in CPython 3.10-3.13),
where the next full collection sees it once: the IR a kernel keeps lives as long as the kernel anyway. Nothing is
lost: a young garbage cycle of the caller's, moved with the rest, is collected by the next full collection instead of
the next young one. A caller that froze objects itself (``gc.get_freeze_count()``) keeps them frozen: then the objects
are left where they are.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

__all__ = ["paused"]


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """Disable the cyclic collector for the block, unless the caller had disabled it already (nests); at its end the
    objects it made go to the oldest generation (see the module docstring)."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        _promote_to_oldest()
        gc.enable()


def _promote_to_oldest() -> None:
    """Every tracked object into the oldest generation, not counted as newly promoted (no full collection is due
    because of them); skipped where the caller holds frozen objects, which ``unfreeze`` would release."""
    if gc.get_freeze_count():
        return
    gc.freeze()
    gc.unfreeze()
