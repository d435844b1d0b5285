"""Expression handlers: a dispatch table from ``ast`` node type to ``handler(ctx, node) -> value``.

Values are compile-time Python objects or run-time IR expressions (see :mod:`quadrants.frontend.values`).
Operations whose operands are all compile-time are evaluated by Python (docs/semantics.md §3).
"""

from __future__ import annotations

import ast
import operator
from dataclasses import replace

from quadrants.errors import (
    QuadrantsCompilationError,
    QuadrantsIndexError,
    QuadrantsSyntaxError,
    QuadrantsTypeError,
    compile_error_class,
)
from quadrants.frontend import (
    buffer_views,
    comprehensions,
    matrix,
    printing,
    struct_values,
    tile_slices,
    tiles,
    typing_rules as tr,
)
from quadrants.frontend.matrix import MatrixValue
from quadrants.frontend.matrix_methods import attribute as matrix_attribute
from quadrants.frontend.matrix_slices import has_slice, slice_matrix
from quadrants.frontend.matrix_stores import fill_array
from quadrants.frontend.static_identity import check_static_identity
from quadrants.frontend.structs import StructRef, member
from quadrants.frontend.ternary import lower_ternary
from quadrants.frontend.values import BoundMethod, IndexVector, NdarrayValue, is_runtime
from quadrants.ir import dtypes, nodes as ir
from quadrants.ir.dtypes import promote
from quadrants.ir.ops import Op

__all__ = ["evaluate", "EXPR_HANDLERS", "load_element", "element_indices", "unary_values"]

_PY_BINARY = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
    ast.BitAnd: operator.and_,
    ast.BitOr: operator.or_,
    ast.BitXor: operator.xor,
    ast.LShift: operator.lshift,
    ast.RShift: operator.rshift,
    ast.MatMult: operator.matmul,
}
_PY_UNARY = {ast.USub: operator.neg, ast.UAdd: operator.pos, ast.Invert: operator.invert, ast.Not: operator.not_}
_PY_COMPARE = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.Is: operator.is_,
    ast.IsNot: operator.is_not,
    ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b,
}


def evaluate(ctx, node: ast.AST):
    """Evaluate an expression node to a compile-time or run-time value."""
    handler = EXPR_HANDLERS.get(type(node))
    if handler is None:
        from quadrants.frontend.unsupported import unsupported

        raise unsupported(ctx, node)
    return handler(ctx, node)


def _python(ctx, node, fn, *args):
    """Run a compile-time Python operation; its exceptions become compile errors at the user's line."""
    try:
        return fn(*args)
    except Exception as exc:  # user-level Python error during compile-time evaluation
        raise compile_error_class(exc)(
            f"compile-time evaluation failed: {type(exc).__name__}: {exc}", ctx.loc(node)
        ) from exc


def _constant(ctx, node: ast.Constant):
    return node.value


def _name(ctx, node: ast.Name):
    return ctx.lookup(node.id, node)


def _companion_array(ctx, base: NdarrayValue, attr: str) -> NdarrayValue | None:
    """``x.grad`` of an ndarray parameter: one more flat argument, found at launch through the argument itself
    (``runtime/members.py``, source ``("companion", param, attr)``; docs/autodiff.md)."""
    source = ctx.arg_sources[base.arg]
    if source[0] != "param":
        return None
    key = ("companion", source[1], attr)
    found = ctx.bound_fields.get(key)
    if found is None:
        spec = ctx.args[base.arg]
        index = ctx.add_arg(type(spec)(f"{spec.name}.{attr}", spec.dtype, spec.ndim), key)
        found = replace(base, arg=index, name=f"{base.name}.{attr}")
        ctx.bound_fields[key] = found
    return found


# attributes an ndarray or field has in Python scope but not in kernel code (upstream's), with what to write instead
_NOT_IN_KERNELS = {"ndim": "write len(x.shape) for the number of axes"}


