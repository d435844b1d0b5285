"""``qd.types.ndarray_type``: the ndarray parameter annotation (``qd.types.ndarray(...)``, ``qd.types.NDArray[...]``),
under upstream's path.

The annotation objects are the frontend's (``frontend/annotations.py``); this module only names them.
"""

from quadrants.frontend.annotations import NDArray, NdarrayType, ndarray

__all__ = ["ndarray", "NDArray", "NdarrayType"]
