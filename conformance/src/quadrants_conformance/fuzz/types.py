"""The scalar type rules the generator needs to stay well typed (docs/semantics.md §4.1, §4.2, §5, §6), as small tables.

Types are Quadrants' short names (``"i32"``, ``"u8"``, ``"f32"``, ``"u1"``). These functions only decide which
expressions are legal and what type they have; the values are computed by the backends.
"""

from __future__ import annotations

__all__ = [
    "INTS",
    "FLOATS",
    "SIGNED",
    "bits",
    "is_float",
    "is_int",
    "promote",
    "binary_result",
    "int_range",
    "NP_NAMES",
]

SIGNED = ("i8", "i16", "i32", "i64")
UNSIGNED = ("u8", "u16", "u32", "u64")
INTS = SIGNED + UNSIGNED
FLOATS = ("f16", "f32", "f64")

NP_NAMES = {
    "i8": "int8",
    "i16": "int16",
    "i32": "int32",
    "i64": "int64",
    "u8": "uint8",
    "u16": "uint16",
    "u32": "uint32",
    "u64": "uint64",
    "f16": "float16",
    "f32": "float32",
    "f64": "float64",
}


def bits(t: str) -> int:
    """Bit width (``u1`` is 1)."""
    return 1 if t == "u1" else int(t[1:])


def is_float(t: str) -> bool:
    return t[0] == "f"


def is_int(t: str) -> bool:
    """Integer types, ``u1`` included."""
    return t[0] in "iu"


def promote(a: str, b: str) -> str:
    """The common type of ``a`` and ``b`` (docs/semantics.md §4.1)."""
    if is_float(a) and is_float(b):
        return a if bits(a) >= bits(b) else b
    if is_float(a):
        return a
    if is_float(b):
        return b
    if bits(a) != bits(b):
        return a if bits(a) > bits(b) else b
    if a != b:  # same width, different signedness: the unsigned one
        return a if a[0] == "u" else b
    return a


def binary_result(op: str, a: str, b: str) -> str | None:
    """Result type of ``a <op> b``, or ``None`` when the operands are not allowed (§4.2)."""
    if op in ("+", "-", "*", "//", "%"):
        return promote(a, b)
    if op == "/":
        return "f32" if is_int(a) and is_int(b) else promote(a, b)
    if op in ("&", "|", "^"):
        return promote(a, b) if is_int(a) and is_int(b) else None
    if op in ("<<", ">>"):
        return a if is_int(a) and is_int(b) else None
    if op in ("<", "<=", ">", ">=", "==", "!="):
        return "u1"
    raise KeyError(op)


def int_range(t: str) -> tuple[int, int]:
    """``(min, max)`` of an integer type."""
    w = bits(t)
    if t[0] == "i":
        return -(1 << (w - 1)), (1 << (w - 1)) - 1
    return 0, (1 << w) - 1
