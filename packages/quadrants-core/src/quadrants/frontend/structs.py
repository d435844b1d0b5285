"""Compound parameters in kernel code (docs/semantics.md §19): data_oriented objects, dataclass instances and fields.

A :class:`StructRef` stands for a container reached from kernel parameter ``param`` through attribute ``path``.
Reading a member records the path and what was found (pruning: only read members become launch arguments and
specialization-key components):

* an ndarray member becomes a run-time ndarray argument (rebinding it does not recompile);
* a field member is bound by identity;
* a data_oriented primitive member or read ``@property`` is baked as a compile-time value (its value is in the key),
  or becomes a run-time scalar under ``template_primitives=False``;
* a dataclass primitive member is a run-time scalar (type only in the key) unless it is ``typing.Final``;
* nested containers give nested StructRefs.
"""

from __future__ import annotations

import enum
import typing
from dataclasses import dataclass

import numpy as np

from quadrants.errors import QuadrantsRuntimeError, QuadrantsSyntaxError, QuadrantsTypeError
from quadrants.frontend.host_values import is_array, is_ndarray, is_user_dataclass
from quadrants.frontend.unsupported import immutable_argument
from quadrants.frontend.values import BoundFunc, NdarrayValue
from quadrants.ir import nodes as ir
from quadrants.ir.dtypes import DataType

__all__ = ["StructRef", "member", "flat_name", "bind_field", "is_data_oriented", "is_dataclass_instance"]


def is_data_oriented(obj) -> bool:
    return getattr(type(obj), "_qd_data_oriented", False)


def is_dataclass_instance(obj) -> bool:
    return is_user_dataclass(obj)


@dataclass(frozen=True)
class StructRef:
    """A data_oriented object or dataclass instance reached from kernel parameter ``param`` via ``path``."""

    param: int
    param_name: str
    path: tuple[str, ...]
    obj: object
    template: bool = False  # reached through a qd.template() parameter: nothing is flattened, members are values

    @property
    def kind(self) -> str:
        return "data_oriented" if is_data_oriented(self.obj) else "dataclass"


def flat_name(param_name: str, path: tuple[str, ...]) -> str:
    """``__qd_self__qd_x``: the flat argument name of a member."""
    return "".join(f"__qd_{p}" for p in (param_name, *path))


def bind_field(ctx, field):
    """A field used by the kernel: an implicit ndarray argument bound by identity.

    A field of structs becomes a :class:`~quadrants.frontend.struct_values.StructFieldRef`, whose member fields are
    bound one by one when the kernel reads them.
    """
    if not getattr(field, "_qd_placed", True):
        raise QuadrantsRuntimeError(
            f"These field(s) are not placed: {field!r}. Please consider specifying a shape for them, as in "
            "qd.field(float, shape=(2, 3)), or place them with qd.root.dense(qd.ij, (2, 3)).place(x)"
        )
    if getattr(field, "_qd_struct_field", False):
        from quadrants.frontend.struct_values import StructFieldRef

        return StructFieldRef(field)
    key = id(field)
    found = ctx.bound_fields.get(key)
    if found is None:
        elem = field.element_shape
        spec = ir.NdarrayArg(
            getattr(field, "name", "") or f"field{len(ctx.bound_fields)}",
            field.scalar_dtype,
            len(field.shape) + len(elem),
            tuple(field.shape) + tuple(elem),  # fixed for the field's lifetime: backends may use the constants
        )
        index = ctx.add_arg(spec, ("field", field))
        offset = tuple(getattr(field, "_qd_offset", ()) or ())
        found = NdarrayValue(
            index,
            field.scalar_dtype,
            len(field.shape),
            spec.name,
            elem,
            tuple(field.shape),
            index_offset=offset if any(offset) else (),
        )
        ctx.bound_fields[key] = found
    return found


def _final_names(cls) -> set[str]:
    try:
        hints = typing.get_type_hints(cls, include_extras=True)
    except Exception:
        hints = getattr(cls, "__annotations__", {})
    return {name for name, t in hints.items() if typing.get_origin(t) is typing.Final or t is typing.Final}


