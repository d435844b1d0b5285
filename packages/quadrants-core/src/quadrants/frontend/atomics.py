"""Atomic read-modify-writes (docs/semantics.md §12): ``qd.atomic_*`` calls and atomic augmented assignments.

On an ndarray element an atomic becomes one :class:`~quadrants.ir.nodes.AtomicRMW`. On a local declared at kernel
scope and updated inside a parallel loop (one variable shared by every iteration) it becomes a
:class:`~quadrants.ir.nodes.VarAtomicRMW`: that is how ``s += a[i]`` reduces into ``s`` (docs/language.md,
"Reductions into a local"). On any other local (private to its lane) it is a plain update. Every form returns the
old value.
"""

from __future__ import annotations

import ast

from quadrants.errors import QuadrantsSyntaxError, QuadrantsTypeError
from quadrants.frontend import typing_rules as tr
from quadrants.frontend.exprs import element_indices, evaluate
from quadrants.frontend.struct_targets import member_target
from quadrants.frontend.unsupported import immutable_argument
from quadrants.frontend.values import LocalBinding, MatrixBinding, NdarrayValue, is_runtime
from quadrants.ir import dtypes, nodes as ir
from quadrants.ir.ops import Op

__all__ = ["ATOMIC_LOWERING", "atomic_update", "ATOMIC_SPECS"]

# name -> (IR op for elements, local op, name used in messages, integer only)
ATOMIC_SPECS: dict[str, tuple[Op, Op | None, str, bool]] = {
    "add": (Op.ATOMIC_ADD, Op.ADD, "atomic_add", False),
    "sub": (Op.ATOMIC_ADD, Op.SUB, "atomic_sub", False),
    "mul": (Op.ATOMIC_MUL, Op.MUL, "atomic_mul", False),
    "min": (Op.ATOMIC_MIN, Op.MIN, "atomic_min", False),
    "max": (Op.ATOMIC_MAX, Op.MAX, "atomic_max", False),
    "and": (Op.ATOMIC_AND, Op.BIT_AND, "atomic_bit_and", True),
    "or": (Op.ATOMIC_OR, Op.BIT_OR, "atomic_bit_or", True),
    "xor": (Op.ATOMIC_XOR, Op.BIT_XOR, "atomic_bit_xor", True),
    "exchange": (Op.ATOMIC_EXCHANGE, None, "atomic_exchange", False),
    "cas": (Op.ATOMIC_CAS, None, "atomic_cas", True),
}


def _target(ctx, target_node: ast.AST, node: ast.AST, fn_name: str):
    """(element target (NdarrayValue, indices) | None, local var or MatrixBinding | None) for an atomic's target."""
    member = member_target(ctx, target_node)  # x[i].a, x[i].v[k], s.a: a member of a struct
    if member is not None:
        return (member[1], None) if member[0] == "element" else (None, member[1])
    if isinstance(target_node, ast.Subscript):
        inner = target_node.value
        if isinstance(inner, ast.Subscript):  # x[i][k]: one component of a vector/matrix element
            owner = evaluate(ctx, inner.value)
            if isinstance(owner, NdarrayValue) and owner.element_shape:
                from quadrants.frontend.exprs import component_targets

                key = evaluate(ctx, target_node.slice)
                keys = key if isinstance(key, tuple) else (key,)
                flat = keys[0] if len(keys) == 1 else keys[0] * owner.element_shape[1] + keys[1]
                indices = element_indices(ctx, owner, inner.slice, inner)
                return component_targets(owner, indices)[flat], None
        base = evaluate(ctx, target_node.value)
        if isinstance(base, NdarrayValue):
            return (base, element_indices(ctx, base, target_node.slice, target_node)), None
        component = _local_component(ctx, base, target_node)
        if component is not None:
            return None, component
    if isinstance(target_node, ast.Name):
        binding = ctx.lookup_local(target_node.id)
        if isinstance(binding, LocalBinding):
            return None, binding.var
        if isinstance(binding, MatrixBinding):
            return None, binding
        if binding is not None:
            raise immutable_argument(target_node.id, ctx.loc(node))
    raise QuadrantsSyntaxError(  # upstream's fragment, then what is writable
        f"cannot use a non-writable target as the first operand of '{fn_name}': it must be an ndarray or field "
        "element (x[i]) or a local variable",
        ctx.loc(node),
    )


def _local_component(ctx, base, target_node: ast.Subscript):
    """The scalar local behind ``v[k]`` / ``m[i, j]`` of a local vector/matrix with compile-time indices, else None."""
    from quadrants.frontend.matrix import MatrixValue

    if not isinstance(base, MatrixValue) or not all(isinstance(v, ir.LocalRef) for v in base.items):
        return None
    key = evaluate(ctx, target_node.slice)
    keys = key if isinstance(key, tuple) else (key,)
    if any(is_runtime(k) for k in keys):
        return None
    flat = keys[0] if base.is_vector else keys[0] * base.shape[1] + keys[1]
    return base.items[flat].var


