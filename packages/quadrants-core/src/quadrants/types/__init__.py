"""``qd.types``: annotations for kernel parameters and compound element types."""

from quadrants.types.annotations import NDArray, Template, ndarray, template
from quadrants.types.compound import matrix, vector

__all__ = ["NDArray", "ndarray", "template", "Template", "vector", "matrix"]
