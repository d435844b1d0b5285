"""Transcendental functions in LLVM IR for targets without a math library (NVPTX, AMDGPU through llvmlite).

llvmlite cannot link libdevice or the ROCm device libraries, and LLVM lowers ``llvm.sin``/``llvm.exp``/``frem``…
to libm calls that a GPU module cannot resolve. The functions here are built from ``+ − × ÷``, ``fma``, ``sqrt``,
``round``/``trunc`` and bit manipulation only, in f64: f32 and f16 operands are widened, computed in f64 and rounded
once, which keeps them well inside the conformance budgets (``transcendental``: 4 ULP, ``pow``: 8 ULP).

Algorithms (f64 accuracy, measured against NumPy/mpmath on the conformance inputs, about 1–2 ULP):

* ``exp``: ``x = k·ln2 + r`` (Cody–Waite, |r| ≤ ln2/2), degree-13 Taylor polynomial, scaling by ``2^k`` in two steps;
* ``log``: fdlibm's ``log(1+f) = f − f²/2 + s·(f²/2 + R(s))`` with ``s = f/(2+f)`` on ``m ∈ [√½, √2)``;
* ``sin``/``cos``/``tan``: reduction by π/2 with a four-part Cody–Waite constant (accurate for |x| < 2^20·π/2;
  larger arguments lose accuracy), Taylor polynomials on [−π/4, π/4];
* ``atan`` (argument halving by ``1/x`` and the π/6 identity), ``atan2`` with the C99 special cases,
  ``asin``/``acos`` through ``atan2`` and ``(1−x)(1+x)``; ``sinh``/``cosh``/``tanh`` through ``exp`` and a Taylor
  ``expm1`` for small arguments;
* ``pow``: ``exp(y·log|x|)`` with ``log`` in double-double (``hi + lo``) and the product's rounding error fed back
  into ``exp``, so f64 results stay within a few ULP also where ``|y·log x|`` is large (``10^300``); the C99 special
  cases (signs of odd integer powers, ``pow(x, 0) = 1``, …);
* ``frem``: exact ``fmod`` by repeated exact subtraction of ``|y|·2^k``.
"""

from __future__ import annotations

import math

import llvmlite.ir as ll

from quadrants_llvm.builder.types import F64, I1, I64, intrinsic

__all__ = ["emit_math", "MATH_FUNCTIONS"]

LN2_HI, LN2_LO = 6.93147180369123816490e-01, 1.90821492927058770002e-10
PIO2_1, PIO2_2, PIO2_3 = 1.57079632673412561417e00, 6.07710050630396597660e-11, 2.02226624871116645580e-21
PIO2_3T = 8.47842766036889956997e-32  # π/2 − (PIO2_1 + PIO2_2 + PIO2_3)
PI_2 = (1.5707963267948966, 6.123233995736766e-17)
PI_6 = (0.5235987755982989, -5.360408832255455e-17)
PI = (3.141592653589793, 1.2246467991473532e-16)


class _F:
    """Small f64 vocabulary over one IRBuilder (no fast-math flags: every step is IEEE)."""

    def __init__(self, module: ll.Module, b: ll.IRBuilder):
        self.m, self.b = module, b

    def c(self, v: float):
        return ll.Constant(F64, v)

    def i(self, v: int):
        return ll.Constant(I64, v)

    def call(self, name, *xs):
        fn = intrinsic(self.m, "llvm." + name, F64, [F64] * len(xs), [F64])
        return self.b.call(fn, list(xs))

    def add(self, a, b):
        return self.b.fadd(a, b)

    def sub(self, a, b):
        return self.b.fsub(a, b)

    def mul(self, a, b):
        return self.b.fmul(a, b)

    def div(self, a, b):
        return self.b.fdiv(a, b)

    def fma(self, a, b, c):
        return self.call("fma", a, b, c)

    def abs(self, a):
        return self.call("fabs", a)

    def lt(self, a, b):
        return self.b.fcmp_ordered("<", a, b)

    def gt(self, a, b):
        return self.b.fcmp_ordered(">", a, b)

    def eq(self, a, b):
        return self.b.fcmp_ordered("==", a, b)

    def isnan(self, a):
        return self.b.fcmp_unordered("uno", a, a)

    def sel(self, c, a, b):
        return self.b.select(c, a, b)

    def bits(self, a):
        return self.b.bitcast(a, I64)

    def from_bits(self, a):
        return self.b.bitcast(a, F64)

    def signbit(self, a):
        return self.b.icmp_signed("<", self.bits(a), self.i(0))

    def copysign(self, mag, sign):
        return self.call("copysign", mag, sign)

    def poly(self, x, coeffs):
        """``coeffs[0] + coeffs[1]·x + …`` by Horner with fma."""
        acc = self.c(coeffs[-1])
        for k in reversed(coeffs[:-1]):
            acc = self.fma(acc, x, self.c(k))
        return acc

    def to_int(self, a):
        """Saturating f64 → i64 (NaN → 0)."""
        fn = intrinsic(self.m, "llvm.fptosi.sat", I64, [F64], [I64, F64])
        return self.b.call(fn, [a])

    def pow2(self, k):
        """``2^k`` for an i64 ``k`` in [−1022, 1023] (a normal number built from its bits)."""
        return self.from_bits(self.b.shl(self.b.add(k, self.i(1023)), self.i(52)))

    def ldexp(self, x, k):
        """``x·2^k`` for ``k`` in [−2098, 2046], in two exact steps where the result is normal."""
        k1 = self.b.ashr(k, self.i(1))
        return self.mul(self.mul(x, self.pow2(k1)), self.pow2(self.b.sub(k, k1)))


