"""Compatibility module: upstream's ``qd._lib.core`` names that have a counterpart here: the runtime error class
(upstream's C++ layer raises it; here it is ``qd.QuadrantsRuntimeError``) and ``DeviceCapability``
(docs/upstream-compatibility.md)."""

from quadrants.errors import QuadrantsRuntimeError
from quadrants.runtime.enums import DeviceCapability

__all__ = ["QuadrantsRuntimeError", "DeviceCapability"]