def member(ctx, ref: StructRef, attr: str, node):
    """The value of ``ref.attr`` in kernel code (recording the read)."""
    obj = ref.obj
    path = (*ref.path, attr)
    cls_attr = getattr(type(obj), attr, None)
    is_property = isinstance(cls_attr, property)
    try:
        value = getattr(obj, attr)
    except AttributeError:
        raise QuadrantsSyntaxError(f"'{type(obj).__name__}' object has no attribute '{attr}'", ctx.loc(node)) from None
    except Exception as exc:  # a property that raises
        raise QuadrantsSyntaxError(
            f"reading property '{attr}' of {type(obj).__name__} failed: {type(exc).__name__}: {exc}", ctx.loc(node)
        ) from exc
    from quadrants.frontend.funcdef import Func

    if isinstance(cls_attr, Func):
        return BoundFunc(cls_attr, ref)
    if getattr(value, "_is_quadrants_field", False):
        ctx.record_member(ref.param, path, ("field", id(value)))
        return bind_field(ctx, value)
    if is_array(value):
        return _ndarray_member(ctx, ref, path, value, node)
    if getattr(type(value), "_qd_buffer_view", False):  # a qd.BufferView member: its ndarray, offset and size
        from quadrants.frontend.buffer_views import ref_view

        return ref_view(ctx, StructRef(ref.param, ref.param_name, path, value, ref.template), node, member)
    if is_data_oriented(value) or is_dataclass_instance(value):
        if ref.kind == "dataclass" and is_data_oriented(value) and not ref.template:
            raise QuadrantsSyntaxError(
                f"Kernel arg '{ref.param_name}': field '{attr}' has @qd.data_oriented type '{type(value).__name__}', "
                f"which cannot be flattened; annotate the parameter {ref.param_name}: qd.template()",
                ctx.loc(node),
            )
        return StructRef(ref.param, ref.param_name, path, value, ref.template)
    if isinstance(value, (bool, int, float, np.generic, enum.Enum)):
        return _primitive_member(ctx, ref, path, value, is_property, node)
    # methods, functions, other Python objects: compile-time values. Recorded so that fastcache sees the read
    # (docs/semantics.md §18.4: a str member disables it); data by value in the specialization key, callables by type.
    from quadrants.frontend.host_values import primitive_key

    what = ("object", type(value).__qualname__) if callable(value) else ("value", primitive_key(value))
    ctx.record_member(ref.param, path, what)
    if getattr(value, "_is_quadrants_matrix", False) and not isinstance(value, type):
        return ctx.host_value(value)  # a host qd.Vector/qd.Matrix member is a constant, as a captured global is
    return value


def _ndarray_member(ctx, ref: StructRef, path, value, node) -> NdarrayValue:
    from quadrants.frontend.host_values import describe_array

    dtype, ndim, elem = describe_array(value)
    expected = _declared_member_type(ref, path[-1])
    if expected is not None and isinstance(expected.dtype, DataType) and expected.dtype != dtype:
        raise TypeError(
            f"Expect element type {expected.dtype} for argument {flat_name(ref.param_name, path)}, but get {dtype}"
        )
    ctx.record_member(ref.param, path, ("nd", repr(dtype), ndim, elem))
    existing = ctx.member_args.get((ref.param, path))
    if existing is not None:
        return existing
    spec = ir.NdarrayArg(flat_name(ref.param_name, path), dtype, ndim + len(elem))
    index = ctx.add_arg(spec, ("member", ref.param, path))
    found = NdarrayValue(index, dtype, ndim, flat_name(ref.param_name, path), elem)
    ctx.member_args[(ref.param, path)] = found
    return found


def _declared_member_type(ref: StructRef, attr: str):
    """The ``qd.types.NDArray[...]`` annotation of a dataclass field, if any."""
    if ref.kind != "dataclass":
        return None
    from quadrants.frontend.annotations import NdarrayType

    try:
        hints = typing.get_type_hints(type(ref.obj))
    except Exception:
        return None
    anno = hints.get(attr)
    return anno if isinstance(anno, NdarrayType) else None


def _primitive_member(ctx, ref: StructRef, path, value, is_property: bool, node):
    from quadrants.frontend.host_values import primitive_key

    baked = True
    if ref.kind == "dataclass":
        baked = path[-1] in _final_names(type(ref.obj))
    elif not is_property and not getattr(type(ref.obj), "_qd_template_primitives", True):
        baked = False
    if baked or isinstance(value, enum.Enum):
        ctx.record_member(ref.param, path, ("value", primitive_key(value)))
        return value
    if ctx.static_depth > 0:
        if ref.kind == "dataclass":
            raise QuadrantsTypeError(
                f"'Quadrants Expression' object cannot be interpreted as an integer: '{path[-1]}' is a run-time "
                "member; annotate it typing.Final[...] to make it a compile-time value",
                ctx.loc(node),
            )
        raise QuadrantsSyntaxError(
            f"'{path[-1]}' is a primitive member of a @qd.data_oriented(template_primitives=False) object, so it is "
            "a runtime kernel argument and cannot be used in qd.static",
            ctx.loc(node),
        )
    dtype = _runtime_scalar_type(ctx, ref, path, value)
    ctx.record_member(ref.param, path, ("scalar", dtype.name))
    existing = ctx.member_args.get((ref.param, path))
    if existing is not None:
        return existing
    index = ctx.add_arg(ir.ScalarArg(flat_name(ref.param_name, path), dtype), ("member", ref.param, path))
    found = ir.ArgRef(index, dtype)
    ctx.member_args[(ref.param, path)] = found
    return found


def _runtime_scalar_type(ctx, ref, path, value) -> DataType:
    if isinstance(value, (bool, np.bool_)):
        return ctx.default_ip
    if isinstance(value, (int, np.integer)):
        return ctx.default_ip
    return ctx.default_fp


def assign_member_error(ctx, ref: StructRef, attr: str, node) -> Exception:
    """Kernel code may not assign members (docs/semantics.md §19)."""
    path = (*ref.path, attr)
    if ref.kind == "dataclass":
        return immutable_argument(flat_name(ref.param_name, path), ctx.loc(node))
    value = getattr(ref.obj, attr, None)
    if is_ndarray(value):
        return QuadrantsTypeError(
            f"ndarray member '{ref.param_name}.{'.'.join(path)}' cannot be rebound in kernel code; write its "
            "elements instead",
            ctx.loc(node),
        )
    return QuadrantsSyntaxError(f"Variable '{ref.param_name}.{'.'.join(path)}' cannot be assigned", ctx.loc(node))
