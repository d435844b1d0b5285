"""Methods and attributes of vectors and matrices in kernel code (``v.norm()``, ``m.inverse()``, ``v.xy``, ``m.n``).

:data:`METHODS` maps a method name to its lowering ``(ctx, node, m, args, kwargs)``; :func:`attribute` resolves
``value.name``. The public helpers (:func:`dot`, :func:`cross`, :func:`norm`, :func:`normalized`, …) take already
evaluated values and are what other kernel-language functions (``qd.math``) build on. Every method evaluates the same
expression tree as upstream Quadrants 1.3.3, so float results round identically; the type rules follow from it
(``norm`` adds a ``0.0`` literal before the square root, so an ``f16`` or integer vector has an ``f32`` norm).
"""

from __future__ import annotations

import functools

from quadrants.errors import QuadrantsCompilationError, QuadrantsSyntaxError, QuadrantsTypeError
from quadrants.frontend import matrix_arith as a, typing_rules as tr
from quadrants.frontend.matrix_linalg import determinant, inverse, square_size
from quadrants.frontend.swizzle import read_swizzle
from quadrants.frontend.values import BoundMethod, MatrixValue, is_runtime
from quadrants.ir import dtypes, nodes as ir
from quadrants.ir.dtypes import promote
from quadrants.ir.ops import Op

__all__ = [
    "METHODS",
    "attribute",
    "dot",
    "cross",
    "outer_product",
    "norm_sqr",
    "norm",
    "norm_inv",
    "normalized",
    "total",
    "trace",
    "transpose",
    "frobenius_inner",
    "determinant",
    "inverse",
    "cast_components",
    "bind_params",
    "REQUIRED",
]


# ----------------------------------------------------------------------------------------------- checks


def _need_matrix(ctx, node, value, what: str = "not tensor type") -> MatrixValue:
    if not isinstance(value, MatrixValue):
        raise QuadrantsCompilationError(f"{what}: {type(value).__name__}", ctx.loc(node))
    return value


def _need_vector(ctx, node, value, what: str = "expected a vector") -> MatrixValue:
    if not isinstance(value, MatrixValue) or not value.is_vector:
        raise QuadrantsCompilationError(f"{what}, got {_describe(value)}", ctx.loc(node))
    return value


def _describe(value) -> str:
    return f"shape {value.shape}" if isinstance(value, MatrixValue) else type(value).__name__


def _same_shape(ctx, node, x: MatrixValue, y: MatrixValue) -> None:
    if x.shape != y.shape:
        raise QuadrantsCompilationError(
            f"required shapes to be the same, got shapes {[x.shape, y.shape]}", ctx.loc(node)
        )


REQUIRED = object()  # marks a parameter without a default in bind_params specs


def bind_params(ctx, node, name: str, args: list, kwargs: dict, spec: tuple) -> list:
    """Bind ``args``/``kwargs`` to ``spec`` = ((name, default), ...); a missing required one is a compile error."""
    if len(args) > len(spec):
        raise QuadrantsTypeError(f"{name}() takes {len(spec)} argument(s) but {len(args)} were given", ctx.loc(node))
    unknown = set(kwargs) - {p for p, _ in spec}
    if unknown:
        raise QuadrantsTypeError(f"{name}() got an unexpected keyword argument {sorted(unknown)[0]!r}", ctx.loc(node))
    values = []
    for k, (param, default) in enumerate(spec):
        if k < len(args):
            values.append(args[k])
        elif param in kwargs:
            values.append(kwargs[param])
        elif default is REQUIRED:
            raise QuadrantsTypeError(f"{name}() missing required argument '{param}'", ctx.loc(node))
        else:
            values.append(default)
    return values


# --------------------------------------------------------------------------------------- public helpers


def _products(ctx, node, x: MatrixValue, y: MatrixValue) -> list:
    return [a.mul(ctx, node, p, q) for p, q in zip(x.items, y.items)]


def total(ctx, node, m: MatrixValue):
    """``m.sum()``: every component added left to right in row-major order."""
    return a.total(ctx, node, m.items)


def _tensor_type(ctx, node, m: MatrixValue) -> str:
    """Upstream's name of a vector/matrix type in messages: ``[Tensor (2, 3) f32]``."""
    dtype = functools.reduce(promote, (tr.to_expr(ctx, item, node).dtype for item in m.items))
    return f"[Tensor ({', '.join(map(str, m.shape))}) {dtype}]"


def dot(ctx, node, x, y):
    """``x.dot(y)`` of two vectors of one size: ``sum(x * y)``."""
    x = _need_vector(ctx, node, x, "lhs for dot is not a vector")
    y = _need_vector(ctx, node, y, "rhs for dot is not a vector")
    if x.shape != y.shape:  # upstream's words: its dot is sum(x * y), and the product is what fails
        raise QuadrantsTypeError(
            f"unsupported operand type(s) for '*': '{_tensor_type(ctx, node, x)}' and '{_tensor_type(ctx, node, y)}' "
            f"(x.dot(y) required shapes to be the same, got shapes {[x.shape, y.shape]})",
            ctx.loc(node),
        )
    return a.total(ctx, node, _products(ctx, node, x, y))


