"""List and dict comprehensions in kernel code, unrolled at compile time.

``[r[i, k] for k in range(dim)]`` builds a Python list whose elements are the values of each unrolled iteration (so
``qd.Vector([...])`` of it is a vector). Every ``for`` clause iterates a compile-time iterable (``range`` with
compile-time bounds, ``qd.static(...)``, ``qd.ndrange``, a tuple or list, a vector's components or a matrix's rows)
and every ``if`` clause is a compile-time condition; the loop variables are compile-time values in their own scope.
"""

from __future__ import annotations

import ast

from quadrants.errors import QuadrantsSyntaxError, QuadrantsTypeError
from quadrants.frontend.values import IndexVector, MatrixValue, NdarrayValue, is_runtime

__all__ = ["list_comp", "dict_comp"]


def _items(ctx, iterable, node) -> list:
    if isinstance(iterable, MatrixValue):
        if iterable.is_vector:
            return list(iterable.items)
        n = iterable.shape[1]
        return [MatrixValue(row, (n,)) for row in iterable.rows()]
    if isinstance(iterable, IndexVector):
        return list(iterable.items)
    if is_runtime(iterable) or isinstance(iterable, NdarrayValue):
        raise QuadrantsTypeError(
            "a comprehension in kernel code iterates a compile-time sequence (range with compile-time bounds, "
            "qd.static(...), a tuple or a vector); write a for-loop for run-time iteration",
            ctx.loc(node),
        )
    try:
        return list(iterable)
    except TypeError:
        raise QuadrantsTypeError(f"cannot iterate over {type(iterable).__name__}", ctx.loc(node)) from None


def _bind(ctx, target: ast.AST, value, node) -> None:
    if isinstance(target, ast.Name):
        ctx.bind(target.id, value)  # a fresh scope per iteration, as Python's comprehension scope
        return
    if isinstance(target, (ast.Tuple, ast.List)):
        parts = list(value.items) if isinstance(value, (MatrixValue, IndexVector)) else value
        if not isinstance(parts, (list, tuple)) or len(parts) != len(target.elts):
            raise QuadrantsSyntaxError("The number of targets is not equal to value length", ctx.loc(node))
        for t, v in zip(target.elts, parts):
            _bind(ctx, t, v, node)
        return
    raise QuadrantsSyntaxError("a comprehension target must be a name or a tuple of names", ctx.loc(target))


def _unroll(ctx, node, generators: list, evaluate, emit) -> None:
    if not generators:
        emit()
        return
    gen = generators[0]
    if gen.is_async:
        raise QuadrantsSyntaxError("async comprehensions are not supported in kernel code", ctx.loc(node))
    for item in _items(ctx, evaluate(ctx, gen.iter), gen.iter):
        with ctx.scope():
            _bind(ctx, gen.target, item, node)
            if all(_condition(ctx, cond, evaluate) for cond in gen.ifs):
                _unroll(ctx, node, generators[1:], evaluate, emit)


def _condition(ctx, cond: ast.AST, evaluate) -> bool:
    value = evaluate(ctx, cond)
    if is_runtime(value) or isinstance(value, MatrixValue):
        raise QuadrantsTypeError("an 'if' clause of a comprehension must be a compile-time condition", ctx.loc(cond))
    return bool(value)


def list_comp(ctx, node: ast.ListComp, evaluate) -> list:
    """``[elt for ... in ... if ...]``: a Python list of the unrolled values."""
    out: list = []
    _unroll(ctx, node, node.generators, evaluate, lambda: out.append(evaluate(ctx, node.elt)))
    return out


def dict_comp(ctx, node: ast.DictComp, evaluate) -> dict:
    """``{key: value for ...}``: a Python dict; keys must be compile-time values."""
    out: dict = {}

    def emit():
        key = evaluate(ctx, node.key)
        if is_runtime(key) or isinstance(key, MatrixValue):
            raise QuadrantsTypeError("dict comprehension keys must be compile-time values", ctx.loc(node.key))
        out[key] = evaluate(ctx, node.value)

    _unroll(ctx, node, node.generators, evaluate, emit)
    return out
