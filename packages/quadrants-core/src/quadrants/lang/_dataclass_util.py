"""Compatibility module: upstream's ``_dataclass_util.create_flat_name`` (``__qd_<param>__qd_<member>``), from
``quadrants/compat/dataclass_flattening.py`` (docs/upstream-compatibility.md)."""

from quadrants.compat.dataclass_flattening import create_flat_name

__all__ = ["create_flat_name"]