def _ndarray_attribute(ctx, base: NdarrayValue, node: ast.Attribute):
    if node.attr == "shape":
        return base.shape
    if node.attr == "dtype":
        return base.dtype
    if node.attr in _NOT_IN_KERNELS:  # as upstream: neither an ndarray parameter nor a field has them in kernels
        raise QuadrantsCompilationError(
            f"'{node.attr}' of an ndarray or field is not available in kernel code, as upstream: "
            f"{_NOT_IN_KERNELS[node.attr]}",
            ctx.loc(node),
        )
    field = struct_values.bound_field_of(ctx, base)
    if field is not None and node.attr in ("grad", "dual"):
        companion = getattr(field, node.attr)
        if companion is not None and not companion._qd_placed:
            what = "Gradient" if node.attr == "grad" else "Dual"
            raise QuadrantsCompilationError(
                f"{what} {companion.name or node.attr} has not been placed, check whether `needs_{node.attr}=True`",
                ctx.loc(node),
            )
    if field is not None and hasattr(field, node.attr):  # x.snode, x.parent(): compile-time host values
        return ctx.host_value(getattr(field, node.attr))
    if field is None and node.attr in ("grad", "dual"):
        companion = _companion_array(ctx, base, node.attr)
        if companion is not None:
            return companion
    raise QuadrantsSyntaxError(f"ndarray has no attribute '{node.attr}' in kernel code", ctx.loc(node))


def _attribute(ctx, node: ast.Attribute):
    base = evaluate(ctx, node.value)
    if isinstance(base, NdarrayValue) and node.attr == "fill":
        if struct_values.bound_field_of(ctx, base) is None:  # as upstream, only a field's fill works in kernels
            raise QuadrantsCompilationError(
                "an ndarray has no 'fill' in kernel code, as upstream: fill it from Python scope (x.fill(v)) before "
                "the launch, or write the elements in a loop (for I in qd.grouped(x): x[I] = v)",
                ctx.loc(node),
            )
        return BoundMethod(base, fill_array)  # f.fill(x) of a field: a loop over the elements
    if isinstance(base, StructRef):
        return member(ctx, base, node.attr, node)
    if isinstance(base, struct_values.STRUCT_KINDS):
        return struct_values.attribute(ctx, base, node.attr, node)
    if isinstance(base, NdarrayValue) and base.view is not None:
        return buffer_views.view_attribute(ctx, base, node.attr, node)
    if isinstance(base, NdarrayValue):
        return _ndarray_attribute(ctx, base, node)
    if isinstance(base, MatrixValue):
        return matrix_attribute(ctx, node, base)
    if is_runtime(base):
        if node.attr == "dtype":
            return base.dtype
        raise QuadrantsSyntaxError(f"a run-time value has no attribute '{node.attr}'", ctx.loc(node))
    try:
        return ctx.host_value(getattr(base, node.attr))
    except AttributeError as exc:
        raise QuadrantsCompilationError(str(exc), ctx.loc(node)) from None


def _binop(ctx, node: ast.BinOp):
    a = evaluate(ctx, node.left)
    b = evaluate(ctx, node.right)
    return _binop_values(ctx, node, a, b)


def _binop_values(ctx, node: ast.BinOp, a, b):
    """Apply ``node.op`` to already evaluated operands."""
    if isinstance(a, MatrixValue) or isinstance(b, MatrixValue):
        return matrix.binary(ctx, node, lambda x, y: _binop_values(ctx, node, x, y), a, b)
    for v in (a, b):
        if isinstance(v, (NdarrayValue, IndexVector)):
            symbol = tr.BINARY_OPS[type(node.op)][1] if type(node.op) in tr.BINARY_OPS else type(node.op).__name__
            raise QuadrantsTypeError(  # upstream's fragment, then what to do
                f"unsupported operand type(s) for '{symbol}': arithmetic on a whole ndarray, field or index vector is "
                "not supported; index it (x[i], f[None])",
                ctx.loc(node),
            )
    if not is_runtime(a) and not is_runtime(b):
        return _python(ctx, node, _PY_BINARY[type(node.op)], a, b)
    if isinstance(node.op, ast.Pow):
        return tr.power(ctx, a, b, node)
    if type(node.op) not in tr.BINARY_OPS:
        raise QuadrantsSyntaxError(f"operator {type(node.op).__name__} is not supported", ctx.loc(node))
    op, symbol = tr.BINARY_OPS[type(node.op)]
    return tr.binary(ctx, op, symbol, a, b, node)


