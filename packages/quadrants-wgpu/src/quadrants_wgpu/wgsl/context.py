"""The expression context shared by the WGSL emitters, and the small vocabulary every emitter uses on it.

:class:`ExprCtx` carries what expression emission needs to know (argument offsets, ``fast_math``, the device's
:class:`~quadrants_wgpu.wgsl.target.ShaderTarget`) and records the library helpers it used. :func:`category` sorts a
dtype by how its values are represented on that target (:mod:`.names`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from quadrants.ir.dtypes import DataType
from quadrants_wgpu.wgsl.names import WORDS_PLAIN, is_pair, value_type, zero
from quadrants_wgpu.wgsl.target import ShaderTarget

__all__ = ["ExprCtx", "category", "as_bool", "from_bool"]


@dataclass
class ExprCtx:
    """What expression emission needs to know about the program and the task, and what it records."""

    scalar_offsets: dict[int, int]  # scalar arg index -> word offset in qd_args
    shape_offsets: dict[int, int]  # ndarray arg index -> word offset of its shape in qd_args
    kv_offsets: dict[int, int]  # kernel var id -> word offset in qd_kv
    fast_math: bool = False
    kv_words: str = WORDS_PLAIN  # qd_kv's element type: atomic in a shader that updates a kernel var atomically
    target: ShaderTarget = field(default_factory=ShaderTarget)
    helpers: set[str] = field(default_factory=set)

    def use(self, name: str) -> str:
        """Record that helper ``name`` is needed; return the name."""
        self.helpers.add(name)
        return name

    def vt(self, dtype: DataType) -> str:
        """The WGSL representation type of ``dtype`` on this target."""
        return value_type(dtype, self.target)


def category(cx: ExprCtx, dtype: DataType) -> str:
    """``"f"`` float, ``"w"`` paired 64-bit int (no ``shader-int64``), ``"s"`` signed integer representation
    (``i32``, native ``i64``), ``"u"`` unsigned (``u32``, native ``u64``)."""
    if dtype.is_float:
        return "f"
    if is_pair(dtype, cx.target):
        return "w"
    return "s" if cx.vt(dtype).startswith("i") else "u"


def as_bool(cx: ExprCtx, expr: str, dtype: DataType) -> str:
    """A WGSL ``bool`` that is true when ``expr`` (of ``dtype``) is non-zero (NaN counts as non-zero)."""
    if is_pair(dtype, cx.target):
        return f"any(({expr}) != vec2<u32>(0u, 0u))"
    if dtype.is_float:
        return f"(!(({expr}) == {zero(dtype, cx.target)}))"  # unordered: NaN is true
    return f"(({expr}) != {zero(dtype, cx.target)})"


def from_bool(b: str) -> str:
    """The ``u1`` value (``u32`` 0 or 1) of a WGSL ``bool``."""
    return f"select(0u, 1u, {b})"
