"""Flat argument order (docs/semantics.md §16.3): parameters in declaration order, a dataclass parameter replaced by its
read fields depth first in declaration order, data_oriented members in first-use order, bound fields last.

The frontend allocates member arguments as it meets them; :func:`canonical_arg_order` renumbers them afterwards.
"""

from __future__ import annotations

import dataclasses

from quadrants.ir import nodes as ir

__all__ = ["canonical_arg_order"]

# node fields that hold a flat argument index (-1 means none)
_ARG_FIELDS = {
    ir.ArgRef: "index",
    ir.Shape: "arg",
    ir.Load: "arg",
    ir.Store: "arg",
    ir.AtomicRMW: "arg",
    ir.DoWhile: "cond_arg",
    ir.Checkpoint: "yield_on_arg",
}


def _field_rank(obj, path: tuple[str, ...]) -> tuple:
    rank = []
    for attr in path:
        names = [f.name for f in dataclasses.fields(obj)] if dataclasses.is_dataclass(obj) else []
        rank.append(names.index(attr) if attr in names else len(names))
        obj = getattr(obj, attr, None)
    return tuple(rank)


def _sort_key(position: int, source: tuple, bound: list):
    kind = source[0]
    if kind == "param":
        return (0, source[1], (), position)
    if kind == "member":
        obj = bound[source[1]].value
        rank = _field_rank(obj, source[2]) if dataclasses.is_dataclass(obj) else ()
        return (0, source[1], (1, *rank), position)
    return (1, 0, (), position)  # bound fields


def canonical_arg_order(ctx, bound: list) -> dict[int, int] | None:
    """Reorder ``ctx.args``/``ctx.arg_sources``; returns old->new index map, or None when nothing moved."""
    order = sorted(range(len(ctx.args)), key=lambda k: _sort_key(k, ctx.arg_sources[k], bound))
    if order == list(range(len(ctx.args))):
        return None
    mapping = {old: new for new, old in enumerate(order)}
    ctx.args = [ctx.args[k] for k in order]
    ctx.arg_sources = [ctx.arg_sources[k] for k in order]
    return mapping


_FIELDS: dict[type, tuple[str, ...] | None] = {}  # node type -> its field names (None: not walked)


def _fields_of(kind: type) -> tuple[str, ...] | None:
    names = _FIELDS.get(kind, ())
    if names == ():
        walked = dataclasses.is_dataclass(kind) and not issubclass(kind, (ir.Var, ir.SrcLoc))
        names = _FIELDS[kind] = tuple(f.name for f in dataclasses.fields(kind)) if walked else None
    return names


def remap(node, mapping: dict[int, int]):
    """Rebuild an IR tree with argument indices renumbered (subtrees without an index that moves are kept as they
    are, not copied: Genesis's kernels are trees of 10^5 nodes)."""
    if isinstance(node, tuple):
        new = tuple(remap(n, mapping) for n in node)
        return node if all(a is b for a, b in zip(new, node, strict=True)) and type(node) is tuple else new
    names = _fields_of(type(node))
    if names is None:
        return node
    arg_field = _ARG_FIELDS.get(type(node))
    changes = {}
    for name in names:
        value = getattr(node, name)
        if name == arg_field and isinstance(value, int) and value >= 0:
            if mapping[value] != value:
                changes[name] = mapping[value]
        elif isinstance(value, tuple) or _fields_of(type(value)) is not None:
            new = remap(value, mapping)
            if new is not value:
                changes[name] = new
    return dataclasses.replace(node, **changes) if changes else node