def _unaryop(ctx, node: ast.UnaryOp):
    return unary_values(ctx, node, evaluate(ctx, node.operand))


def unary_values(ctx, node, value):
    """Apply ``node.op`` (an ``ast.unaryop``) to an evaluated operand."""
    if isinstance(value, MatrixValue):  # per component; `not v` is a componentwise logical not, as upstream
        return matrix.elementwise(
            lambda x: _python(ctx, node, _PY_UNARY[type(node.op)], x) if not is_runtime(x) else tr.unary(ctx, node, x),
            value,
        )
    if not is_runtime(value):
        return _python(ctx, node, _PY_UNARY[type(node.op)], value)
    return tr.unary(ctx, node, value)


def _boolop(ctx, node: ast.BoolOp):
    """``and``/``or`` with Python value semantics and short-circuit evaluation (§4.3)."""
    symbol = "&&" if isinstance(node.op, ast.And) else "||"
    result = evaluate(ctx, node.values[0])
    for rhs_node in node.values[1:]:
        if not is_runtime(result):
            # a compile-time left operand decides statically
            if bool(result) == isinstance(node.op, ast.Or):
                return result
            result = evaluate(ctx, rhs_node)
            continue
        result = _short_circuit(ctx, node, symbol, result, rhs_node)
    return result


def _short_circuit(ctx, node, symbol, left, rhs_node):
    if left.dtype.is_float:
        raise QuadrantsTypeError(f"unsupported operand type(s) for '{symbol}'", ctx.loc(node))
    with ctx.block() as rhs_block, ctx.nested():
        right = tr.to_expr(ctx, evaluate(ctx, rhs_node), rhs_node)
    if right.dtype.is_float:
        raise QuadrantsTypeError(f"unsupported operand type(s) for '{symbol}'", ctx.loc(node))
    common = promote(left.dtype, right.dtype)
    result = ctx.new_var("bool_op", common)
    ctx.define(ir.Decl(result, tr.cast(ctx, left, common), ctx.loc(node)))
    rhs_block.append(ir.Assign(result, tr.cast(ctx, right, common), ctx.loc(rhs_node)))
    decides = ir.OpExpr(Op.NE, (left, ir.Const(0, left.dtype)), dtypes.u1)
    if symbol == "||":
        decides = ir.OpExpr(Op.LOGICAL_NOT, (decides,), dtypes.u1)
    ctx.emit(ir.If(decides, tuple(rhs_block), (), ctx.loc(node)))
    return ir.LocalRef(result)


def _ifexp(ctx, node: ast.IfExp):
    """``a if c else b``: only the selected branch is evaluated (§4.3)."""
    cond = evaluate(ctx, node.test)
    if isinstance(cond, MatrixValue):
        raise QuadrantsSyntaxError('Please use "qd.select" instead of a ternary with a vector condition', ctx.loc(node))
    if not is_runtime(cond):
        return evaluate(ctx, node.body if cond else node.orelse)
    cond = tr.check_condition(ctx, cond, node.test, "ternary condition")
    return lower_ternary(ctx, node, cond, evaluate)


def _compare(ctx, node: ast.Compare):
    """Chains ``a < b < c`` mean ``(a < b) and (b < c)``: ``b`` is evaluated once, ``c`` only when ``a < b``."""
    if ctx.static_depth > 0:
        operands = (node.left, *node.comparators)
        for k, op_node in enumerate(node.ops):
            if isinstance(op_node, (ast.Is, ast.IsNot)):
                check_static_identity(ctx, node, op_node, operands[k], operands[k + 1])
    left = evaluate(ctx, node.left)
    return _chain(ctx, node, left, list(zip(node.ops, node.comparators)))