# ------------------------------------------------------------------------------------------------- the functions

_EXP_TAYLOR = [1.0 / math.factorial(n) for n in range(14)]
_EXPM1_TAYLOR = [0.0] + [1.0 / math.factorial(n) for n in range(1, 21)]
_SIN_TAYLOR = [(-1) ** n / math.factorial(2 * n + 1) for n in range(11)]  # in r², times r
_COS_TAYLOR = [(-1) ** n / math.factorial(2 * n) for n in range(11)]
_ATAN_TAYLOR = [(-1) ** n / (2 * n + 1) for n in range(16)]  # in z², times z
_LOG_R = [2.0 / (2 * n + 1) for n in range(1, 12)]  # R(s) = Σ 2 s^(2n) / (2n+1), in s², times s²
_SINH_TAYLOR = [1.0 / math.factorial(2 * n + 1) for n in range(9)]


def _exp(f: _F, x):
    k = f.call("rint", f.mul(x, f.c(1.4426950408889634)))
    r = f.fma(k, f.c(-LN2_HI), x)
    r = f.fma(k, f.c(-LN2_LO), r)
    p = f.poly(r, _EXP_TAYLOR)
    ki = f.to_int(f.sel(f.isnan(k), f.c(0.0), k))
    ki = f.b.select(f.b.icmp_signed(">", ki, f.i(1100)), f.i(1100), ki)
    ki = f.b.select(f.b.icmp_signed("<", ki, f.i(-1100)), f.i(-1100), ki)
    y = f.ldexp(p, ki)
    y = f.sel(f.gt(x, f.c(709.782712893384)), f.c(math.inf), y)
    y = f.sel(f.lt(x, f.c(-745.2)), f.c(0.0), y)
    return f.sel(f.isnan(x), x, y)


def _expm1(f: _F, x):
    """``e^x − 1`` without cancellation for |x| < 1 (Taylor), ``exp(x) − 1`` beyond."""
    small = f.lt(f.abs(x), f.c(1.0))
    return f.sel(small, f.poly(x, _EXPM1_TAYLOR), f.sub(_exp(f, x), f.c(1.0)))


def _log_parts(f: _F, x):
    """``(e, u)`` with ``x = 2^e·(1+u)``, ``e`` an f64 integer and ``1+u`` in [√½, √2) (subnormals scaled first)."""
    b = f.b
    sub = f.lt(x, f.c(2.2250738585072014e-308))
    xs = f.sel(sub, f.mul(x, f.c(2.0**54)), x)
    bits = f.bits(xs)
    e = b.sub(b.and_(b.lshr(bits, f.i(52)), f.i(0x7FF)), f.i(1023))
    e = b.select(sub, b.sub(e, f.i(54)), e)
    m = f.from_bits(b.or_(b.and_(bits, f.i(0x000FFFFFFFFFFFFF)), f.i(0x3FF0000000000000)))
    big = f.gt(m, f.c(1.4142135623730951))
    m = f.sel(big, f.mul(m, f.c(0.5)), m)
    e = b.select(big, b.add(e, f.i(1)), e)
    return b.sitofp(e, F64), f.sub(m, f.c(1.0))  # u exact (Sterbenz)


def _log_special(f: _F, x, y):
    """``log``'s values at ``+inf``, ``0``, negative numbers and NaN over the finite result ``y``."""
    y = f.sel(f.eq(x, f.c(math.inf)), x, y)
    y = f.sel(f.eq(x, f.c(0.0)), f.c(-math.inf), y)
    return f.sel(f.b.or_(f.lt(x, f.c(0.0)), f.isnan(x)), f.c(math.nan), y)


