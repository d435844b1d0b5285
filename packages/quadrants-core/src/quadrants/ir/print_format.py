"""Kernel ``print`` text: printf-style conversion specs, chosen at compile time and applied on the host.

A printed value is written with a C printf conversion spec (``%d``, ``%.2f``, ``%-+10.3e``, …), as upstream
Quadrants prints it. Each dtype has a default spec (:func:`default_spec`); a format spec written by the user
(``f"{x:.2f}"``, ``"{:e}".format(x)``) is checked against the dtype and merged with the default
(:func:`merge_spec`): the user's flags, width, precision and conversion, the dtype's length modifier, and the
dtype's precision where the user gives none (``f64`` prints 12 digits). The frontend stores the merged spec of every
value in :class:`~quadrants.ir.nodes.Print`; each backend moves the values to the host and renders the line with
:class:`PrintLayout`, so every backend prints the same text (docs/language.md, "Printing in kernels").
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass

from quadrants.ir.dtypes import DataType

__all__ = ["PrintLayout", "PrintSpecError", "default_spec", "merge_spec", "format_value"]

# %[flags][width][.precision][length][conversion]; the leading '%' and the conversion may be left out
_SPEC = re.compile(r"%?([-+ #0]+)?(\d+|\*)?(\.(?:\d+|\*))?(hh|ll|[hljztL])?([csdioxXufFeEaAgGnp])?")
_SIGNED, _UNSIGNED, _REAL = "di", "oxXu", "fFeEaAgG"
_UNSUPPORTED = "csnp"


class PrintSpecError(ValueError):
    """A format spec that cannot print a value of the given dtype; ``kind`` is ``"type"`` (a conversion of the
    wrong group, as ``'d'`` for an ``f32``) or ``"syntax"`` (not a printf spec at all)."""

    def __init__(self, message: str, kind: str):
        super().__init__(message)
        self.kind = kind


def default_spec(dtype: DataType) -> str:
    """The spec of a value printed without one: ``%d`` for signed ints and ``u1``, ``%u`` for unsigned, ``%f`` for
    ``f16``/``f32`` and ``%.12f`` for ``f64``."""
    if dtype.is_float:
        return "%.12f" if dtype.bits == 64 else "%f"
    return "%u" if dtype.kind == "uint" else "%d"


@functools.lru_cache(maxsize=1024)
def _parse(spec: str) -> tuple[str, str, str, str, str]:
    m = _SPEC.fullmatch(spec)
    if m is None:
        raise PrintSpecError(f"{spec} is not a valid printf specifier.", "syntax")
    return tuple(g or "" for g in m.groups())  # flags, width, .precision, length, conversion


def _group(conversion: str) -> str | None:
    for group in (_SIGNED, _UNSIGNED, _REAL):
        if conversion in group:
            return group
    return None


def _check_type(spec: str, conversion: str, dtype: DataType) -> None:
    if conversion in _UNSUPPORTED:
        raise PrintSpecError(f"conversion '{conversion}' is not supported.", "type")
    ok = {
        _REAL: dtype.is_float,
        _SIGNED: dtype.kind == "int",
        _UNSIGNED: dtype.kind in ("uint", "bool"),
    }[_group(conversion)]
    if not ok:
        raise PrintSpecError(f"'{spec}' doesn't match '{dtype.name}'.", "type")


def merge_spec(user: str | None, dtype: DataType) -> str:
    """The printf spec that prints a ``dtype`` value as the user asked (``user`` is the text after ``:`` in a
    replacement field, or None). Raises :class:`PrintSpecError` for a conversion of the wrong group, an unsupported
    conversion (``c s n p``), ``*`` widths and text that is not a printf spec."""
    default = default_spec(dtype)
    if not user:
        return default
    flags, width, precision, _length, conversion = _parse(user)
    if conversion:
        _check_type(user, conversion, dtype)
    if width == "*" or precision == ".*":
        raise PrintSpecError(f"The {user} printf specifier is not supported", "syntax")
    _, _, default_precision, _, default_conversion = _parse(default)
    # the dtype decides the length modifier; the conversion stays the user's within its group (%x for a u32)
    return "%" + flags + width + (precision or default_precision) + (conversion or default_conversion)


def _hex_float(value: float, precision: str, upper: bool) -> str:
    """C's ``%a``: ``0x1.4p+1``; without a precision the trailing zero digits are dropped, with one the mantissa is
    rounded (half to even) to that many hex digits."""
    if math.isinf(value) or math.isnan(value):
        text = ("-" if value < 0 else "") + ("inf" if math.isinf(value) else "nan")
        return text.upper() if upper else text
    sign = "-" if math.copysign(1.0, value) < 0 else ""
    mantissa, _, exponent = float.hex(abs(value)).partition("p")
    head, _, digits = mantissa[2:].partition(".")
    if precision:
        n, have = int(precision[1:]), len(digits)
        if n >= have:
            digits = digits.ljust(n, "0")
        else:
            q, r = divmod(int(head + digits, 16), 16 ** (have - n))
            half = 16 ** (have - n) // 2
            q += r > half or (r == half and q % 2 == 1)
            head, digits = f"{q >> (4 * n):x}", (f"{q & (16**n - 1):x}".rjust(n, "0") if n else "")
    else:
        digits = digits.rstrip("0")
    text = f"{sign}0x{head}{'.' + digits if digits else ''}p{int(exponent):+d}"
    return text.upper() if upper else text


def format_value(spec: str, value, dtype: DataType) -> str:
    """One value written with a merged printf ``spec`` (as :func:`merge_spec` returns it)."""
    flags, width, precision, _, conversion = _parse(spec)
    if dtype.is_float:
        number = float(value)
    else:
        number = int(value)
        if conversion in _REAL:  # not reachable through merge_spec; keep the value printable
            number = float(number)
    if conversion in "aA":
        body = _hex_float(number, precision, conversion == "A")
        if "+" in flags and not body.startswith("-"):
            body = "+" + body
        elif " " in flags and not body.startswith("-"):
            body = " " + body
        pad = int(width or 0) - len(body)
        if pad > 0:
            body = body + " " * pad if "-" in flags else " " * pad + body
        return body
    if conversion == "o" and "#" in flags:  # C writes a leading 0, Python a leading 0o
        flags = flags.replace("#", "")
        digits = "%" + "." + str(max(int(precision[1:] or 0), len(f"{number:o}") + 1)) + "o"
        body = digits % number
        pad = int(width or 0) - len(body)
        if pad > 0:
            fill = "0" if "0" in flags and "-" not in flags else " "
            body = body + " " * pad if "-" in flags else fill * pad + body
        return body
    return ("%" + flags + width + precision + conversion) % number


@dataclass(frozen=True)
class PrintLayout:
    """What the host needs to write one ``Print``: its literal text and, per value, dtype and printf spec."""

    parts: tuple  # str | tuple[DataType, str]
    sep: str = " "
    end: str = "\n"

    @classmethod
    def of(cls, s) -> PrintLayout:
        """The layout of a :class:`~quadrants.ir.nodes.Print` statement."""
        parts, k = [], 0
        for p in s.parts:
            if isinstance(p, str):
                parts.append(p)
            else:
                parts.append((p.dtype, s.specs[k] if s.specs else default_spec(p.dtype)))
                k += 1
        return cls(tuple(parts), s.sep, s.end)

    @property
    def dtypes(self) -> tuple[DataType, ...]:
        return tuple(p[0] for p in self.parts if not isinstance(p, str))

    def render(self, values) -> str:
        """The printed text for ``values`` (one per value part, as Python numbers), ``end`` included."""
        out, k = [], 0
        for p in self.parts:
            if isinstance(p, str):
                out.append(p)
            else:
                out.append(format_value(p[1], values[k], p[0]))
                k += 1
        return self.sep.join(out) + self.end