def frobenius_inner(ctx, node, x, y):
    """``x.frobenius_inner(y)``: the sum of the componentwise products of two values of one shape."""
    x, y = _need_matrix(ctx, node, x), _need_matrix(ctx, node, y)
    _same_shape(ctx, node, x, y)
    return a.total(ctx, node, _products(ctx, node, x, y))


def norm_sqr(ctx, node, m):
    """``m.norm_sqr()``: the sum of the squared components (the operand's type)."""
    m = _need_matrix(ctx, node, m)
    return a.total(ctx, node, _products(ctx, node, m, m))


def norm(ctx, node, m, eps=0.0):
    """``m.norm(eps=0.0)``: ``sqrt(norm_sqr + eps)``; the ``0.0`` default makes integer and f16 operands f32."""
    return a.sqrt(ctx, node, a.add(ctx, node, norm_sqr(ctx, node, m), eps))


def norm_inv(ctx, node, m, eps=0.0):
    """``m.norm_inv(eps=0.0)``: ``rsqrt(norm_sqr + eps)``."""
    return a.rsqrt(ctx, node, a.add(ctx, node, norm_sqr(ctx, node, m), eps))


def normalized(ctx, node, v, eps=0.0) -> MatrixValue:
    """``v.normalized(eps=0.0)``: ``(1 / (norm + eps)) * v``."""
    v = _need_vector(ctx, node, v)
    inv_len = ctx.temp(tr.to_expr(ctx, a.div(ctx, node, 1, a.add(ctx, node, norm(ctx, node, v), eps)), node), node)
    return MatrixValue(tuple(a.mul(ctx, node, inv_len, x) for x in v.items), v.shape)


def cross(ctx, node, x, y):
    """``x.cross(y)``: a scalar for 2D vectors, a vector for 3D vectors."""
    x = _need_vector(ctx, node, x, "lhs for cross is not a vector")
    y = _need_vector(ctx, node, y, "rhs for cross is not a vector")
    _same_shape(ctx, node, x, y)
    p, q = x.items, y.items

    def term(i, j):
        return a.sub(ctx, node, a.mul(ctx, node, p[i], q[j]), a.mul(ctx, node, p[j], q[i]))

    if x.shape == (2,):
        return term(0, 1)
    if x.shape == (3,):
        return MatrixValue((term(1, 2), term(2, 0), term(0, 1)), (3,))
    raise QuadrantsCompilationError(f"cross() needs two 2D or two 3D vectors, got shape {x.shape}", ctx.loc(node))


def outer_product(ctx, node, x, y) -> MatrixValue:
    """``x.outer_product(y)``: the ``len(x)``×``len(y)`` matrix of products ``x[i] * y[j]``."""
    x = _need_vector(ctx, node, x, "lhs for outer_product is not a vector")
    y = _need_vector(ctx, node, y, "rhs for outer_product is not a vector")
    items = tuple(a.mul(ctx, node, p, q) for p in x.items for q in y.items)
    return MatrixValue(items, (x.shape[0], y.shape[0]))


def transpose(ctx, node, m) -> MatrixValue:
    """``m.transpose()`` of a matrix (a vector has none: use ``outer_product``)."""
    m = _need_matrix(ctx, node, m)
    if m.is_vector:
        raise QuadrantsCompilationError(
            "`transpose()` cannot apply to a vector. If you want something like `a @ b.transpose()`, write "
            "`a.outer_product(b)` instead.",
            ctx.loc(node),
        )
    rows, cols = m.shape
    return MatrixValue(tuple(m.at(r, c) for c in range(cols) for r in range(rows)), (cols, rows))


def trace(ctx, node, m):
    """``m.trace()``: the diagonal of a square matrix added in order."""
    n = square_size(ctx, node, _need_matrix(ctx, node, m))
    return a.total(ctx, node, [m.at(k, k) for k in range(n)])


def cast_components(ctx, node, m: MatrixValue, dtype) -> MatrixValue:
    """``m.cast(dtype)``: every component converted by docs/semantics.md §5 (``int``/``float`` mean default_ip/fp)."""
    from quadrants.frontend.annotations import to_dtype

    try:
        target = to_dtype(dtype, ctx.default_ip, ctx.default_fp)
    except TypeError as exc:
        raise QuadrantsTypeError(str(exc), ctx.loc(node)) from None
    return MatrixValue(tuple(tr.cast(ctx, x, target, node) for x in m.items), m.shape)


def _truth(ctx, node, m: MatrixValue, op: Op):
    flags = [tr.compare(ctx, Op.NE, x, 0, node) if is_runtime(x) else bool(x) for x in m.items]

    def combine(ctx, node, p, q):
        if not is_runtime(p) and not is_runtime(q):
            return (p or q) if op == Op.BIT_OR else (p and q)
        return ir.OpExpr(op, (tr.cast(ctx, p, dtypes.u1), tr.cast(ctx, q, dtypes.u1)), dtypes.u1)

    result = a.fold(ctx, node, flags, combine)
    return tr.to_expr(ctx, result, node) if not is_runtime(result) else result


