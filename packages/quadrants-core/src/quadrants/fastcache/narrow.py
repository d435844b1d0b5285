"""The narrow-args hash (docs/semantics.md §18.4): one component per top-level argument, containers only at read paths.

Every component is process-independent (no ids, no addresses). A value that cannot be described that way — a field,
an unrecognised type, a ``functools.cached_property`` or a property that raises — disables fastcache for the call:
:class:`FastcacheSkip` carries the diagnostic to log.

Why hashing only read paths is safe: lowering is deterministic in the values it reads, so two calls that agree at
every path a specialization read compile to the same program. An entry is always stored under a key computed over
a path set that contains its own reads (the L1 union), and the path names are part of the hash, so a key match
implies agreement at every path the stored specialization read.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import typing

import numpy as np

from quadrants.fastcache.keys import digest
from quadrants.frontend.struct_types import leaf_paths
from quadrants.ir.dtypes import DataType

# ``dataclasses.field(metadata={FIELD_METADATA_CACHE_VALUE: True})``: the member stays a run-time scalar, but its
# value is added to the fastcache key (the specialization key is unaffected). User code imports it as
# ``quadrants.lang._fast_caching.FIELD_METADATA_CACHE_VALUE`` (upstream's path).
FIELD_METADATA_CACHE_VALUE = "add_value_to_cache_key"

__all__ = [
    "FIELD_METADATA_CACHE_VALUE",
    "FastcacheSkip",
    "narrow_args_hash",
    "flat_name",
    "split_flat_name",
    "paths_by_param",
    "class_name",
    "template_component",
    "describe_member",
]

_SEP = "__qd_"


class FastcacheSkip(Exception):
    """Fastcache cannot key this call. ``tag`` is the record kind (``INVALID_FUNC``, ``UNKNOWN_TYPE``, …)."""

    def __init__(self, tag: str, reason: str, value=None):
        super().__init__(reason)
        self.tag, self.reason, self.value = tag, reason, value


def flat_name(param_name: str, path: tuple[str, ...]) -> str:
    """``__qd_self__qd_x`` for parameter ``self`` and path ``("x",)`` (the names kept in L1 entries)."""
    return "".join(f"{_SEP}{p}" for p in (param_name, *path))


def split_flat_name(name: str) -> tuple[str, tuple[str, ...]]:
    """Inverse of :func:`flat_name`."""
    if not name.startswith(_SEP):
        raise ValueError(f"not a flat member name: {name!r}")
    parts = name[len(_SEP) :].split(_SEP)
    return parts[0], tuple(parts[1:])


def paths_by_param(names, param_names: tuple[str, ...]) -> dict[int, set[tuple[str, ...]]]:
    """Flat names -> ``{parameter index: {path}}``; names of parameters the kernel no longer has are dropped."""
    out: dict[int, set] = {}
    index = {n: i for i, n in enumerate(param_names)}
    for name in names:
        param, path = split_flat_name(name)
        if param in index and path:
            out.setdefault(index[param], set()).add(path)
    return out


def narrow_args_hash(params: list, bound: list, paths: dict[int, set]) -> str:
    """The narrow-args hash of one call; raises :class:`FastcacheSkip` when the call cannot be cached."""
    parts = []
    for i, (param, b) in enumerate(zip(params, bound)):
        kind = param.kind  # the runtime's parameter classes (runtime/args.py), read without importing them
        if kind == "ndarray" or (kind == "tensor" and b.key[0] == "nd"):  # a qd.Tensor parameter given an ndarray
            parts.append(f"nd-{b.key[1]}-{b.key[2]}")  # dtype (vector/matrix element type included) and ndim
        elif kind == "scalar":
            parts.append(["s", param.dtype.name])  # type only: the value is a run-time argument
        elif kind == "matrix":
            parts.append(["m", repr(b.key[1])])  # a vector/matrix parameter: its type; the components are run-time
        elif kind == "struct":  # a qd.types.struct parameter: its leaves are run-time scalars, only their types count
            parts.append(["qs", [[_leaf_name(path), dtype.name] for path, dtype in leaf_paths(param.stype)]])
        elif kind == "dataclass":
            parts.append(["dc", class_name(type(b.value)), _members(b.value, paths.get(i, ()))])
        elif b.struct:
            parts.append(["struct", class_name(type(b.value)), _members(b.value, paths.get(i, ()))])
        else:
            parts.append(["t", template_component(b.value)])
    return digest(parts)


def _leaf_name(path: tuple) -> str:
    return ".".join(str(p) if not isinstance(p, tuple) else ",".join(map(str, p)) for p in path)


def class_name(cls: type) -> str:
    """``module.Qualname`` of a container class, flagged ``[do]`` for data_oriented classes."""
    flags = ""
    if getattr(cls, "_qd_data_oriented", False):
        flags = "[do]" if getattr(cls, "_qd_template_primitives", True) else "[do,runtime-primitives]"
    return f"{cls.__module__}.{cls.__qualname__}{flags}"


def template_component(value):
    """A template value: primitives by type and value, enums by name and value, tuples recursively."""
    if getattr(value, "_is_quadrants_field", False):
        raise FastcacheSkip("INVALID_FUNC", "an argument or read member is a qd.field")
    if isinstance(value, enum.Enum):
        return ["enum", class_name(type(value)), value.name, repr(value.value)]
    if isinstance(value, (bool, int, float)):
        return [type(value).__name__, repr(value)]
    if isinstance(value, np.generic) and not isinstance(value, (np.str_, np.bytes_, np.void, np.object_)):
        return [f"numpy.{type(value).__name__}", repr(value.item())]
    if value is None:
        return ["none"]
    if isinstance(value, DataType):
        return ["dtype", value.name]
    if isinstance(value, tuple):
        return ["tuple", [template_component(v) for v in value]]
    raise FastcacheSkip("UNKNOWN_TYPE", f"unrecognised type {type(value).__module__}.{type(value).__qualname__}", value)


def _members(obj, paths) -> list:
    return [_member(obj, path) for path in sorted(paths)]


def _member(obj, path: tuple[str, ...]) -> list:
    """``[path, container classes, leaf]`` for one read path."""
    classes = []
    container, value = None, obj
    for attr in path:
        container = value
        classes.append(class_name(type(container)))
        cls_attr = getattr(type(container), attr, None)
        if isinstance(cls_attr, functools.cached_property):
            raise FastcacheSkip("CACHED_PROPERTY", f"'{'.'.join(path)}' is a functools.cached_property")
        try:
            value = getattr(container, attr)
        except AttributeError:
            return [list(path), classes, ["missing"]]
        except Exception as exc:  # a property that raises
            raise FastcacheSkip(
                "PROPERTY_RAISED", f"reading property '{'.'.join(path)}' raised {type(exc).__name__}: {exc}"
            ) from None
    return [list(path), classes, describe_member(container, path[-1], value)]


def describe_member(container, attr: str, value):
    """The key component of member ``attr`` (holding ``value``) of ``container``: arrays by dtype, ndim and element
    shape; primitives by value where baked (:func:`_baked`) else by type; nested objects by class."""
    from quadrants.frontend.host_values import describe_array, is_array

    if getattr(value, "_is_quadrants_field", False):
        raise FastcacheSkip("INVALID_FUNC", f"the kernel reads the qd.field member '{attr}'")
    if is_array(value):
        try:
            dtype, ndim, elem = describe_array(value)
        except TypeError as exc:
            raise FastcacheSkip("UNKNOWN_TYPE", str(exc), value) from None
        return ["nd", repr(dtype), ndim, list(elem)]
    if isinstance(value, (bool, int, float, np.bool_, np.integer, np.floating)) and not isinstance(value, enum.Enum):
        if _baked(container, attr):
            return ["value", template_component(value)]
        return ["type", type(value).__name__]
    if dataclasses.is_dataclass(value) or getattr(type(value), "_qd_data_oriented", False):
        return ["object", class_name(type(value))]
    return ["value", template_component(value)]


def _baked(container, attr: str) -> bool:
    """Whether a primitive member's value is part of the key (docs/semantics.md §18.4, §19)."""
    cls = type(container)
    if getattr(cls, "_qd_data_oriented", False):
        if isinstance(getattr(cls, attr, None), property):
            return True
        return getattr(cls, "_qd_template_primitives", True)
    if dataclasses.is_dataclass(cls):
        return attr in _final_or_cache_value(cls)
    return True


@functools.lru_cache(maxsize=256)
def _final_or_cache_value(cls: type) -> frozenset[str]:
    """Dataclass members whose value enters the key: ``typing.Final`` ones and ``FIELD_METADATA_CACHE_VALUE`` ones."""

    names = set()
    try:
        hints = typing.get_type_hints(cls, include_extras=True)
    except Exception:
        hints = getattr(cls, "__annotations__", {})
    for name, t in hints.items():
        if t is typing.Final or typing.get_origin(t) is typing.Final:
            names.add(name)
        elif isinstance(t, str) and t.replace(" ", "").startswith(("Final", "typing.Final")):
            names.add(name)  # an annotation string that could not be evaluated
    for f in dataclasses.fields(cls):
        if f.metadata.get(FIELD_METADATA_CACHE_VALUE):
            names.add(f.name)
    return frozenset(names)