def _chain(ctx, node, left, pairs):
    op_node, right_node = pairs[0]
    right = evaluate(ctx, right_node)
    if len(pairs) > 1 and is_runtime(right):
        right = ctx.temp(right, node)
    result = _compare_pair(ctx, node, op_node, left, right)
    if len(pairs) == 1:
        return result
    if not is_runtime(result):
        return _chain(ctx, node, right, pairs[1:]) if result else result
    var = ctx.new_var("chain", dtypes.u1)
    ctx.define(ir.Decl(var, result, ctx.loc(node)))
    with ctx.nested(), ctx.block() as guarded:
        rest = tr.to_expr(ctx, _chain(ctx, node, right, pairs[1:]), node)
        ctx.emit(ir.Assign(var, rest, ctx.loc(node)))
    ctx.emit(ir.If(ir.LocalRef(var), tuple(guarded), (), ctx.loc(node)))
    return ir.LocalRef(var)


def _compare_pair(ctx, node, op_node, left, right):
    if isinstance(left, MatrixValue) or isinstance(right, MatrixValue):
        return matrix.binary(ctx, node, lambda x, y: _compare_pair(ctx, node, op_node, x, y), left, right)
    if isinstance(op_node, (ast.Is, ast.IsNot, ast.In, ast.NotIn)) and ctx.static_depth == 0:
        if isinstance(op_node, (ast.Is, ast.IsNot)):
            word = "is" if isinstance(op_node, ast.Is) else "is not"
            raise QuadrantsSyntaxError(f'Operator "{word}" in Quadrants scope is not supported.', ctx.loc(node))
        raise QuadrantsSyntaxError(f'"{type(op_node).__name__}" is only supported inside `qd.static`.', ctx.loc(node))
    if not is_runtime(left) and not is_runtime(right):
        return _python(ctx, node, _PY_COMPARE[type(op_node)], left, right)
    if type(op_node) not in tr.COMPARE_OPS:
        raise QuadrantsSyntaxError(f"comparison {type(op_node).__name__} is not supported", ctx.loc(node))
    return tr.compare(ctx, tr.COMPARE_OPS[type(op_node)], left, right, node)


def element_indices(ctx, target: NdarrayValue, index_node: ast.AST, node: ast.AST) -> tuple:
    """The index expressions of ``x[...]`` for ndarray ``target``: i32, except 32- and 64-bit integer indices, kept.

    A narrow index (i8, u16, bool, ...) is widened to i32 as upstream does; an i64/u64 index is kept so that arrays
    of more than 2^31 elements can be addressed (backends widen to 64 bits before scaling by strides), and a u32 one
    so that values past 2^31 are not read as negative.
    """
    return index_values(ctx, target, _flatten_index(evaluate(ctx, index_node)), index_node, node)


def index_values(ctx, target: NdarrayValue, items: list, index_node: ast.AST | None, node: ast.AST) -> tuple:
    """The physical indices of element ``items`` (one compile- or run-time integer per axis) of ``target``."""
    if len(items) != target.ndim:
        raise QuadrantsIndexError(
            f"ndarray '{target.name}' has {target.ndim} dimension(s) but is indexed with {len(items)} index(es)",
            ctx.loc(node),
        )
    out = []
    for item in items:
        value = tr.to_expr(ctx, item, node)
        if value.dtype.is_float:
            raise QuadrantsTypeError(f"ndarray indices must be integers, got {value.dtype}", ctx.loc(node))
        out.append(value if value.dtype.bits >= 32 else tr.cast(ctx, value, dtypes.i32))
    if getattr(target, "clamp", False):
        out = [_clamped(ctx, index, extent, node) for index, extent in zip(out, target.shape)]
    if getattr(target, "view", None) is not None:  # a qd.BufferView: i + offset, checked under debug
        out = buffer_views.view_indices(ctx, target, out, index_node, node)
    for k, offset in enumerate(getattr(target, "index_offset", ())):  # a field with offset=: physical = i - offset
        if offset:
            out[k] = ir.OpExpr(Op.SUB, (out[k], ir.Const(offset, out[k].dtype)), out[k].dtype)
    return (*target.index_prefix, *out)


