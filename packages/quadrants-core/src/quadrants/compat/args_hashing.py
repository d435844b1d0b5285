"""Upstream's ``args_hasher.hash_args`` over this implementation's fastcache argument rules.

Upstream exposes the hash of a call's arguments as a function of the values and their declared annotations. Here
the same rules live in :mod:`quadrants.fastcache.narrow` (docs/semantics.md §18.4): ndarrays by dtype, element shape and
ndim; run-time scalars by type; template values, data_oriented members (unless ``template_primitives=False``) and
``Final`` / ``FIELD_METADATA_CACHE_VALUE`` dataclass members by value; a ``qd.field`` anywhere disables fastcache.
:func:`hash_args` applies those rules to every member of every argument (or only to the members named in
``pruning_paths``, upstream's flat names) and returns a hex digest, or a :class:`FastcacheSkip` saying why the call
cannot be cached.

One deliberate difference: dataclass arguments are keyed by their class as well as their member names (upstream keys
two dataclasses with the same member names alike); docs/upstream-tests.md records it.
"""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass
from typing import Any

from quadrants.fastcache import narrow
from quadrants.fastcache.keys import digest
from quadrants.frontend.annotations import TemplateType
from quadrants.frontend.host_values import describe_array, is_array

__all__ = ["ArgMetadata", "FastcacheSkip", "hash_args", "create_flat_name"]


class FastcacheSkip(enum.Enum):
    """Why :func:`hash_args` cannot key a call (upstream's values)."""

    FIELD_VIA_TENSOR = "field_via_tensor"
    WARN = "warn"


@dataclass
class ArgMetadata:
    """A parameter as upstream's hashers see it: its annotation and name."""

    annotation: Any
    name: str
    default: Any = None
    optional: bool = False


class _Skip(Exception):
    pass


def create_flat_name(parent: str, child: str) -> str:
    """Upstream's flat name of member ``child`` of ``parent`` (``S__qd_x``)."""
    return f"{parent}__qd_{child}"


def _is_template(annotation) -> bool:
    return isinstance(annotation, TemplateType) or annotation is TemplateType


def _members(obj) -> list[tuple[str, Any]]:
    """The members a kernel can read: dataclass fields, NamedTuple fields, else public instance attributes."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return [(f.name, getattr(obj, f.name)) for f in dataclasses.fields(obj)]
    if isinstance(obj, tuple) and hasattr(type(obj), "_fields"):
        return list(zip(type(obj)._fields, obj))
    return [(k, v) for k, v in vars(obj).items() if not k.startswith("_")]


def _used(pruning: set[str] | None, flat: str | None) -> bool:
    if pruning is None or flat is None:
        return True
    return flat in pruning or any(p.startswith(flat + "__qd_") for p in pruning)


def _is_object(value) -> bool:
    return (dataclasses.is_dataclass(value) and not isinstance(value, type)) or getattr(
        type(value), "_qd_data_oriented", False
    )


def _describe_object(value, pruning, flat) -> list:
    parts = []
    for name, member in _members(value):
        child = create_flat_name(flat, name) if flat is not None else None
        if not _used(pruning, child):
            continue
        if _is_object(member) or (isinstance(member, tuple) and hasattr(type(member), "_fields")):
            parts.append([name, _describe_object(member, pruning, child)])
        else:
            parts.append([name, _describe_leaf(value, name, member)])
    return ["obj", narrow.class_name(type(value)), parts]


def _describe_leaf(container, name: str, member) -> list:
    try:
        return narrow.describe_member(container, name, member)
    except narrow.FastcacheSkip as skip:
        raise _Skip(skip.reason) from None


def _describe(value, meta: ArgMetadata | None, pruning, raise_on_templated_floats: bool):
    template = meta is not None and _is_template(meta.annotation)
    if getattr(value, "_is_quadrants_field", False):
        raise _Skip("a qd.field argument")
    if value is None:
        return ["none"]
    if is_array(value):
        try:
            dtype, ndim, elem = describe_array(value)
        except TypeError as exc:
            raise _Skip(str(exc)) from None
        return ["nd", type(value).__name__ == "ndarray", repr(dtype), ndim, list(elem)]
    if _is_object(value) or (isinstance(value, tuple) and hasattr(type(value), "_fields")):
        return _describe_object(value, pruning, meta.name if meta is not None else None)
    if template:
        if raise_on_templated_floats and isinstance(value, float):
            raise ValueError(f"a float template argument ({value!r}) with raise_on_templated_floats=True")
        try:
            return ["t", narrow.template_component(value)]
        except narrow.FastcacheSkip as skip:
            raise _Skip(skip.reason) from None
    if isinstance(value, enum.Enum) or (not isinstance(value, (bool, int, float)) and not hasattr(value, "dtype")):
        try:
            return ["t", narrow.template_component(value)]
        except narrow.FastcacheSkip as skip:
            raise _Skip(skip.reason) from None
    return ["s", f"{type(value).__module__}.{type(value).__qualname__}"]  # a run-time scalar: its type only


def hash_args(raise_on_templated_floats: bool, args, arg_metas, pruning_paths: set[str] | None = None):
    """The hash of one call's arguments (hex string), or a :class:`FastcacheSkip` when it cannot be cached."""
    if len(args) != len(arg_metas):
        raise RuntimeError(f"{len(args)} arguments for {len(arg_metas)} declared parameters")
    try:
        parts = [_describe(a, m, pruning_paths, raise_on_templated_floats) for a, m in zip(args, arg_metas)]
    except _Skip:
        return FastcacheSkip.WARN
    return digest(parts)
