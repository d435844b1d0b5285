"""``qd.root``, ``qd.SNode``, ``qd.FieldsBuilder`` and the axes ``qd.i`` … ``qd.ijkl``: dense SNode trees.

Compatibility module (upstream programs import ``quadrants.lang.snode``): each name forwards to its real home,
``quadrants/runtime/snode.py`` and ``quadrants/runtime/snode_axes.py``.
"""

from quadrants.runtime.snode import FieldsBuilder, SNode, SNodeTree, deactivate_all_snodes, root
from quadrants.runtime.snode_axes import NAMED_AXES, Axis, axes

__all__ = ["root", "SNode", "SNodeTree", "FieldsBuilder", "deactivate_all_snodes", "Axis", "axes", "NAMED_AXES"]
