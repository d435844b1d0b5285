"""``qd.types``: annotations for kernel parameters and compound element types."""

from quadrants.frontend.annotations import NDArray, Template, ndarray, template
from quadrants.frontend.compound_types import matrix, vector

__all__ = ["NDArray", "ndarray", "template", "Template", "vector", "matrix"]