def _clamped(ctx, index, extent, node):
    """``min(max(index, 0), extent - 1)``: an index into a ``boundary="clamp"`` ndarray axis, as upstream."""
    extent = tr.cast(ctx, tr.to_expr(ctx, extent, node), index.dtype)
    last = ir.OpExpr(Op.SUB, (extent, ir.Const(1, index.dtype)), index.dtype)
    low = ir.OpExpr(Op.MAX, (index, ir.Const(0, index.dtype)), index.dtype)
    return ir.OpExpr(Op.MIN, (low, last), index.dtype)


def _flatten_index(key) -> list:
    if isinstance(key, IndexVector):
        return list(key.items)
    if isinstance(key, MatrixValue) and key.is_vector:  # x[I] with an integer vector I = qd.Vector([i, j])
        return list(key.items)
    if isinstance(key, (tuple, list)):
        out = []
        for k in key:
            out.extend(_flatten_index(k))
        return out
    if key is None:
        return []
    return [key]


def load_element(ctx, target: NdarrayValue, indices: tuple, node: ast.AST):
    """``x[i, j]``: a scalar, or for vector/matrix elements a MatrixValue of per-component loads."""
    if target.element_shape:
        items = []
        for component in _component_indices(target.element_shape):
            items.append(load_element(ctx, _scalar_view(target), indices + component, node))
        return MatrixValue(tuple(items), target.element_shape, clamp=target.clamp)
    var = ctx.new_var(f"{target.name}_elem", target.dtype)
    ctx.define(ir.Load(var, target.arg, indices, ctx.loc(node)))
    return ir.LocalRef(var)


def _component_indices(element_shape: tuple[int, ...]) -> list[tuple]:
    import itertools

    return [tuple(ir.Const(k, dtypes.i32) for k in ks) for ks in itertools.product(*(range(s) for s in element_shape))]


def _scalar_view(target: NdarrayValue) -> NdarrayValue:
    """The same argument seen as a scalar ndarray with the element axes as trailing axes."""
    import dataclasses

    return dataclasses.replace(
        target, ndim=target.ndim + len(target.element_shape), element_shape=(), static_shape=None
    )


def component_targets(target: NdarrayValue, indices: tuple) -> list[tuple]:
    """(scalar view, physical indices) for every component of element ``indices`` (row-major)."""
    view = _scalar_view(target)
    return [(view, indices + c) for c in _component_indices(target.element_shape)]


def _subscript(ctx, node: ast.Subscript):
    base = evaluate(ctx, node.value)
    if isinstance(base, NdarrayValue) and base.view is not None and isinstance(node.slice, ast.Slice):
        return buffer_views.slice_view(ctx, node, base, evaluate)  # v[a:b] of a qd.BufferView
    if has_slice(node.slice) and (isinstance(base, NdarrayValue) or tiles.is_tile(base)):
        return tile_slices.array_slice(ctx, node, base, evaluate, index_values)  # arr[r0:r1, c0:c1]: for tiles
    if isinstance(base, NdarrayValue):
        return load_element(ctx, base, element_indices(ctx, base, node.slice, node), node)
    if isinstance(base, struct_values.StructFieldRef):  # x[i] of a field of structs: members load lazily
        return struct_values.element(ctx, base, element_indices(ctx, base, node.slice, node))
    if isinstance(base, MatrixValue) and has_slice(node.slice):  # v[1:], m[i, :]
        return slice_matrix(ctx, evaluate, node, base)
    index = evaluate(ctx, node.slice)
    if isinstance(base, MatrixValue):
        return _matrix_subscript(ctx, node, base, index)
    if isinstance(base, IndexVector):
        if is_runtime(index):
            raise QuadrantsTypeError("an index vector must be indexed with a compile-time int", ctx.loc(node))
        return base.items[index]
    if is_runtime(base):
        raise QuadrantsTypeError(f"a scalar of type {base.dtype} cannot be indexed", ctx.loc(node))
    if is_runtime(index):
        raise QuadrantsTypeError(
            f"a Python {type(base).__name__} cannot be indexed with a run-time value", ctx.loc(node)
        )
    return ctx.host_value(_python(ctx, node, operator.getitem, base, index))  # fields[l] of a list of fields