def _log(f: _F, x):
    dk, u = _log_parts(f, x)
    s = f.div(u, f.add(f.c(2.0), u))
    z = f.mul(s, s)
    r = f.mul(z, f.poly(z, _LOG_R))
    hfsq = f.mul(f.c(0.5), f.mul(u, u))
    y = f.sub(f.mul(dk, f.c(LN2_HI)), f.sub(f.sub(hfsq, f.fma(s, f.add(hfsq, r), f.mul(dk, f.c(LN2_LO)))), u))
    return _log_special(f, x, y)


def _two_sum(f: _F, a, b):
    """``(s, err)`` with ``s = fl(a + b)`` and ``a + b = s + err`` exactly (Knuth)."""
    s = f.add(a, b)
    v = f.sub(s, a)
    return s, f.add(f.sub(a, f.sub(s, v)), f.sub(b, v))


def _log_dd(f: _F, x):
    """``log(x)`` for finite ``x > 0`` as an unevaluated sum ``hi + lo`` good to about 2^-65 relative: ``pow`` needs
    the bits a plain f64 ``log`` rounds away, since ``y·log x`` multiplies its absolute error by ``|y|``.

    ``log(1+u) = 2·atanh(s)`` with ``s = u/(2+u)`` carried as ``s + s_lo`` (the quotient's remainder by fma), so the
    leading term ``2s`` is exact and only the small tail ``s·R(s²)`` is rounded."""
    dk, u = _log_parts(f, x)
    d_hi = f.add(f.c(2.0), u)
    d_lo = f.sub(u, f.sub(d_hi, f.c(2.0)))  # 2 + u = d_hi + d_lo exactly (|u| < 2)
    s = f.div(u, d_hi)
    rem = f.fma(f.b.fneg(s), d_lo, f.fma(f.b.fneg(s), d_hi, u))
    s_lo = f.div(rem, d_hi)
    z = f.mul(s, s)
    tail = f.mul(s, f.mul(z, f.poly(z, _LOG_R)))
    hi, lo = _two_sum(f, f.mul(dk, f.c(LN2_HI)), f.mul(s, f.c(2.0)))  # dk·LN2_HI is exact (|dk| < 2^11)
    lo = f.add(lo, f.add(f.mul(dk, f.c(LN2_LO)), f.fma(s_lo, f.c(2.0), tail)))
    return _two_sum(f, hi, lo)


def _reduce_pio2(f: _F, x):
    """``(r, quadrant)`` with ``x = q·π/2 + r``, |r| ≤ π/4 (three-part Cody–Waite)."""
    k = f.call("rint", f.mul(x, f.c(0.6366197723675814)))
    r = f.fma(k, f.c(-PIO2_1), x)
    r = f.fma(k, f.c(-PIO2_2), r)
    r = f.fma(k, f.c(-PIO2_3), r)
    r = f.fma(k, f.c(-PIO2_3T), r)  # the fourth part: x within an ulp of a multiple of π/2 (tan near π/2)
    q = f.b.and_(f.to_int(k), f.i(3))
    return r, q


def _sin_cos_r(f: _F, r):
    z = f.mul(r, r)
    s = f.mul(r, f.poly(z, _SIN_TAYLOR))
    c = f.poly(z, _COS_TAYLOR)
    return s, c


def _quadrant(f: _F, q, values):
    out = values[3]
    for k in (2, 1, 0):
        out = f.b.select(f.b.icmp_unsigned("==", q, f.i(k)), values[k], out)
    return out


def _sin(f: _F, x):
    r, q = _reduce_pio2(f, x)
    s, c = _sin_cos_r(f, r)
    y = _quadrant(f, q, [s, c, f.b.fneg(s), f.b.fneg(c)])
    return f.sel(f.eq(x, f.c(0.0)), x, y)  # sin(-0) = -0


def _cos(f: _F, x):
    r, q = _reduce_pio2(f, x)
    s, c = _sin_cos_r(f, r)
    return _quadrant(f, q, [c, f.b.fneg(s), f.b.fneg(c), s])


def _tan(f: _F, x):
    r, q = _reduce_pio2(f, x)
    s, c = _sin_cos_r(f, r)
    odd = f.b.trunc(q, I1)
    y = f.sel(odd, f.b.fneg(f.div(c, s)), f.div(s, c))
    return f.sel(f.eq(x, f.c(0.0)), x, y)


