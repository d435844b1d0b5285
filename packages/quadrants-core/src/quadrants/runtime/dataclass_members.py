"""Which member annotations a ``dataclasses.dataclass`` kernel parameter may have (docs/semantics.md §19.3).

A parameter annotated with a dataclass type is flattened member by member, and every member's annotation must name a
kind of kernel argument, as upstream 1.3.3 requires: a dtype, ``int``/``float``/``bool``, a subscripted
``qd.types.NDArray[...]``, a vector/matrix/struct type, ``qd.Template``, ``qd.Tensor``, ``qd.BufferView[dtype]``, a
nested dataclass, or ``typing.Final[...]`` (a compile-time value; only on a class whose members cannot be rebound).
The check covers every member, read or not, because upstream declares all of them before it prunes: a member
annotated ``str``, ``object``, a bare ``qd.types.NDArray`` or a bare ``qd.BufferView`` is upstream's compile error
"Invalid data type ...".
It runs once per kernel and session (when the parameters are built), never per call.
"""

from __future__ import annotations

import dataclasses
import typing

from quadrants.errors import QuadrantsCompilationError, QuadrantsSyntaxError
from quadrants.frontend.annotations import NDArray, NdarrayType, TemplateType
from quadrants.frontend.buffer_views import BufferViewType
from quadrants.frontend.compound_types import MatrixType
from quadrants.frontend.struct_types import StructType
from quadrants.ir.dtypes import DataType

__all__ = ["check_dataclass_members"]

# annotation objects that declare a kernel argument by being an instance of one of these classes
_ARGUMENT_KINDS = (NdarrayType, TemplateType, MatrixType, StructType, DataType, BufferViewType)
_PYTHON_SCALARS = (int, float, bool)
# what the error lists, in the user's words
_ACCEPTED = (
    "a dtype (qd.i32, qd.f32, ...), int, float, bool, qd.types.NDArray[dtype, ndim], qd.BufferView[dtype], a "
    "vector/matrix/struct type, qd.Template, qd.Tensor, another dataclass, or typing.Final[...] for a compile-time "
    "value"
)


def _hints(cls: type) -> dict:
    """The resolved member annotations; members whose string annotation does not resolve keep the string (those are
    not judged: the check cannot tell what they name)."""
    try:
        return typing.get_type_hints(cls, include_extras=True)
    except Exception:  # a forward reference that does not resolve: fall back to the raw annotations
        return {f.name: f.type for f in dataclasses.fields(cls)}


def _is_final(annotation) -> bool:
    return annotation is typing.Final or typing.get_origin(annotation) is typing.Final


def _declares_argument(annotation) -> bool:
    if annotation is NDArray:  # the bare annotation names no element type: upstream cannot declare it
        return False
    if isinstance(annotation, type) and getattr(annotation, "_qd_buffer_view", False):
        return False  # a bare qd.BufferView names no element type either: a member needs qd.BufferView[dtype]
    if isinstance(annotation, _ARGUMENT_KINDS) or any(annotation is t for t in _PYTHON_SCALARS):
        return True
    return bool(getattr(annotation, "_qd_tensor_annotation", False) or getattr(annotation, "_qd_buffer_view", False))


def _rebinding_prevented(cls: type) -> bool:
    params = getattr(cls, "__dataclass_params__", None)
    return bool(params.frozen or params.unsafe_hash) if params is not None else cls.__hash__ is not None


def check_dataclass_members(kernel_name: str, param_name: str, cls: type, path: tuple[str, ...] = ()) -> None:
    """Raise upstream's error for the first member of ``cls`` (recursively) that cannot be a kernel argument."""
    hints = _hints(cls)
    finals = []
    for f in dataclasses.fields(cls):
        annotation = hints.get(f.name, f.type)
        where = ".".join((param_name, *path, f.name))
        if isinstance(annotation, str):
            continue
        if _is_final(annotation):
            finals.append(f.name)
            continue
        if isinstance(annotation, type) and dataclasses.is_dataclass(annotation):
            check_dataclass_members(kernel_name, param_name, annotation, (*path, f.name))
            continue
        if isinstance(annotation, type) and getattr(annotation, "_qd_data_oriented", False):
            raise QuadrantsSyntaxError(
                f"Kernel arg '{param_name}': field '{f.name}' has @qd.data_oriented type '{annotation.__name__}', "
                f"which cannot be flattened; annotate the parameter {param_name}: qd.template()"
            )
        if not _declares_argument(annotation):
            raise QuadrantsCompilationError(
                f"Invalid data type {annotation!r} for member '{where}' of dataclass {cls.__name__} (parameter "
                f"'{param_name}' of kernel '{kernel_name}'): every member of a dataclass parameter becomes a kernel "
                f"argument, read or not, so annotate it with {_ACCEPTED}; keep other data outside the dataclass"
            )
    if finals and not _rebinding_prevented(cls):
        raise TypeError(
            f"{cls.__name__} has ``Final`` field(s) {sorted(finals)} but is not frozen: a Final member is compiled "
            "into the kernel as a constant, so its class must forbid rebinding it; declare "
            f"{cls.__name__} with @dataclasses.dataclass(frozen=True) (or unsafe_hash=True)"
        )
