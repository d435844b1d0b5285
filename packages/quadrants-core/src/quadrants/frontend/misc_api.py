"""Small kernel functions of the ``qd`` namespace: ``qd.assume_in_range``, ``qd.volatile_load``, ``qd.cache_read_only``,
``qd.frexp``, ``qd.clock_counter`` (docs/misc-functions.md).

Each is a host callable (its Python-scope behaviour) with a ``_qd_constructor`` hook that kernel code reaches
(frontend/calls.py).
"""

from __future__ import annotations

import ast

import numpy as np

from quadrants.errors import QuadrantsSyntaxError, QuadrantsTypeError
from quadrants.frontend import typing_rules as tr
from quadrants.frontend.struct_values import StructValue
from quadrants.frontend.values import ArgBinding, LocalBinding, MatrixBinding, MatrixValue, NdarrayValue
from quadrants.ir import dtypes, nodes as ir
from quadrants.ir.ops import Op

__all__ = ["assume_in_range", "volatile_load", "cache_read_only", "frexp", "clock_counter"]


class _KernelFunction:
    def __init__(self, name: str, host, lower):
        self.__name__ = self.__qualname__ = name
        self.__doc__ = host.__doc__
        self._host, self._lower = host, lower

    def __repr__(self) -> str:
        return f"<quadrants function qd.{self.__name__}>"

    def __call__(self, *args, **kwargs):
        return self._host(*args, **kwargs)

    def _qd_constructor(self, ctx, node, args, kwargs):
        try:
            return self._lower(ctx, node, *args, **kwargs)
        except TypeError as exc:
            raise QuadrantsTypeError(f"qd.{self.__name__}(): {exc}", ctx.loc(node)) from None


def _assume_in_range_host(val, base, low, high):
    """``qd.assume_in_range(val, base, low, high)``: ``val``; a promise that ``base + low <= val < base + high``
    (upstream uses it to size block-local caches). The value is not changed or checked."""
    return val


def _assume_in_range(ctx, node, val, base, low, high):
    return val


_NOT_AN_LVALUE = "qd.volatile_load requires an lvalue (field / ndarray subscript) as its argument"
_WHOLE_FIELD = "cannot pass a Field directly to 'qd.volatile_load'; index it first (e.g. `field[None]`)"
_NOT_GLOBAL = (
    "qd.volatile_load() requires a global lvalue (field / ndarray subscript); function-scope local arrays are not "
    "visible to other threads."
)


def _volatile_load_host(target):
    """``qd.volatile_load(x)``: ``x``, an element of a field or ndarray (``f[i]``, ``a[i, j]``, ``v[i][k]``,
    ``s[i].m``), read from memory again, never from an earlier read (for spin-waits). Kernel code only: in Python
    scope there is no element to read, so it is the error upstream gives (``QuadrantsSyntaxError``)."""
    whole_field = getattr(target, "_is_quadrants_field", False)  # (the runtime's Field sits above the frontend)
    raise QuadrantsSyntaxError(_WHOLE_FIELD if whole_field else _NOT_AN_LVALUE)


def _argument_node(node):
    if node.args:
        return node.args[0]
    return next((k.value for k in node.keywords if k.arg == "target"), None)


def _volatile_load(ctx, node, target):
    """The element itself: every load here is already a fresh read in program order. What is checked is upstream's
    rule for the argument: an element of global memory, not a whole array, a local or a value."""
    if isinstance(target, NdarrayValue):
        message = _WHOLE_FIELD if target.static_shape is not None else _NOT_AN_LVALUE
        raise QuadrantsSyntaxError(message, ctx.loc(node))
    arg = _argument_node(node)
    root = arg
    while isinstance(root, (ast.Subscript, ast.Attribute)):
        root = root.value
    binding = ctx.lookup_local(root.id) if isinstance(root, ast.Name) else None
    if isinstance(binding, (LocalBinding, MatrixBinding, StructValue)):  # a local, or an element of a local array
        raise QuadrantsTypeError(_NOT_GLOBAL, ctx.loc(node))
    element = isinstance(arg, (ast.Subscript, ast.Attribute)) and isinstance(target, (ir.Expr, MatrixValue))
    if not element or (isinstance(binding, ArgBinding) and not isinstance(binding.value, NdarrayValue)):
        raise QuadrantsSyntaxError(_NOT_AN_LVALUE, ctx.loc(node))  # a value: a constant, an expression, an argument
    return target


def _cache_read_only_host(*fields):
    """``qd.cache_read_only(*fields)``: upstream's hint that the fields are only read by the next loop; checked, no
    effect on results."""
    return None


def _cache_read_only(ctx, node, *fields):
    for f in fields:
        if not isinstance(f, NdarrayValue):
            raise QuadrantsTypeError(f"qd.cache_read_only() takes fields, got {type(f).__name__}", ctx.loc(node))