def _atan_pos(f: _F, a):
    """``atan(a)`` for ``a ≥ 0`` (``inf`` → π/2) as ``(hi, lo)``-compensated f64."""
    inv = f.gt(a, f.c(1.0))
    t = f.sel(inv, f.div(f.c(1.0), a), a)
    mid = f.gt(t, f.c(0.2679491924311227))
    sqrt3 = f.c(1.7320508075688772)
    z = f.sel(mid, f.div(f.fma(t, sqrt3, f.c(-1.0)), f.add(t, sqrt3)), t)
    zz = f.mul(z, z)
    p = f.mul(z, f.poly(zz, _ATAN_TAYLOR))
    p = f.sel(mid, f.add(f.c(PI_6[0]), f.add(p, f.c(PI_6[1]))), p)
    return f.sel(inv, f.add(f.c(PI_2[0]), f.sub(f.c(PI_2[1]), p)), p)


def _atan(f: _F, x):
    return f.copysign(_atan_pos(f, f.abs(x)), x)


def _atan2(f: _F, y, x):
    b = f.b
    ay, ax = f.abs(y), f.abs(x)
    t = f.div(ay, ax)
    inf = f.c(math.inf)
    both_inf = b.and_(f.eq(ay, inf), f.eq(ax, inf))
    t = f.sel(f.eq(ay, f.c(0.0)), f.c(0.0), t)  # 0/0 → angle 0 (then π for negative x)
    t = f.sel(both_inf, f.c(1.0), t)
    a = _atan_pos(f, t)
    a = f.sel(f.signbit(x), f.add(f.c(PI[0]), f.sub(f.c(PI[1]), a)), a)
    r = f.copysign(a, y)
    return f.sel(b.or_(f.isnan(x), f.isnan(y)), f.c(math.nan), r)


def _one_minus_sq_sqrt(f: _F, x):
    return f.call("sqrt", f.mul(f.sub(f.c(1.0), x), f.add(f.c(1.0), x)))


def _asin(f: _F, x):
    return _atan2(f, x, _one_minus_sq_sqrt(f, x))


def _acos(f: _F, x):
    return _atan2(f, _one_minus_sq_sqrt(f, x), x)


def _exp_half_scaled(f: _F, a):
    """``(e^a / 2, e^-a / 2)`` for ``a ≥ 0`` without overflow below sinh/cosh's own overflow threshold."""
    e = _exp(f, a)
    h = _exp(f, f.mul(a, f.c(0.5)))
    big = f.gt(a, f.c(709.0))
    half = f.sel(big, f.mul(f.mul(h, f.c(0.5)), h), f.mul(e, f.c(0.5)))
    return half, f.div(f.c(0.5), e)


def _sinh(f: _F, x):
    a = f.abs(x)
    half, inv = _exp_half_scaled(f, a)
    big = f.sub(half, inv)
    small = f.mul(a, f.poly(f.mul(a, a), _SINH_TAYLOR))
    return f.copysign(f.sel(f.lt(a, f.c(1.0)), small, big), x)


def _cosh(f: _F, x):
    half, inv = _exp_half_scaled(f, f.abs(x))
    return f.add(half, inv)


def _tanh(f: _F, x):
    a = f.abs(x)
    t = _expm1(f, f.mul(a, f.c(2.0)))
    y = f.div(t, f.add(t, f.c(2.0)))
    y = f.sel(f.gt(a, f.c(22.0)), f.c(1.0), y)
    return f.copysign(y, x)  # NaN stays NaN (its sign is not observable: NaNs compare by class)


def _is_int(f: _F, y):
    return f.eq(f.call("trunc", y), y)  # false for ±inf? trunc(inf) == inf: callers handle infinities


