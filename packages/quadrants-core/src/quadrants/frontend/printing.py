"""``print`` in kernel code, f-strings and ``str.format`` with run-time values (docs/language.md, "Printing in
kernels").

An f-string or a ``"...".format(...)`` call whose fields hold run-time values evaluates to a :class:`FormattedText`
(literal text and ``(value, spec)`` fields); ``print`` flattens its arguments (text, run-time scalars, vectors and
matrices as ``[[a, b], [c, d]]``, lists and tuples as ``[a, b]``) into one :class:`~quadrants.ir.nodes.Print` whose
values each carry a printf spec (:mod:`quadrants.ir.print_format`). As upstream: a value printed without a spec uses
its dtype's default (``%d``, ``%u``, ``%f``, ``%.12f`` for f64), a spec is a printf spec whose conversion must suit
the dtype (``'.2d' doesn't match 'f32'.``), and a compile-time value in a field without a spec is formatted by Python
(``{True}`` is ``True``), while a bare compile-time number printed as an argument is a constant (``print(True)``
writes ``1``).
"""

from __future__ import annotations

import ast
import string
from dataclasses import dataclass

from quadrants.errors import QuadrantsSyntaxError, QuadrantsTypeError
from quadrants.frontend import struct_values, typing_rules as tr
from quadrants.frontend.matrix import MatrixValue
from quadrants.frontend.values import NdarrayValue, is_runtime
from quadrants.ir import nodes as ir
from quadrants.ir.dtypes import DataType
from quadrants.ir.print_format import PrintSpecError, format_value, merge_spec

__all__ = ["FormattedText", "lower_print", "joined_str", "str_format", "is_str_format"]

_CONVERSIONS = {ord("s"): str, ord("r"): repr, ord("a"): ascii}


@dataclass(frozen=True)
class FormattedText:
    """Text with run-time fields: ``pieces`` are strings and ``(value, spec)`` pairs (``spec`` None: the default)."""

    pieces: tuple

    def __str__(self) -> str:  # where a compile-time string is needed (qd.static_print): run-time fields as upstream
        return "".join(p if isinstance(p, str) else "<qd.Expr>" for p in self.pieces)


def _spec_error(exc: PrintSpecError, ctx, node) -> Exception:
    if exc.kind == "type":
        return QuadrantsTypeError(str(exc), ctx.loc(node))
    return QuadrantsSyntaxError(f"{exc} Use a printf spec such as '.2f', '5d' or 'e'.", ctx.loc(node))


def _static_dtype(ctx, value) -> DataType | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return ctx.default_ip
    if isinstance(value, float):
        return ctx.default_fp
    return None


def _format_static(ctx, node, value, spec: str | None, conversion: int = -1) -> str:
    """A compile-time value in a replacement field: Python's formatting, except a number with a printf spec, which
    prints as the constant it would be in kernel code (``{2:.3}`` is ``2``, as ``%.3d``)."""
    if conversion in _CONVERSIONS:
        value = _CONVERSIONS[conversion](value)
    dtype = _static_dtype(ctx, value)
    if spec and dtype is not None:
        try:
            return format_value(merge_spec(spec, dtype), value, dtype)
        except PrintSpecError as exc:
            if exc.kind == "type":
                raise _spec_error(exc, ctx, node) from None
    try:
        return format(value, spec or "")
    except (TypeError, ValueError) as exc:
        raise QuadrantsTypeError(f"cannot format {value!r} with '{spec}': {exc}", ctx.loc(node)) from None


def _field(ctx, node, value, spec: str | None, conversion: int = -1):
    """One replacement field: a string piece for a compile-time value, else a ``(value, spec)`` field."""
    if isinstance(value, FormattedText):
        return value.pieces
    if is_runtime(value) or isinstance(value, MatrixValue):
        return ((value, spec),)
    if isinstance(value, NdarrayValue) or struct_values.is_struct(value):
        raise QuadrantsTypeError("an ndarray, field or struct cannot be formatted; format its elements", ctx.loc(node))
    return (_format_static(ctx, node, value, spec, conversion),)


def _text(pieces) -> str | FormattedText:
    """Fuse adjacent strings; a result without fields is a plain string."""
    out: list = []
    for p in pieces:
        if isinstance(p, str) and out and isinstance(out[-1], str):
            out[-1] += p
        elif not (isinstance(p, str) and not p):
            out.append(p)
    if all(isinstance(p, str) for p in out):
        return "".join(out)
    return FormattedText(tuple(out))


# ------------------------------------------------------------------------------------------------- f-strings


def joined_str(ctx, node: ast.JoinedStr, evaluate) -> str | FormattedText:
    """An f-string: a string when every field is a compile-time value, else a :class:`FormattedText`. ``evaluate``
    is the expression lowering (passed in: this module sits below ``exprs``)."""
    pieces: list = []
    for value in node.values:
        if isinstance(value, ast.Constant):
            pieces.append(str(value.value))
            continue
        spec = None
        if value.format_spec is not None:
            spec = joined_str(ctx, value.format_spec, evaluate)
            if isinstance(spec, FormattedText):
                raise QuadrantsSyntaxError("a format spec must be a compile-time string", ctx.loc(value))
        pieces.extend(_field(ctx, value, evaluate(ctx, value.value), spec or None, value.conversion))
    return _text(pieces)