# ------------------------------------------------------------------------------------------ method rows


def _m_dot(ctx, node, m, args, kwargs):
    (other,) = bind_params(ctx, node, "dot", args, kwargs, (("other", REQUIRED),))
    return dot(ctx, node, m, _coerce(ctx, node, other))


def _m_cross(ctx, node, m, args, kwargs):
    (other,) = bind_params(ctx, node, "cross", args, kwargs, (("other", REQUIRED),))
    return cross(ctx, node, m, _coerce(ctx, node, other))


def _m_outer_product(ctx, node, m, args, kwargs):
    (other,) = bind_params(ctx, node, "outer_product", args, kwargs, (("other", REQUIRED),))
    return outer_product(ctx, node, m, _coerce(ctx, node, other))


def _m_frobenius_inner(ctx, node, m, args, kwargs):
    (other,) = bind_params(ctx, node, "frobenius_inner", args, kwargs, (("other", REQUIRED),))
    return frobenius_inner(ctx, node, m, _coerce(ctx, node, other))


def _with_eps(fn, name: str):
    def lower(ctx, node, m, args, kwargs):
        (eps,) = bind_params(ctx, node, name, args, kwargs, (("eps", 0.0),))
        return fn(ctx, node, m, eps)

    return lower


def _no_args(fn, name: str):
    def lower(ctx, node, m, args, kwargs):
        bind_params(ctx, node, name, args, kwargs, ())
        return fn(ctx, node, m)

    return lower


def _m_cast(ctx, node, m, args, kwargs):
    (dtype,) = bind_params(ctx, node, "cast", args, kwargs, (("dtype", REQUIRED),))
    return cast_components(ctx, node, m, dtype)


def _m_minmax(op: Op, name: str):
    def lower(ctx, node, m, args, kwargs):
        bind_params(ctx, node, name, args, kwargs, ())
        return tr.scalar_minmax(ctx, node, op, list(m.items))

    return lower


def _m_any(ctx, node, m, args, kwargs):
    bind_params(ctx, node, "any", args, kwargs, ())
    return _truth(ctx, node, m, Op.BIT_OR)


def _m_all(ctx, node, m, args, kwargs):
    bind_params(ctx, node, "all", args, kwargs, ())
    return _truth(ctx, node, m, Op.BIT_AND)


def _m_get_shape(ctx, node, m, args, kwargs):
    bind_params(ctx, node, "get_shape", args, kwargs, ())
    return m.shape


def _m_fill(ctx, node, m, args, kwargs):
    """``v.fill(x)``: assigns ``x`` to every component of the vector/matrix named by the call's receiver."""
    (value,) = bind_params(ctx, node, "fill", args, kwargs, (("val", REQUIRED),))
    from quadrants.frontend.matrix_stores import fill_components

    fill_components(ctx, node.func.value, m, value, node)


def _coerce(ctx, node, value):
    """A Python list operand (``v.dot([1, 2])``) becomes a vector, as upstream converts it."""
    if isinstance(value, (list, tuple)):
        from quadrants.frontend.matrix import make_matrix

        return make_matrix(ctx, list(value), node)
    return value


# method name -> lowering(ctx, node, matrix, args, kwargs)
METHODS = {
    "dot": _m_dot,
    "cross": _m_cross,
    "outer_product": _m_outer_product,
    "frobenius_inner": _m_frobenius_inner,
    "norm": _with_eps(norm, "norm"),
    "norm_inv": _with_eps(norm_inv, "norm_inv"),
    "normalized": _with_eps(normalized, "normalized"),
    "norm_sqr": _no_args(norm_sqr, "norm_sqr"),
    "sum": _no_args(total, "sum"),
    "trace": _no_args(trace, "trace"),
    "transpose": _no_args(transpose, "transpose"),
    "determinant": _no_args(determinant, "determinant"),
    "inverse": _no_args(inverse, "inverse"),
    "cast": _m_cast,
    "max": _m_minmax(Op.MAX, "max"),
    "min": _m_minmax(Op.MIN, "min"),
    "any": _m_any,
    "all": _m_all,
    "fill": _m_fill,
    "get_shape": _m_get_shape,
}


def attribute(ctx, node, m: MatrixValue):
    """``m.<name>`` in kernel code: a bound method, ``n``/``m`` or a swizzle (``v.xy``, ``v.rgb``, ``v.stp``)."""
    name = node.attr
    if name in METHODS:
        return BoundMethod(m, METHODS[name])
    if name == "n":
        return m.shape[0]
    if name == "m":
        if m.is_vector:
            raise QuadrantsCompilationError(f"Getting m of tensor type < 2D: shape {m.shape}", ctx.loc(node))
        return m.shape[1]
    if name == "T":  # as upstream (matrix_ops has no T): only the method
        raise QuadrantsCompilationError(
            "vectors/matrices have no attribute 'T' in kernel code, as upstream: write m.transpose()", ctx.loc(node)
        )
    found = read_swizzle(ctx, node, m, name)
    if found is None:
        raise QuadrantsSyntaxError(f"vectors/matrices have no attribute '{name}'", ctx.loc(node))
    return found