def _pow(f: _F, x, y):
    b = f.b
    ax = f.abs(x)
    # exp(y·(hi + lo)) = exp(p)·(1 + p_lo) with p = fl(y·hi) and p_lo its rounding error (fma) plus y·lo
    hi, lo = _log_dd(f, ax)
    hi = _log_special(f, ax, hi)
    p = f.mul(y, hi)
    finite_p = f.lt(f.abs(p), f.c(math.inf))
    p_lo = f.sel(finite_p, f.add(f.fma(y, hi, f.b.fneg(p)), f.mul(y, lo)), f.c(0.0))
    r = _exp(f, p)
    r = f.sel(f.lt(f.abs(r), f.c(math.inf)), f.fma(r, p_lo, r), r)
    finite_y = f.lt(f.abs(y), f.c(math.inf))
    half = f.mul(y, f.c(0.5))
    odd = b.and_(b.and_(_is_int(f, y), b.not_(_is_int(f, half))), finite_y)
    r = f.sel(b.and_(f.signbit(x), odd), f.b.fneg(r), r)
    finite_x = f.lt(ax, f.c(math.inf))  # pow(-inf, y) takes |x| (C99 F.9.4.4)
    neg_nonint = b.and_(b.and_(f.lt(x, f.c(0.0)), b.not_(_is_int(f, y))), b.and_(finite_y, finite_x))
    r = f.sel(b.or_(neg_nonint, b.or_(f.isnan(x), f.isnan(y))), f.c(math.nan), r)
    one = f.c(1.0)
    minus_one_inf = b.and_(f.eq(x, f.c(-1.0)), b.not_(finite_y))
    unit = b.or_(b.or_(f.eq(y, f.c(0.0)), f.eq(x, one)), b.and_(minus_one_inf, b.not_(f.isnan(y))))
    return f.sel(unit, one, r)


def _frem(f: _F, x, y, fn: ll.Function):
    """Exact C ``fmod``: subtract ``|y|·2^k`` (exact by Sterbenz) until the remainder is below ``|y|``."""
    b = f.b
    ay = f.abs(y)
    ax = f.abs(x)
    entry = b.block
    head, body, done = (fn.append_basic_block(n) for n in ("fmod.head", "fmod.body", "fmod.done"))
    b.branch(head)
    b.position_at_end(head)
    r = b.phi(F64)
    r.add_incoming(ax, entry)
    go = b.and_(f.b.fcmp_ordered(">=", r, ay), f.lt(ax, f.c(math.inf)))
    go = b.and_(go, f.gt(ay, f.c(0.0)))
    b.cbranch(go, body, done)
    b.position_at_end(body)
    k = b.sub(_exponent(f, r), _exponent(f, ay))
    t = f.ldexp(ay, k)
    t = f.sel(f.gt(t, r), f.mul(t, f.c(0.5)), t)
    r.add_incoming(f.sub(r, t), body)
    b.branch(head)
    b.position_at_end(done)
    res = f.copysign(r, x)
    bad = b.or_(b.or_(f.isnan(x), f.isnan(y)), b.or_(f.eq(ay, f.c(0.0)), f.eq(ax, f.c(math.inf))))
    return f.sel(bad, f.c(math.nan), res)


def _exponent(f: _F, v):
    """``floor(log2(v))`` of a positive finite f64 (subnormals included) as i64."""
    b = f.b
    bits = f.bits(v)
    biased = b.lshr(bits, f.i(52))
    ctlz = intrinsic(f.m, "llvm.ctlz", I64, [I64, I1], [I64])
    sub = b.sub(b.sub(f.i(63), b.call(ctlz, [bits, ll.Constant(I1, 0)])), f.i(1074))
    return b.select(b.icmp_unsigned("==", biased, f.i(0)), sub, b.sub(biased, f.i(1023)))


_UNARY = {
    "exp": _exp,
    "log": _log,
    "sin": _sin,
    "cos": _cos,
    "tan": _tan,
    "asin": _asin,
    "acos": _acos,
    "atan": _atan,
    "sinh": _sinh,
    "cosh": _cosh,
    "tanh": _tanh,
}
_BINARY = {"atan2": _atan2, "pow": _pow}
MATH_FUNCTIONS = frozenset(_UNARY) | frozenset(_BINARY) | {"frem"}


def _function(module: ll.Module, name: str) -> ll.Function:
    """The module's ``qd_math_<name>(double...) -> double``, defined on first use."""
    fname = f"qd_math_{name}"
    fn = module.globals.get(fname)
    if fn is not None:
        return fn
    arity = 1 if name in _UNARY else 2
    fn = ll.Function(module, ll.FunctionType(F64, [F64] * arity), name=fname)
    fn.linkage = "internal"
    fn.attributes.add("nounwind")
    b = ll.IRBuilder(fn.append_basic_block("entry"))
    f = _F(module, b)
    if name == "frem":
        result = _frem(f, *fn.args, fn)
    elif name in _UNARY:
        result = _UNARY[name](f, *fn.args)
    else:
        result = _BINARY[name](f, *fn.args)
    b.ret(result)
    return fn


def emit_math(em, name: str, *args):
    """``name(*args)`` for float LLVM values (``float`` or ``double``), computed in f64 and rounded once."""
    b = em.b
    t = args[0].type
    wide = [a if t == F64 else b.fpext(a, F64) for a in args]
    r = b.call(_function(em.module, name), wide)
    return r if t == F64 else b.fptrunc(r, t)
