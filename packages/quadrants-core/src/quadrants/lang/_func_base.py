"""Compatibility module: upstream's ``_func_base`` names for frozen-dataclass member plans, answered by
``quadrants/compat/dataclass_flattening.py`` (docs/upstream-compatibility.md).

``_get_frozen_dc_plan`` selects a dataclass's members by used flat names; ``_frozen_dc_plans`` is its memo, emptied by
``qd.reset()``. This launcher keeps its own per-instance memo of frozen arguments (``runtime/frozen_structs.py``), so
kernel launches do not fill ``_frozen_dc_plans``.
"""

from quadrants.compat.dataclass_flattening import (
    FROZEN_PLANS as _frozen_dc_plans,
    frozen_member_plan as _get_frozen_dc_plan,
)

__all__ = ["_frozen_dc_plans", "_get_frozen_dc_plan"]
