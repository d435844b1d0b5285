"""Upstream's dataclass-parameter flattening helpers, over this implementation's flat member names.

A kernel or func parameter annotated with a ``dataclasses.dataclass`` is passed member by member: each member the
code reads becomes one flat argument named ``__qd_<param>__qd_<member>...`` (``quadrants.fastcache.narrow.flat_name``,
the names fastcache entries keep; docs/semantics.md §19). Upstream exposes three steps of its frontend over those
names; here they are functions of the names alone, written over ``flat_name``:

* :func:`expand_func_arguments`: a parameter list with every dataclass parameter replaced by its members' flat
  parameters (nested dataclasses depth first, in declaration order), optionally only the names a compile used;
* :func:`unpack_ast_struct_expressions`: an expression with each ``param.member...`` chain that names a flat
  argument replaced by that argument's name;
* :func:`populate_global_vars_from_dataclass`: the template (field) members of a dataclass argument bound under their
  flat names, as a kernel's globals would see them;
* :func:`frozen_member_plan`: which members of a dataclass a set of used flat names selects (memoized in
  :data:`FROZEN_PLANS` until ``qd.reset()``).

This frontend does not rewrite source: it resolves ``param.member`` as it lowers each read (``frontend/structs.py``),
so these helpers describe the same naming rather than being a stage of the compiler.
"""

from __future__ import annotations

import ast
import dataclasses
import typing
from typing import Any

from quadrants.compat.args_hashing import ArgMetadata
from quadrants.fastcache.narrow import flat_name, split_flat_name
from quadrants.frontend.annotations import TemplateType
from quadrants.runtime.state import RUNTIME

__all__ = [
    "member_types",
    "create_flat_name",
    "frozen_member_plan",
    "FROZEN_PLANS",
    "expand_func_arguments",
    "unpack_ast_struct_expressions",
    "populate_global_vars_from_dataclass",
]


def member_types(cls: type) -> list[tuple[str, Any]]:
    """``[(member name, annotation), ...]`` of a dataclass, string annotations resolved where possible."""
    try:
        hints = typing.get_type_hints(cls)
    except Exception:  # an annotation naming something not importable here: keep the raw one
        hints = {}
    return [(f.name, hints.get(f.name, f.type)) for f in dataclasses.fields(cls)]


def _is_dataclass_type(annotation) -> bool:
    return isinstance(annotation, type) and dataclasses.is_dataclass(annotation)


def create_flat_name(parent: str, member: str) -> str:
    """The flat name of ``member`` under ``parent`` (a parameter name or a flat name)."""
    if parent.startswith("__qd_"):
        param, path = split_flat_name(parent)
        return flat_name(param, (*path, member))
    return flat_name(parent, (member,))


def _expand(annotation: type, parent: str, used: set[str] | None, out: list[ArgMetadata]) -> None:
    for member, member_type in member_types(annotation):
        name = create_flat_name(parent, member)
        if used is not None and name not in used:
            continue
        if _is_dataclass_type(member_type):
            _expand(member_type, name, used, out)
        else:
            out.append(ArgMetadata(member_type, name))


def expand_func_arguments(used_py_dataclass_parameters: set[str] | None, arguments: list) -> list:
    """``arguments`` (``ArgMetadata``) with each dataclass parameter replaced by its members' flat parameters.

    ``used_py_dataclass_parameters``: the flat names a compile read (members not in it are dropped), or ``None`` for
    every member.
    """
    out: list = []
    for arg in arguments:
        if _is_dataclass_type(arg.annotation):
            _expand(arg.annotation, arg.name, used_py_dataclass_parameters, out)
        else:
            out.append(arg)
    return out


def _chain(node: ast.expr) -> tuple[str, tuple[str, ...]] | None:
    """``("s", ("a", "b"))`` for the expression ``s.a.b``; ``None`` when it is not a name followed by attributes."""
    attrs = []
    while isinstance(node, ast.Attribute):
        attrs.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name) or not attrs:
        return None
    return node.id, tuple(reversed(attrs))


class _Unpack(ast.NodeTransformer):
    def __init__(self, struct_locals: set[str]):
        self.struct_locals = struct_locals

    def visit_Attribute(self, node: ast.Attribute):
        chain = _chain(node)
        if chain is not None and flat_name(*chain) in self.struct_locals:
            return ast.copy_location(ast.Name(id=flat_name(*chain), ctx=node.ctx), node)
        return self.generic_visit(node)  # e.g. `s.a.shape`: the inner `s.a` may name a flat argument


def unpack_ast_struct_expressions(tree: ast.AST, struct_locals: set[str]) -> ast.AST:
    """``tree`` with every ``param.member...`` chain whose flat name is in ``struct_locals`` replaced by that name."""
    return _Unpack(struct_locals).visit(tree)


def populate_global_vars_from_dataclass(param_name: str, param_type: type, py_arg, global_vars: dict) -> None:
    """Bind the template (``qd.template()`` / ``qd.Template``) members of ``py_arg`` into ``global_vars`` under their
    flat names, nested dataclasses included; ndarray and primitive members are run-time arguments and are skipped."""
    for member, member_type in member_types(param_type):
        name = create_flat_name(param_name, member)
        value = getattr(py_arg, member)
        if _is_dataclass_type(member_type):
            populate_global_vars_from_dataclass(name, member_type, value, global_vars)
        elif isinstance(member_type, TemplateType) or member_type is TemplateType:
            global_vars[name] = value


# (id of the used-name set, class, parent name) -> (that set, plan). The set itself is kept and compared by identity,
# so a new set that reuses a dead one's id never gets the dead one's plan.
FROZEN_PLANS: dict[tuple[int, type, str], tuple[set, tuple]] = {}
RUNTIME.reset_hooks.append(FROZEN_PLANS.clear)


def frozen_member_plan(used: set[str], cls: type, parent: str, fields: dict) -> tuple[tuple[str, str, Any], ...]:
    """``((member, flat name, annotation), ...)`` for the members of ``fields`` (a dataclass's ``{name: Field}``)
    whose flat name under ``parent`` is in ``used``, in declaration order."""
    key = (id(used), cls, parent)
    found = FROZEN_PLANS.get(key)
    if found is not None and found[0] is used:
        return found[1]
    plan = tuple(
        (f.name, create_flat_name(parent, f.name), f.type)
        for f in fields.values()
        if getattr(f, "_field_type", dataclasses._FIELD) is dataclasses._FIELD  # not ClassVar / InitVar pseudo-fields
        and create_flat_name(parent, f.name) in used
    )
    FROZEN_PLANS[key] = (used, plan)
    return plan
