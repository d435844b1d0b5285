"""Compatibility module: upstream's ``qd._lib``, the handle on its C++ extension. This implementation has no such
extension; ``qd._lib.core`` names the few of its objects that programs and tests reach this way
(docs/upstream-compatibility.md)."""

from quadrants._lib import core

__all__ = ["core"]