def _matrix_subscript(ctx, node, m: MatrixValue, index):
    keys = tuple(_flatten_index(index))  # m[i, j], or m[I] with a grouped index I (as upstream)
    wanted = 1 if m.is_vector else 2  # a matrix is indexed m[i, j] (upstream has no m[i] row)
    if len(keys) != wanted:
        raise QuadrantsIndexError(f"Expected {wanted} indices, got {len(keys)}", ctx.loc(node))
    if any(is_runtime(k) for k in keys):
        return matrix.dynamic_index(ctx, node, m, keys)
    for axis, (k, n) in enumerate(zip(keys, m.shape)):
        if isinstance(k, int) and not -n <= k < n:
            what = f"{n}-component vector" if m.is_vector else f"{m.shape[0]}x{m.shape[1]} matrix (axis {axis})"
            raise QuadrantsIndexError(
                f"index {k} is out of range for a {what}: valid indices are 0..{n - 1}", ctx.loc(node)
            )
    if m.is_vector:
        return _python(ctx, node, lambda: m.items[keys[0]])
    return _python(ctx, node, lambda: m.at(keys[0], keys[1]))


def _tuple(ctx, node: ast.Tuple):
    return tuple(_display_items(ctx, node.elts))


def _list(ctx, node: ast.List):
    return _display_items(ctx, node.elts)


def _display_items(ctx, elts) -> list:
    """The items of a tuple or list display; ``*s`` splices a compile-time sequence, a vector's components or a
    grouped index's axes (``x[(*I, j)]``), as in Python."""
    out = []
    for e in elts:
        if not isinstance(e, ast.Starred):
            out.append(evaluate(ctx, e))
            continue
        value = evaluate(ctx, e.value)
        if isinstance(value, IndexVector) or (isinstance(value, MatrixValue) and value.is_vector):
            out.extend(value.items)
        elif is_runtime(value) or not hasattr(value, "__iter__"):
            raise QuadrantsSyntaxError(
                "*s in a tuple or list must be a compile-time sequence, a vector or a qd.grouped index", ctx.loc(e)
            )
        else:
            out.extend(value)
    return out


def _list_comp(ctx, node: ast.ListComp):
    return comprehensions.list_comp(ctx, node, evaluate)


def _dict_comp(ctx, node: ast.DictComp):
    return comprehensions.dict_comp(ctx, node, evaluate)


def _call(ctx, node: ast.Call):
    call = ctx.lower.call

    return call(ctx, node)


def _joined_str(ctx, node: ast.JoinedStr):
    """An f-string: a compile-time string, or text with run-time fields that ``print`` writes (frontend/printing.py)."""
    return printing.joined_str(ctx, node, evaluate)


def _dict(ctx, node: ast.Dict) -> dict:
    """``{"a": x, ...}``: a compile-time dict (``qd.Struct({...})``); keys must be compile-time values."""
    out = {}
    for key_node, value_node in zip(node.keys, node.values):
        if key_node is None:
            raise QuadrantsSyntaxError("dict unpacking (**) is not supported in kernel code", ctx.loc(node))
        key = evaluate(ctx, key_node)
        if is_runtime(key) or isinstance(key, MatrixValue):
            raise QuadrantsTypeError("dict keys must be compile-time values", ctx.loc(key_node))
        out[key] = evaluate(ctx, value_node)
    return out


def _slice(ctx, node: ast.Slice):
    raise QuadrantsSyntaxError("slices are not supported in kernel code; index one element at a time", ctx.loc(node))


EXPR_HANDLERS = {
    ast.Constant: _constant,
    ast.Name: _name,
    ast.Attribute: _attribute,
    ast.BinOp: _binop,
    ast.UnaryOp: _unaryop,
    ast.BoolOp: _boolop,
    ast.IfExp: _ifexp,
    ast.Compare: _compare,
    ast.Subscript: _subscript,
    ast.Tuple: _tuple,
    ast.List: _list,
    ast.ListComp: _list_comp,
    ast.DictComp: _dict_comp,
    ast.Call: _call,
    ast.Dict: _dict,
    ast.JoinedStr: _joined_str,
    ast.Slice: _slice,
}