def _frexp_host(x):
    """``qd.frexp(x)``: ``(m, e)`` with ``x == m * 2**e`` and ``0.5 <= |m| < 1`` (``(x, 0)`` for 0, inf, NaN), like
    ``numpy.frexp``; ``e`` is an i32."""
    m, e = np.frexp(x)
    return m, int(e) if np.ndim(e) == 0 else e


_FLOAT_BITS = {dtypes.f32: (dtypes.u32, 23, 8), dtypes.f64: (dtypes.u64, 52, 11)}


def _frexp(ctx, node, x):
    x = tr.to_expr(ctx, x, node)
    if not x.dtype.is_float:
        x = tr.cast(ctx, x, ctx.default_fp)
    dtype = x.dtype
    if dtype not in _FLOAT_BITS:  # f16: through f32, exactly
        m, e = _frexp(ctx, node, tr.cast(ctx, x, dtypes.f32))
        return tr.cast(ctx, m, dtype), e
    U, mbits, ebits = _FLOAT_BITS[dtype]
    i32 = dtypes.i32
    x = ctx.temp(x, node, "frexp_x")
    # subnormals: scale into the normal range first (exact), and take the scale back off the exponent
    tiny = ir.OpExpr(Op.LT, (ir.OpExpr(Op.ABS, (x,), dtype), ir.Const(2.0 ** (2 - 2 ** (ebits - 1)), dtype)), dtypes.u1)
    scaled = ctx.temp(ir.OpExpr(Op.SELECT, (tiny, ir.OpExpr(Op.MUL, (x, ir.Const(2.0**64, dtype)), dtype), x), dtype))
    bits = ctx.temp(ir.OpExpr(Op.BITCAST, (scaled,), U))
    field = ir.OpExpr(Op.BIT_AND, (ir.OpExpr(Op.SHR, (bits, ir.Const(mbits, U)), U), ir.Const((1 << ebits) - 1, U)), U)
    bias = 2 ** (ebits - 1) - 2
    exponent = ir.OpExpr(Op.SUB, (ir.OpExpr(Op.CAST, (field,), i32), ir.Const(bias, i32)), i32)
    exponent = ir.OpExpr(
        Op.SUB, (exponent, ir.OpExpr(Op.SELECT, (tiny, ir.Const(64, i32), ir.Const(0, i32)), i32)), i32
    )
    keep = ir.Const(((1 << (mbits + ebits + 1)) - 1) ^ (((1 << ebits) - 1) << mbits), U)  # sign and mantissa
    mantissa = ir.OpExpr(
        Op.BITCAST,
        (ir.OpExpr(Op.BIT_OR, (ir.OpExpr(Op.BIT_AND, (bits, keep), U), ir.Const(bias << mbits, U)), U),),
        dtype,
    )
    special = ir.OpExpr(  # 0, inf and NaN come back unchanged with exponent 0
        Op.SELECT,
        (
            ir.OpExpr(Op.EQ, (x, ir.Const(0.0, dtype)), dtypes.u1),
            ir.Const(True, dtypes.u1),
            ir.OpExpr(Op.EQ, (field, ir.Const((1 << ebits) - 1, U)), dtypes.u1),
        ),
        dtypes.u1,
    )
    m = ctx.temp(ir.OpExpr(Op.SELECT, (special, x, mantissa), dtype), node, "frexp_m")
    e = ctx.temp(ir.OpExpr(Op.SELECT, (special, ir.Const(0, i32), exponent), i32), node, "frexp_e")
    return m, e


def _clock_counter_host():
    """``qd.clock_counter()``: the device's clock counter as an ``i64``, read where the call stands in kernel code
    (two reads around some work give its duration in ticks; docs/misc-functions.md). The unit is the backend's:
    CPU timestamp-counter ticks on llvm-cpu, SM cycles on llvm-cuda, nanoseconds on the reference backend, and
    always 0 on wgpu (WGSL has no clock; upstream gives 0 on Vulkan without ``VK_KHR_shader_clock``).

    Kernel code only: from Python scope it raises ``AssertionError``, as upstream does."""
    raise AssertionError("qd.clock_counter() cannot be called in Python-scope: call it inside a kernel or qd.func")


def _clock_counter(ctx, node):
    # a statement, not an expression: an expression could be folded, merged with another read or hoisted
    var = ctx.new_var("clock", dtypes.i64)
    ctx.define(ir.ReadClock(var, ctx.loc(node)))
    return ir.LocalRef(var)


assume_in_range = _KernelFunction("assume_in_range", _assume_in_range_host, _assume_in_range)
volatile_load = _KernelFunction("volatile_load", _volatile_load_host, _volatile_load)
cache_read_only = _KernelFunction("cache_read_only", _cache_read_only_host, _cache_read_only)
frexp = _KernelFunction("frexp", _frexp_host, _frexp)
clock_counter = _KernelFunction("clock_counter", _clock_counter_host, _clock_counter)
