"""Structs in kernel code: struct values, fields of structs and their elements, lowered to scalars.

* :class:`StructValue` is a compile-time container of member values (scalars, :class:`MatrixValue` or nested
  StructValues), like :class:`MatrixValue` for vectors. A struct bound to a local name holds one scalar local per
  leaf; ``s.a = v`` assigns that local.
* :class:`StructFieldRef` is a field of structs used by the kernel; ``x.pos`` is the member field (bound on first use,
  like any field) and ``x[i]`` a :class:`StructElement`.
* A :class:`StructElement` is lazy: reading ``x[i].a`` loads one member, ``x[i].a = v`` stores one member. Used as a
  value (assigned to a name, passed to a func, returned) it is loaded whole (:func:`load`).

Value rules, as upstream: assigning a struct to a name copies it; passing it to a ``@qd.func`` copies it unless the
parameter is ``qd.template()``; a method (``s.area()``) receives ``self`` by reference.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace

import numpy as np

from quadrants.errors import QuadrantsCompilationError, QuadrantsSyntaxError, QuadrantsTypeError
from quadrants.frontend import typing_rules as tr
from quadrants.frontend.compound_types import MatrixType
from quadrants.frontend.funcdef import Func
from quadrants.frontend.struct_types import Struct, StructType, host_array, leaf_paths, same_struct_type
from quadrants.frontend.values import BoundFunc, BoundMethod, MatrixValue, NdarrayValue, is_runtime
from quadrants.ir import dtypes, nodes as ir

__all__ = [
    "StructValue",
    "StructFieldRef",
    "StructElement",
    "is_struct",
    "attribute",
    "load",
    "construct_typed",
    "construct_untyped",
    "declare_copy",
    "assign_struct",
    "assign_member",
    "store_element",
    "element",
    "flat_leaves",
    "assemble",
    "by_reference",
    "bound_field_of",
    "STRUCT_KINDS",
]


@dataclass(frozen=True)
class StructValue:
    """A struct of member values in kernel code; ``stype`` is ``None`` for an untyped ``qd.Struct(...)``."""

    stype: StructType | None
    items: dict
    methods: dict
    by_ref: bool = False  # the ``self`` of a method call: bound without copying

    @property
    def keys(self) -> list[str]:
        return list(self.items)


@dataclass(frozen=True)
class StructFieldRef:
    """A field of structs used by the kernel (compile-time: the host field itself)."""

    field: object

    @property
    def stype(self) -> StructType:
        return self.field.struct_type

    @property
    def keys(self) -> list[str]:
        return list(self.field.field_dict)

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(self.field.shape)

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def name(self) -> str:
        return self.field.name

    @property
    def _qd_loop_shape(self) -> tuple[int, ...]:
        return self.shape

    @property
    def _qd_loop_begin(self) -> tuple[int, ...]:
        return self.index_offset or (0,) * len(self.shape)

    @property
    def index_offset(self) -> tuple[int, ...]:
        """The index offsets of the members (``offset=``): ``x[i]`` is stored element ``i - offset``."""
        offset = tuple(self.field._qd_leaf_fields()[0]._qd_offset)
        return offset if any(offset) else ()

    index_prefix = ()  # as NdarrayValue's: no hidden leading indices

    def member(self, ctx, key: str):
        """The member field: an NdarrayValue, or a StructFieldRef for a nested struct."""
        return ctx.host_value(self.field.field_dict[key])


@dataclass(frozen=True)
class StructElement:
    """``x[i]`` of a field of structs: members are loaded or stored one at a time."""

    ref: StructFieldRef
    indices: tuple
    by_ref: bool = False

    @property
    def keys(self) -> list[str]:
        return self.ref.keys

    @property
    def methods(self) -> dict:
        return self.ref.stype.methods


STRUCT_VALUES = (StructValue, StructElement)
STRUCT_KINDS = (StructValue, StructElement, StructFieldRef)


def is_struct(value) -> bool:
    """A struct value in kernel code: a StructValue, a struct field element or a host ``qd.Struct``."""
    return isinstance(value, (StructValue, StructElement, Struct))


def by_reference(value):
    """The ``self`` of a method call: marked so that the func binds it without copying."""
    return replace(value, by_ref=True) if isinstance(value, STRUCT_VALUES) else value


def _no_member(ctx, keys, attr: str, node) -> QuadrantsCompilationError:
    return QuadrantsCompilationError(
        f"struct object has no attribute '{attr}' (its members: {', '.join(keys)})", ctx.loc(node)
    )


# ------------------------------------------------------------------------------------------------- reading


def attribute(ctx, base, attr: str, node):
    """``base.attr`` for a struct value, a field of structs or one of its elements."""
    if isinstance(base, StructFieldRef):
        if attr in base.field.field_dict:
            return base.member(ctx, attr)
        if attr == "shape":
            return base.shape
        try:
            return ctx.host_value(getattr(base.field, attr))  # snode, parent, ...: compile-time values
        except AttributeError:
            raise _no_member(ctx, base.keys, attr, node) from None
    if isinstance(base, StructElement):
        if attr in base.ref.field.field_dict:
            member = base.ref.member(ctx, attr)
            if isinstance(member, StructFieldRef):
                return StructElement(member, base.indices)
            return _load_nd(ctx, member, base.indices, node)
    elif attr in base.items:
        return base.items[attr]
    method = base.methods.get(attr)
    if isinstance(method, Func):
        return BoundFunc(method, by_reference(base))
    lowering = getattr(method, "_qd_struct_lowering", None)
    if lowering is not None:  # a method lowered at compile time (a register tile's, frontend/tiles.py)
        return BoundMethod(by_reference(base), lowering)
    if method is not None:
        raise QuadrantsSyntaxError(
            f"struct method '{attr}' is not a @qd.func and cannot be called in kernel code", ctx.loc(node)
        )
    raise _no_member(ctx, base.keys, attr, node)


def element(ctx, ref: StructFieldRef, indices: tuple) -> StructElement:
    return StructElement(ref, tuple(indices))


def _components(shape) -> list[tuple]:
    return [tuple(ir.Const(k, dtypes.i32) for k in ks) for ks in itertools.product(*(range(s) for s in shape))]


def _load_scalar(ctx, nd: NdarrayValue, indices: tuple, node):
    var = ctx.new_var(f"{nd.name or 'field'}_elem", nd.dtype)
    ctx.define(ir.Load(var, nd.arg, tuple(indices), ctx.loc(node)))
    return ir.LocalRef(var)


def _load_nd(ctx, nd: NdarrayValue, indices: tuple, node):
    """One element of a member field: a scalar, or a MatrixValue of component loads."""
    if not nd.element_shape:
        return _load_scalar(ctx, nd, indices, node)
    items = tuple(_load_scalar(ctx, nd, indices + c, node) for c in _components(nd.element_shape))
    return MatrixValue(items, nd.element_shape)


def load(ctx, value, node) -> StructValue:
    """The value of a struct: a field element is loaded whole, a host struct becomes compile-time members."""
    if isinstance(value, StructValue):
        return value
    if isinstance(value, StructElement):
        items = {}
        for key in value.keys:
            member = attribute(ctx, value, key, node)
            items[key] = load(ctx, member, node) if isinstance(member, StructElement) else member
        return StructValue(value.ref.stype, items, value.methods)
    if isinstance(value, Struct):
        return _host_struct(value)
    raise QuadrantsTypeError(f"expected a struct, got {type(value).__name__}", ctx.loc(node))


def _host_struct(value: Struct) -> StructValue:
    items = {}
    for key, v in value.entries.items():
        if isinstance(v, Struct):
            items[key] = _host_struct(v)
        elif host_array(v) is not None:
            arr = host_array(v)
            items[key] = MatrixValue(tuple(x.item() for x in arr.reshape(-1)), tuple(arr.shape))
        else:
            items[key] = v.item() if isinstance(v, np.generic) else v
    return StructValue(value._type, items, dict(value.methods))


# --------------------------------------------------------------------------------------------- constructing


def _member_value(ctx, node, name: str, t, value):
    """``value`` converted to member type ``t`` (an explicit conversion, as upstream's constructor casts)."""
    if isinstance(t, StructType):
        if is_struct(value) or isinstance(value, dict):
            src = load(ctx, construct_untyped(ctx, node, [value], {}) if isinstance(value, dict) else value, node)
            _check_keys(ctx, node, t.members, src.items)
            return StructValue(
                t, {k: _member_value(ctx, node, k, mt, src.items[k]) for k, mt in t.members.items()}, dict(t.methods)
            )
        return construct_typed(ctx, node, t, [value], {})  # a scalar fills the first member, as upstream
    if isinstance(t, MatrixType):
        return _matrix_member(ctx, node, name, t, value)
    if isinstance(value, (MatrixValue, list, tuple)) or is_struct(value):
        raise QuadrantsTypeError(f"struct member '{name}' is a scalar {t}; got a {type(value).__name__}", ctx.loc(node))
    return tr.cast(ctx, value, t, node)


def _flatten(value) -> list:
    if isinstance(value, MatrixValue):
        return list(value.items)
    if isinstance(value, (list, tuple)):
        out = []
        for v in value:
            out.extend(_flatten(v))
        return out
    return [value]


def _matrix_member(ctx, node, name: str, t: MatrixType, value) -> MatrixValue:
    if is_struct(value):
        raise QuadrantsTypeError(f"struct member '{name}' is a {t}; got a struct", ctx.loc(node))
    flat = _flatten(value)
    size = int(np.prod(t.shape))
    if len(flat) == 1:
        flat = flat * size
    if len(flat) != size:
        raise QuadrantsTypeError(f"struct member '{name}' is a {t} ({size} components); got {len(flat)}", ctx.loc(node))
    return MatrixValue(tuple(tr.cast(ctx, v, t.dtype, node) for v in flat), t.shape)


def construct_typed(ctx, node, stype: StructType, args: list, kwargs: dict) -> StructValue:
    """``MyStruct(a, b=...)`` in kernel code: members in order, missing members are 0."""
    names = list(stype.members)
    if len(args) > len(names):
        raise QuadrantsSyntaxError(
            f"{stype!r} takes at most {len(names)} positional member(s), got {len(args)}", ctx.loc(node)
        )
    values = dict(zip(names, args))
    for key, value in kwargs.items():
        if key not in stype.members:
            raise QuadrantsSyntaxError(f"struct has no member '{key}' (members: {', '.join(names)})", ctx.loc(node))
        if key in values:
            raise QuadrantsSyntaxError(f"struct member '{key}' given twice", ctx.loc(node))
        values[key] = value
    items = {k: _member_value(ctx, node, k, t, values.get(k, 0)) for k, t in stype.members.items()}
    return StructValue(stype, items, dict(stype.methods))


def construct_untyped(ctx, node, args: list, kwargs: dict) -> StructValue:
    """``qd.Struct({"a": x, ...})`` / ``qd.Struct(a=x, ...)`` in kernel code: member types follow the values."""
    if len(args) == 1 and not kwargs and isinstance(args[0], dict):
        entries = dict(args[0])
    elif not args:
        entries = dict(kwargs)
    else:
        raise QuadrantsSyntaxError(
            "Custom structs need to be initialized using either dictionary or keyword arguments", ctx.loc(node)
        )
    methods = entries.pop("__struct_methods", {}) or {}
    items = {}
    for key, v in entries.items():
        if isinstance(v, dict):
            items[key] = construct_untyped(ctx, node, [v], {})
        elif is_struct(v):
            items[key] = load(ctx, v, node)
        elif isinstance(v, (list, tuple)):
            from quadrants.frontend.matrix import make_matrix

            items[key] = make_matrix(ctx, list(v), node)
        elif isinstance(v, MatrixValue) or is_runtime(v) or isinstance(v, (bool, int, float)):
            items[key] = v
        else:
            raise QuadrantsTypeError(f"struct member '{key}' cannot hold a {type(v).__name__}", ctx.loc(node))
    return StructValue(None, items, dict(methods))


def _check_keys(ctx, node, expected, got) -> None:
    if list(expected) != list(got) and set(expected) != set(got):
        raise QuadrantsTypeError(f"Member mismatch between structs: {list(expected)} and {list(got)}", ctx.loc(node))


# ------------------------------------------------------------------------------------------- locals and copies


def declare_copy(ctx, name: str, value, node) -> StructValue:
    """A fresh local struct initialised from ``value`` (one scalar local per leaf)."""
    src = load(ctx, value, node)
    items = {}
    for key, v in src.items.items():
        leaf = f"{name}_{key}"
        if isinstance(v, (StructValue, StructElement, Struct)):
            items[key] = declare_copy(ctx, leaf, v, node)
        elif isinstance(v, MatrixValue):
            dtype = tr.matrix_dtype(ctx, v)
            refs = [
                ir.LocalRef(ctx.declare(f"{leaf}_{k}", tr.cast(ctx, tr.to_expr(ctx, c, node), dtype), node))
                for k, c in enumerate(v.items)
            ]
            items[key] = MatrixValue(tuple(refs), v.shape)
        else:
            items[key] = ir.LocalRef(ctx.declare(leaf, tr.to_expr(ctx, v, node), node))
    return StructValue(src.stype, items, src.methods)


def _is_local(value) -> bool:
    """Whether a struct value's leaves are all locals (so its members can be assigned)."""
    for v in value.items.values():
        if isinstance(v, StructValue):
            if not _is_local(v):
                return False
        elif isinstance(v, MatrixValue):
            if not all(isinstance(c, ir.LocalRef) for c in v.items):
                return False
        elif not isinstance(v, ir.LocalRef):
            return False
    return True


def assign_struct(ctx, target: StructValue, value, node) -> None:
    """``s = value`` for a local struct ``s``: every leaf is assigned (with implicit conversion)."""
    if not _is_local(target):
        raise QuadrantsSyntaxError("only local structs can be assigned", ctx.loc(node))
    src = load(ctx, value, node)
    _check_keys(ctx, node, target.items, src.items)
    pending = _frozen_leaves(ctx, src, node)  # read every source leaf before the first write (s = s.swapped())
    for key, current in target.items.items():
        _assign_leaf(ctx, current, pending.items[key], node)


def _frozen_leaves(ctx, value: StructValue, node) -> StructValue:
    items = {}
    for key, v in value.items.items():
        if isinstance(v, StructValue):
            items[key] = _frozen_leaves(ctx, v, node)
        elif isinstance(v, MatrixValue):
            items[key] = MatrixValue(tuple(ctx.temp(c, node) if is_runtime(c) else c for c in v.items), v.shape)
        else:
            items[key] = ctx.temp(v, node) if is_runtime(v) else v
    return StructValue(value.stype, items, value.methods)


def _assign_leaf(ctx, current, value, node) -> None:
    if isinstance(current, StructValue):
        assign_struct(ctx, current, value, node)
    elif isinstance(current, MatrixValue):
        parts = _matrix_parts(ctx, value, current.shape, node)
        for ref, v in zip(current.items, parts):
            ctx.emit(ir.Assign(ref.var, tr.implicit(ctx, v, ref.var.dtype, node), ctx.loc(node)))
    else:
        if isinstance(value, MatrixValue) or is_struct(value):
            raise QuadrantsTypeError("cannot assign a vector/matrix or struct to a scalar member", ctx.loc(node))
        ctx.emit(ir.Assign(current.var, tr.implicit(ctx, value, current.var.dtype, node), ctx.loc(node)))


def _matrix_parts(ctx, value, shape, node) -> tuple:
    """The components stored into a vector/matrix member: a value of that shape, a (nested) list, or a scalar
    (broadcast to every component, as upstream)."""
    if is_runtime(value) or isinstance(value, (bool, int, float)):
        return (ctx.temp(value, node) if is_runtime(value) else value,) * int(np.prod(shape))
    if isinstance(value, (list, tuple)):
        from quadrants.frontend.matrix import make_matrix

        value = make_matrix(ctx, list(value), node)
    if not isinstance(value, MatrixValue) or tuple(value.shape) != tuple(shape):
        got = value.shape if isinstance(value, MatrixValue) else type(value).__name__
        raise QuadrantsTypeError(f"a member of shape {tuple(shape)} cannot be assigned {got}", ctx.loc(node))
    return tuple(ctx.temp(v, node) if is_runtime(v) else v for v in value.items)


def assign_member(ctx, base, attr: str, value, node) -> None:
    """``base.attr = value`` for a local struct or a field element."""
    if isinstance(base, StructElement):
        if attr not in base.ref.field.field_dict:
            raise _no_member(ctx, base.keys, attr, node)
        member = base.ref.member(ctx, attr)
        if isinstance(member, StructFieldRef):
            store_element(ctx, StructElement(member, base.indices), value, node)
        else:
            _store_nd(ctx, member, base.indices, value, node)
        return
    if isinstance(base, StructValue):
        if attr not in base.items:
            raise _no_member(ctx, base.keys, attr, node)
        current = base.items[attr]
        local = (
            _is_local(current)
            if isinstance(current, StructValue)
            else (
                all(isinstance(c, ir.LocalRef) for c in current.items)
                if isinstance(current, MatrixValue)
                else isinstance(current, ir.LocalRef)
            )
        )
        if not local:
            raise QuadrantsSyntaxError(
                f"member '{attr}' of this struct cannot be assigned: copy the struct into a local first",
                ctx.loc(node),
            )
        _assign_leaf(ctx, current, value, node)
        return
    raise QuadrantsSyntaxError(f"cannot assign member '{attr}' of a {type(base).__name__}", ctx.loc(node))


# ---------------------------------------------------------------------------------------------------- stores


def _store_nd(ctx, nd: NdarrayValue, indices: tuple, value, node) -> None:
    if nd.element_shape:
        parts = _matrix_parts(ctx, value, nd.element_shape, node)
        for c, v in zip(_components(nd.element_shape), parts):
            ctx.emit(ir.Store(nd.arg, tuple(indices) + c, tr.implicit(ctx, v, nd.dtype, node), ctx.loc(node)))
        return
    if isinstance(value, MatrixValue) or is_struct(value):
        raise QuadrantsTypeError(f"member field '{nd.name}' holds scalars; got a {type(value).__name__}", ctx.loc(node))
    ctx.emit(ir.Store(nd.arg, tuple(indices), tr.implicit(ctx, value, nd.dtype, node), ctx.loc(node)))


def store_element(ctx, target: StructElement, value, node) -> None:
    """``x[i] = value``: every member of element ``i`` is stored (the whole value is read first)."""
    if not is_struct(value):
        raise QuadrantsTypeError(
            f"Only dict or Struct can be assigned to a Struct: an element of a struct field is assigned a "
            f"{type(value).__name__}",
            ctx.loc(node),
        )
    src = _frozen_leaves(ctx, load(ctx, value, node), node)
    _check_keys(ctx, node, target.keys, src.items)
    _store_loaded(ctx, target, src, node)


def _store_loaded(ctx, target: StructElement, src: StructValue, node) -> None:
    for key in target.keys:
        member = target.ref.member(ctx, key)
        if isinstance(member, StructFieldRef):
            inner = src.items[key]
            if not isinstance(inner, StructValue):
                raise QuadrantsTypeError(f"struct member '{key}' is a struct", ctx.loc(node))
            _check_keys(ctx, node, member.keys, inner.items)
            _store_loaded(ctx, StructElement(member, target.indices), inner, node)
        else:
            _store_nd(ctx, member, target.indices, src.items[key], node)


# ---------------------------------------------------------------------------------------------------- flat


def flat_leaves(ctx, value, stype: StructType, node) -> list:
    """The leaf values of ``value`` in the order of ``leaf_paths(stype)`` (kernel returns)."""
    src = load(ctx, value, node)
    if src.stype is not None and not same_struct_type(src.stype, stype):
        raise QuadrantsTypeError(
            f"Return (a struct {src.stype!r}) cannot be converted into required type {stype!r}", ctx.loc(node)
        )
    _check_keys(ctx, node, stype.members, src.items)
    out = []
    for key, t in stype.members.items():
        v = src.items[key]
        if isinstance(t, StructType):
            out.extend(flat_leaves(ctx, v, t, node))
        elif isinstance(t, MatrixType):
            out.extend(_matrix_parts(ctx, v, t.shape, node))
        else:
            if isinstance(v, (MatrixValue, StructValue)):
                raise QuadrantsTypeError(f"struct member '{key}' must be a scalar {t}", ctx.loc(node))
            out.append(v)
    return out


def bound_field_of(ctx, nd: NdarrayValue):
    """The host field behind a bound field argument, or ``None`` for an ndarray argument."""
    if nd.arg < len(ctx.arg_sources) and ctx.arg_sources[nd.arg][0] == "field":
        return ctx.arg_sources[nd.arg][1]
    return None


def by_value_binding(value):
    """A struct bound by reference into a func's scope (the by-reference mark does not propagate further)."""
    return replace(value, by_ref=False) if isinstance(value, STRUCT_VALUES) else value


def check_struct_param(ctx, func_name: str, param: str, annotation, value, node) -> None:
    """A func parameter annotated with a struct type takes structs with the same members."""
    if not isinstance(annotation, StructType):
        return
    keys = value.keys if not isinstance(value, Struct) else list(value.keys)
    if set(keys) != set(annotation.members):
        raise QuadrantsTypeError(
            f"@qd.func '{func_name}' parameter '{param}' expects a struct with members {list(annotation.members)}, "
            f"got one with {list(keys)}",
            ctx.loc(node),
        )


def param_struct(ctx, name: str, position: int, stype: StructType) -> StructValue:
    """A kernel parameter of struct type: one run-time scalar argument per leaf, copied into locals (as upstream,
    the kernel may assign its members)."""
    leaves = {}
    for path, dtype in leaf_paths(stype):
        # flat names as for dataclass members: __qd_s__qd_inner__qd_v__qd_1 (a component index joins with "_")
        parts = (name, *("_".join(map(str, p)) if isinstance(p, tuple) else p for p in path))
        index = ctx.add_arg(ir.ScalarArg("".join(f"__qd_{p}" for p in parts), dtype), ("member", position, path))
        leaves[path] = ir.ArgRef(index, dtype)
    return declare_copy(ctx, name, _assemble(stype, leaves, ()), None)


def assemble(stype: StructType, leaves: dict) -> StructValue:
    """A struct value of type ``stype`` from its leaves (``{leaf path: value}``, the paths of ``leaf_paths``)."""
    return _assemble(stype, leaves, ())


def _assemble(stype: StructType, leaves: dict, prefix: tuple) -> StructValue:
    items = {}
    for key, t in stype.members.items():
        path = (*prefix, key)
        if isinstance(t, StructType):
            items[key] = _assemble(t, leaves, path)
        elif isinstance(t, MatrixType):
            comps = [leaves[(*path, tuple(int(k) for k in ks))] for ks in np.ndindex(*t.shape)]
            items[key] = MatrixValue(tuple(comps), t.shape)
        else:
            items[key] = leaves[path]
    return StructValue(stype, items, dict(stype.methods))
