"""``quadrants._test_tools.dataclass_test_tools``: build a dataclass instance from its annotations, for tests of
dataclass parameters: an ndarray member gets a ``qd.ndarray`` of its dtype and ndim (each dimension 10), a template
member a 1-D ``qd.i32`` field of 10, a nested dataclass member an instance built the same way."""

from __future__ import annotations

import dataclasses
from typing import Any

__all__ = ["build_struct", "build_obj_tuple_from_type_dict"]


def _member_value(annotation: Any) -> Any:
    import quadrants as qd
    from quadrants.frontend.annotations import NdarrayType, TemplateType

    if isinstance(annotation, NdarrayType):
        if annotation.dtype is None or annotation.ndim is None:
            raise TypeError(f"cannot build an ndarray for {annotation!r}: give its dtype and ndim")
        return qd.ndarray(annotation.dtype, shape=(10,) * annotation.ndim)
    if isinstance(annotation, type) and dataclasses.is_dataclass(annotation):
        return build_struct(annotation)
    if isinstance(annotation, TemplateType) or annotation is TemplateType:
        return qd.field(qd.i32, (10,))
    raise TypeError(f"cannot build a member value for annotation {annotation!r}")


def build_struct(struct_type: type) -> Any:
    """An instance of dataclass ``struct_type`` with a fresh value for every member."""
    from quadrants.compat.dataclass_flattening import member_types

    return struct_type(**{name: _member_value(t) for name, t in member_types(struct_type)})


def build_obj_tuple_from_type_dict(name_to_type: dict[str, Any]) -> tuple[Any, ...]:
    """A fresh value for each annotation of ``name_to_type``, in order."""
    return tuple(_member_value(t) for t in name_to_type.values())
