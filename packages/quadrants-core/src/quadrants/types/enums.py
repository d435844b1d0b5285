"""``qd.types.enums``: upstream's enumerations (``Layout``, ``Format``, ``AutodiffMode``, ``SNodeGradType``,
``BoundaryMode``, ``DeviceCapability``), defined in ``runtime/enums.py``; this module only names them."""

from quadrants.runtime.enums import (
    AutodiffMode,
    BoundaryMode,
    DeviceCapability,
    Format,
    Layout,
    SNodeGradType,
    to_boundary_enum,
)

__all__ = ["Layout", "AutodiffMode", "SNodeGradType", "Format", "BoundaryMode", "DeviceCapability", "to_boundary_enum"]
