"""``qd.types``: annotations for kernel parameters."""

from quadrants.types.annotations import NDArray, Template, ndarray, template

__all__ = ["NDArray", "ndarray", "template", "Template"]
