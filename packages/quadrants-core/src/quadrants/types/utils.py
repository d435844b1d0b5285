"""``qd.types.utils``: ``is_integral``, ``is_signed``, ``is_real``, ``is_tensor`` under upstream's path.

The functions are the frontend's (``frontend/type_queries.py``); this module only names them.
"""

from quadrants.frontend.type_queries import is_integral, is_real, is_signed, is_tensor

__all__ = ["is_signed", "is_integral", "is_real", "is_tensor"]
