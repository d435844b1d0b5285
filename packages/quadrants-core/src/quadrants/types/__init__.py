"""``qd.types``: annotations for kernel parameters and compound element types."""

from quadrants.frontend.annotations import NDArray, Template, ndarray, template
from quadrants.frontend.compound_types import matrix, vector
from quadrants.types import primitive_types

__all__ = ["NDArray", "ndarray", "template", "Template", "vector", "matrix", "primitive_types"]