# ----------------------------------------------------------------------------------------------- str.format


def is_str_format(fn) -> bool:
    """True for the bound method ``"...".format``."""
    return isinstance(getattr(fn, "__self__", None), str) and getattr(fn, "__name__", None) == "format"


def _fields(ctx, node, template: str):
    """``(literal, item, spec)`` per replacement field of ``template``; ``item`` is a position or a keyword.
    Unnumbered fields count from 0 on their own, also when numbered ones are mixed in (as upstream)."""
    out, unnamed = [], 0
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise QuadrantsSyntaxError(f"invalid format string {template!r}: {exc}", ctx.loc(node)) from None
    for literal, name, spec, conversion in parsed:
        if name is None:
            out.append((literal, None, None, -1))
            continue
        if name == "":
            item, unnamed = unnamed, unnamed + 1
        elif name.isdigit():
            item = int(name)
        elif name.isidentifier():
            item = name
        else:
            raise QuadrantsSyntaxError(
                f"format field {{{name}}} is not supported in kernel code; use a position or a keyword",
                ctx.loc(node),
            )
        out.append((literal, item, spec or None, ord(conversion) if conversion else -1))
    return out


def str_format(ctx, node, fn, args, kwargs) -> str | FormattedText:
    """``"...".format(*args, **kwargs)`` in kernel code; the argument checks are upstream's."""
    fields = _fields(ctx, node, fn.__self__)
    items = [item for _, item, _, _ in fields if item is not None]
    want = max((i for i in items if isinstance(i, int)), default=-1) + 1
    if want != len(args):
        raise QuadrantsSyntaxError(
            f"Expected {want} positional argument(s), but received {len(args)} instead.", ctx.loc(node)
        )
    for name in (i for i in items if isinstance(i, str)):
        if name not in kwargs:
            raise QuadrantsSyntaxError(f"Keyword '{name}' not found.", ctx.loc(node))
    for name in kwargs:
        if name not in items:
            raise QuadrantsSyntaxError(f"Keyword '{name}' not used.", ctx.loc(node))
    pieces: list = []
    for literal, item, spec, conversion in fields:
        pieces.append(literal)
        if item is not None:
            value = args[item] if isinstance(item, int) else kwargs[item]
            pieces.extend(_field(ctx, node, value, spec, conversion))
    return _text(pieces)


# ------------------------------------------------------------------------------------------------------ print


def _flatten(ctx, node, value, spec: str | None, out: list) -> None:
    """Append the pieces of one printed value to ``out``: strings and ``(Expr, spec)`` pairs."""
    if isinstance(value, FormattedText):
        for p in value.pieces:
            if isinstance(p, str):
                out.append(p)
            else:
                _flatten(ctx, node, p[0], p[1], out)
    elif is_runtime(value):
        out.append((value, spec))
    elif isinstance(value, MatrixValue):
        rows = value.rows() if not value.is_vector else None
        _flatten(ctx, node, [list(r) for r in rows] if rows else list(value.items), spec, out)
    elif isinstance(value, (list, tuple)):
        out.append("[")
        for k, item in enumerate(value):
            if k:
                out.append(", ")
            _flatten(ctx, node, item, spec, out)
        out.append("]")
    elif isinstance(value, str):
        out.append(value)
    elif struct_values.is_struct(value):
        raise QuadrantsTypeError(
            "Invalid constant scalar data type: a struct; print() cannot print a struct in kernel code, print its "
            "members",
            ctx.loc(node),
        )
    elif isinstance(value, NdarrayValue):
        raise QuadrantsTypeError(
            "print() cannot print a whole ndarray or field in kernel code; print its elements", ctx.loc(node)
        )
    elif isinstance(value, (bool, int, float)) or hasattr(value, "dtype"):
        out.append((tr.to_expr(ctx, value, node), spec))
    else:
        out.append(str(value))


def _option(ctx, node, kwargs, name: str, default: str) -> str:
    value = kwargs.get(name)
    if value is None:
        return default
    if not isinstance(value, str):
        raise QuadrantsSyntaxError(f"print()'s {name}= must be a compile-time string", ctx.loc(node))
    return value


def lower_print(ctx, node, args, kwargs) -> None:
    """``print(*args, sep=" ", end="\\n")`` in kernel code: one ``Print`` written when the launch runs."""
    extra = sorted(set(kwargs) - {"sep", "end"})
    if extra:
        raise QuadrantsSyntaxError(
            f"print() in kernel code takes only sep= and end=, not {', '.join(extra)}=", ctx.loc(node)
        )
    sep, end = _option(ctx, node, kwargs, "sep", " "), _option(ctx, node, kwargs, "end", "\n")
    pieces: list = []
    for k, value in enumerate(args):
        if k:
            pieces.append(sep)
        _flatten(ctx, node, value, None, pieces)
    parts: list = []
    specs: list[str] = []
    for p in pieces:
        if isinstance(p, str):
            if parts and isinstance(parts[-1], str):
                parts[-1] += p
            elif p:
                parts.append(p)
            continue
        expr, spec = p
        try:
            specs.append(merge_spec(spec, expr.dtype))
        except PrintSpecError as exc:
            raise _spec_error(exc, ctx, node) from None
        parts.append(expr)
    ctx.emit(ir.Print(tuple(parts), ctx.loc(node), tuple(specs), sep="", end=end))