def atomic_update(ctx, name: str, target_node: ast.AST, operands: list, node: ast.AST):
    """Apply atomic ``name`` to the element or local named by ``target_node``; return the old value."""
    op, _local_op, message_name, int_only = ATOMIC_SPECS[name]
    element, local = _target(ctx, target_node, node, f"atomic_{name}")
    if isinstance(local, MatrixBinding):
        return _local_vector_update(ctx, name, local, operands, node)
    dtype = element[0].dtype if element else local.dtype
    if int_only and dtype.is_float:
        raise QuadrantsTypeError(f"'{message_name}' requires integer operands", ctx.loc(node))
    if element and element[0].element_shape:
        return _component_atomics(ctx, name, element[0], element[1], operands, node)
    values = _operands(ctx, name, dtype, operands, node)
    if local is not None:
        return _scalar_local_update(ctx, name, local, values, node)
    target, indices = element
    old = ctx.new_var(f"{message_name}_old", dtype)
    ctx.define(ir.AtomicRMW(old, op, target.arg, indices, tuple(values), ctx.loc(node)))
    return ir.LocalRef(old)


def _operands(ctx, name: str, dtype, operands: list, node) -> list:
    """The operands converted to the target's type (§12: with the precision warning); ``sub`` adds the negation."""
    values = [tr.implicit(ctx, v, dtype, node, f"Atomic {name}") for v in operands]
    if name == "sub":
        values = [ir.OpExpr(Op.NEG, (values[0],), dtype)]
    return values


def _scalar_local_update(ctx, name: str, var, values: list, node):
    """An atomic on a scalar local: shared by a parallel loop's iterations (a reduction) or private to its lane."""
    if not ctx.shared_local(var):
        return _local_update(ctx, name, ATOMIC_SPECS[name][1], var, values, node)
    op, _, message_name, _ = ATOMIC_SPECS[name]
    old = ctx.new_var(f"{message_name}_old", var.dtype)
    ctx.define(ir.VarAtomicRMW(old, op, var, tuple(values), ctx.loc(node)))
    return ir.LocalRef(old)


def _local_vector_update(ctx, name: str, binding: MatrixBinding, operands: list, node):
    """An atomic on a local vector/matrix: per component, with no atomicity across components (§12)."""
    from quadrants.frontend.matrix import MatrixValue

    message_name, int_only = ATOMIC_SPECS[name][2], ATOMIC_SPECS[name][3]
    if int_only and any(v.dtype.is_float for v in binding.vars):
        raise QuadrantsTypeError(f"'{message_name}' requires integer operands", ctx.loc(node))
    per_operand = []
    for v in operands:
        if isinstance(v, MatrixValue):
            if len(v.items) != len(binding.vars):
                raise QuadrantsTypeError("vector atomic operands must have the target's shape", ctx.loc(node))
            per_operand.append([ctx.temp(x, node) if is_runtime(x) else x for x in v.items])
        else:
            per_operand.append([ctx.temp(v, node) if is_runtime(v) else v] * len(binding.vars))
    olds = []
    for k, var in enumerate(binding.vars):
        values = _operands(ctx, name, var.dtype, [column[k] for column in per_operand], node)
        olds.append(_scalar_local_update(ctx, name, var, values, node))
    return MatrixValue(tuple(olds), binding.shape)


def _component_atomics(ctx, name, target, indices, operands, node):
    """Vector/matrix atomics act per component, with no atomicity across components (§12)."""
    from quadrants.frontend.exprs import component_targets
    from quadrants.frontend.matrix import MatrixValue

    op, _, message_name, _ = ATOMIC_SPECS[name]
    targets = component_targets(target, indices)
    per_operand = []
    for v in operands:
        if isinstance(v, MatrixValue):
            if len(v.items) != len(targets):
                raise QuadrantsTypeError("vector atomic operands must have the element's shape", ctx.loc(node))
            per_operand.append(list(v.items))
        else:
            per_operand.append([v] * len(targets))
    olds = []
    for k, (view, idx) in enumerate(targets):
        values = [tr.implicit(ctx, column[k], view.dtype, node, f"Atomic {name}") for column in per_operand]
        if name == "sub":
            values = [ir.OpExpr(Op.NEG, (values[0],), view.dtype)]
        old = ctx.new_var(f"{message_name}_old", view.dtype)
        ctx.define(ir.AtomicRMW(old, op, view.arg, idx, tuple(values), ctx.loc(node)))
        olds.append(ir.LocalRef(old))
    return MatrixValue(tuple(olds), target.element_shape)


def _local_update(ctx, name, local_op, var, values, node):
    current = ir.LocalRef(var)
    old = ctx.temp(current, node, "old")
    if name == "exchange":
        new = values[0]
    elif name == "cas":
        expected, desired = values
        matches = ir.OpExpr(Op.EQ, (old, expected), dtypes.u1)
        new = ir.OpExpr(Op.SELECT, (matches, desired, old), var.dtype)
    elif name == "sub":  # values[0] is already negated
        new = ir.OpExpr(Op.ADD, (old, values[0]), var.dtype)
    else:
        new = ir.OpExpr(local_op, (old, values[0]), var.dtype)
    ctx.emit(ir.Assign(var, new, ctx.loc(node)))
    return old


def _lowering(name: str):
    arity = 3 if name == "cas" else 2

    def lower(ctx, node: ast.Call):
        if len(node.args) != arity or node.keywords:
            raise QuadrantsTypeError(f"qd.atomic_{name}() takes {arity} positional arguments", ctx.loc(node))
        operands = [evaluate(ctx, a) for a in node.args[1:]]
        return atomic_update(ctx, name, node.args[0], operands, node)

    return lower


ATOMIC_LOWERING = {name: _lowering(name) for name in ATOMIC_SPECS}
