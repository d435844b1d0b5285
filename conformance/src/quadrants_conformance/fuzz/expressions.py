"""Random well-typed expressions of the fuzz generator (:mod:`quadrants_conformance.fuzz.generate`).

:class:`Env` says what code at one point may use (variables by scope, arrays and how they may be accessed, see the race
freedom rules in :mod:`~quadrants_conformance.fuzz.generate`); :class:`ExprGen` holds the generator's state and draws
literals, leaves, expressions and conditions from it. The statements and the program are drawn by its subclass
:class:`~quadrants_conformance.fuzz.generate.Gen`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from quadrants_conformance.fuzz.choices import Chooser, GenOptions
from quadrants_conformance.fuzz.program import Array, Expr, Func
from quadrants_conformance.fuzz.types import INTS, binary_result, int_range, is_float, promote

__all__ = ["ATOMICS", "Var", "Env", "ExprGen"]

_ARITH = ("+", "-", "*", "//", "%", "/")
_BITWISE = ("&", "|", "^", "<<", ">>")
_COMPARE = ("<", "<=", ">", ">=", "==", "!=")
ATOMICS = ("atomic_add", "atomic_sub", "atomic_min", "atomic_max", "atomic_and", "atomic_or", "atomic_xor")
_BIT_COUNTS = ("qd.math.popcnt", "qd.math.clz", "qd.math.ffs")


@dataclass
class Var:
    name: str
    dtype: str
    assignable: bool = True
    static: bool = False


@dataclass
class Env:
    """What code at one point may use: variables by scope, arrays and how they may be accessed."""

    scopes: list[list[Var]]
    read_any: list[Array]  # readable at any index
    own: list[Array]  # written by this loop: read and written only at ``own_index``
    own_index: str = ""
    scalars: list = field(default_factory=list)  # (name, dtype, value) of the kernel's scalar parameters
    acc: Array | None = None  # atomics allowed on it
    atomic_family: tuple[str, ...] = ATOMICS  # one commutative family per parallel loop (add/sub, min, max, ...)
    serial: bool = False  # a serial context: any index may be read and written
    in_loop: bool = False  # inside a serial inner loop: break/continue allowed
    kernel_level: bool = False  # statements outside loops (a serial block) and the return value
    depth: int = 0

    def vars(self) -> list[Var]:
        return [v for s in self.scopes for v in s]

    def push(self) -> None:
        self.scopes.append([])

    def pop(self) -> None:
        self.scopes.pop()


@dataclass
class ExprGen:
    """The generator's state, and the expressions drawn from it (the statements are drawn by ``Gen``)."""

    ch: Chooser
    opts: GenOptions
    np_rng: np.random.Generator
    counter: int = 0
    funcs: list[Func] = field(default_factory=list)
    scalars: list[tuple[str, str, object]] = field(default_factory=list)
    features: set[str] = field(default_factory=set)

    # ------------------------------------------------------------------------------------------------ helpers

    def fresh(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    def numeric_types(self) -> tuple[str, ...]:
        return self.opts.dtypes

    def int_types(self) -> tuple[str, ...]:
        return tuple(t for t in self.opts.dtypes if t in INTS)

    def pick_type(self) -> str:
        # i32 and f32 dominate real programs; the other widths still get a fair share
        if self.ch.chance(0.4):
            return self.ch.choice(("i32", "f32"))
        return self.ch.choice(self.numeric_types())

    # ------------------------------------------------------------------------------------------------ literals

    def literal(self, dtype: str) -> Expr:
        if is_float(dtype):
            v = self.ch.choice((0.0, -0.0, 1.0, -1.0, 0.5, -7.5, 2.5, 3.0, 1e-3, 65504.0, 1e10, 3.4e38, 1.0e-40))
            text = repr(v)
            if dtype == "f32":
                return Expr(text, "f32")
            return Expr(f"qd.{dtype}({text})", dtype)
        lo, hi = int_range(dtype)
        v = self.ch.choice((0, 1, -1, 2, 3, 7, -7, 8, 31, 32, 33, 63, 64, 100, lo, hi, lo + 1, hi - 1))
        if dtype == "i32" and lo <= v <= hi and v != lo:
            return Expr(str(v) if v >= 0 else f"({v})", "i32")
        if not lo <= v <= hi:  # a typed literal must fit its dtype (qd.u8(-7) is an error, as upstream)
            v = lo + (v - lo) % (hi - lo + 1)
        form = self.ch.choice(("qd.cast({v}, qd.{t})", "qd.{t}({v})"))
        if not -(2**31) <= v < 2**31:  # a bare literal past i32 is an error in qd.cast (default_ip), as upstream
            form = "qd.{t}({v})"
        return Expr(form.format(v=v, t=dtype), dtype)

    # ------------------------------------------------------------------------------------------------ expressions

    def leaf(self, env: Env, want: str | None, depth: int = 0, nc: bool = False) -> Expr:
        """A variable, array element, scalar parameter or literal; ``nc``: not a compile-time value."""
        options = []
        vars_ = [v for v in env.vars() if (want is None or v.dtype == want) and not (nc and v.static)]
        if vars_:
            options += ["var"] * 3
        arrays = [a for a in env.read_any + env.own if want is None or a.dtype == want]
        if arrays:
            options += ["array"] * 3
        scalars = [s for s in env.scalars if want is None or s[1] == want]
        if scalars:
            options.append("scalar")
        if not nc:
            options.append("literal")
        if not options:
            return self.leaf(env, None, depth, nc)
        kind = self.ch.choice(options)
        if kind == "var":
            v = self.ch.choice(vars_)
            return Expr(v.name, v.dtype)
        if kind == "array":
            return self.array_read(env, self.ch.choice(arrays), depth)
        if kind == "scalar":
            name, dtype, _ = self.ch.choice(scalars)
            return Expr(name, dtype)
        return self.literal(want or self.pick_type())

    def index_for(self, env: Env, arr: Array, depth: int = 1) -> tuple[str, tuple[Expr, ...]]:
        """An in-bounds index of ``arr`` (``int(e) % n`` per axis) as a format string and its expressions."""
        parts, exprs = [], []
        for extent in arr.shape:
            if self.ch.chance(0.3):
                parts.append(str(self.ch.int(0, extent - 1)))
                continue
            ints = [v for v in env.vars() if not is_float(v.dtype) and not v.static]
            if depth <= 0 and not ints:
                parts.append(str(self.ch.int(0, extent - 1)))
                continue
            e = self.expr(env, depth - 1, nc=True) if depth > 0 else Expr(self.ch.choice(ints).name, "i32")
            parts.append(f"int({{{len(exprs)}}}) % {extent}")
            exprs.append(e)
        return ", ".join(parts), tuple(exprs)

    def array_read(self, env: Env, arr: Array, depth: int = 0) -> Expr:
        if arr in env.own and not env.serial:
            return Expr(f"{arr.name}[{env.own_index}]", arr.dtype)
        fmt, exprs = self.index_for(env, arr, depth)
        return Expr(f"{arr.name}[{fmt}]", arr.dtype, exprs)

    def expr(self, env: Env, depth: int, want: str | None = None, nc: bool = False) -> Expr:
        """A numeric expression (never ``u1``); ``want`` forces ``"int"``, ``"float"`` or nothing.

        ``nc``: the expression must not be a compile-time value. Every operator gets a run-time first operand, because
        operations on compile-time values only are evaluated by Python at compile time (§3: unbounded ints, Python
        errors such as a negative shift count), which is not what this fuzzer tests.
        """
        e = self._expr(env, depth, want, nc)
        if want == "int" and is_float(e.dtype):
            return int_of(e)
        if want == "float" and not is_float(e.dtype):
            return Expr("float({0})", "f32", (e,))
        return e

    def _expr(self, env: Env, depth: int, want: str | None, nc: bool) -> Expr:
        if depth <= 0 or self.ch.chance(0.25):
            leaf_type = None if want is None else (self.ch.choice(self.int_types()) if want == "int" else None)
            if want == "float":
                floats = [t for t in self.numeric_types() if is_float(t)]
                leaf_type = self.ch.choice(floats)
            return self.leaf(env, leaf_type, depth, nc)
        kind = self.ch.choice(
            ("arith", "arith", "arith", "bitwise", "unary", "cast", "cast", "select", "math", "call", "logic", "pow")
        )
        d = depth - 1
        if kind == "arith":
            op = self.ch.choice(_ARITH)
            a, b = self.expr(env, d, want if want != "float" else None, nc=True), self.expr(env, d)
            t = binary_result(op, a.dtype, b.dtype)
            self.features.add(f"op{op}")
            return Expr(f"({{0}} {op} {{1}})", t, (a, b))
        if kind == "bitwise" or (kind == "pow" and want == "float"):
            op = self.ch.choice(_BITWISE)
            a, b = self.expr(env, d, "int", nc=True), self.expr(env, d, "int")
            self.features.add(f"op{op}")
            return Expr(f"({{0}} {op} {{1}})", binary_result(op, a.dtype, b.dtype), (a, b))
        if kind == "pow":
            a = self.expr(env, d, "int", nc=True)
            return Expr(f"({{0}} ** {self.ch.int(0, 3)})", promote(a.dtype, "i32"), (a,))
        if kind == "unary":
            a = self.expr(env, d, want, nc=True)
            form = self.ch.choice(("(-{0})", "abs({0})", "(~{0})") if not is_float(a.dtype) else ("(-{0})", "abs({0})"))
            return Expr(form, a.dtype, (a,))
        if kind == "cast":
            return self.cast(env, d, want, nc)
        if kind == "select":
            c = self.cond(env, d)
            a, b = self.expr(env, d, want, nc=True), self.expr(env, d, want)
            form = self.ch.choice(("({1} if {0} else {2})", "qd.select({0}, {1}, {2})"))
            self.features.add("select")
            return Expr(form, promote(a.dtype, b.dtype), (c, a, b))
        if kind == "logic":
            a, b = self.expr(env, d, "int", nc=True), self.expr(env, d, "int")
            op = self.ch.choice(("and", "or"))
            return Expr(f"({{0}} {op} {{1}})", promote(a.dtype, b.dtype), (a, b))
        if kind == "math":
            return self.math(env, d, want)
        return self.call(env, d, want)

    def cast(self, env: Env, d: int, want: str | None, nc: bool) -> Expr:
        # a cast of a compile-time value is evaluated by Python (int(1e10) is then an out-of-range literal)
        a = self.expr(env, d, nc=True) if self.ch.chance(0.8) else self.int_of_cond(env, d)
        if want == "int":
            target = self.ch.choice(self.int_types())
        elif want == "float":
            target = self.ch.choice([t for t in self.numeric_types() if is_float(t)])
        else:
            target = self.pick_type()
        form = self.ch.choice((f"qd.cast({{0}}, qd.{target})", f"qd.{target}({{0}})", "int({0})", "float({0})"))
        if form == "int({0})":
            target = "i32" if want != "float" else target
            form = "int({0})" if want != "float" else f"qd.cast({{0}}, qd.{target})"
        elif form == "float({0})":
            target = "f32" if want != "int" else target
            form = "float({0})" if want != "int" else f"qd.cast({{0}}, qd.{target})"
        self.features.add("cast")
        return Expr(form, target, (a,))

    def int_of_cond(self, env: Env, d: int) -> Expr:
        return Expr("qd.cast({0}, qd.i32)", "i32", (self.cond(env, d),))

    def math(self, env: Env, d: int, want: str | None) -> Expr:
        fn = self.ch.choice(("sqrt", "rounding", "minmax", "minmax", "bits"))
        if fn == "bits" and want != "float":
            wide = [t for t in ("i32", "u32", "i64", "u64") if t in self.opts.dtypes]
            t = self.ch.choice(wide)
            a = self.expr(env, d, nc=True)
            self.features.add("bitcount")
            return Expr(f"{self.ch.choice(_BIT_COUNTS)}(qd.cast({{0}}, qd.{t}))", "i32", (a,))
        if fn == "sqrt" and want != "int":
            a = self.expr(env, d, "float", nc=True)
            return Expr("qd.sqrt({0})", a.dtype, (a,))
        if fn == "rounding" and want != "int":
            a = self.expr(env, d, "float", nc=True)
            return Expr(f"qd.{self.ch.choice(('floor', 'ceil', 'round'))}({{0}})", a.dtype, (a,))
        a, b = self.expr(env, d, want, nc=True), self.expr(env, d, want)
        t = promote(a.dtype, b.dtype)
        name = self.ch.choice(("qd.max", "qd.min", "max", "min"))
        if is_float(t):
            # the sign of a zero result of a float min/max is unspecified (§6); + 0.0 makes it +0.0
            return Expr(f"({name}({{0}}, {{1}}) + 0.0)", promote(t, "f32"), (a, b))
        return Expr(f"{name}({{0}}, {{1}})", t, (a, b))

    def call(self, env: Env, d: int, want: str | None) -> Expr:
        fits = [f for f in self.funcs if want is None or (want == "float") == is_float(f.result.dtype)]
        if env.kernel_level:
            # a func called at kernel level is inlined there: its loops become parallel loops (§10), and its locals
            # kernel vars written by every lane (order dependent), or a `break` in a parallel loop
            fits = []
        if not fits:
            return self.leaf(env, None, d, nc=True) if want is None else self.expr(env, d, want, nc=True)
        f = self.ch.choice(fits)
        args = tuple(self.expr(env, d, nc=k == 0) for k in range(len(f.params)))
        self.features.add("func")
        return Expr(f"{f.name}({', '.join('{' + str(k) + '}' for k in range(len(args)))})", f.result.dtype, args)

    def cond(self, env: Env, d: int) -> Expr:
        """A condition: a comparison, ``not``, ``and``/``or`` of conditions, or an integer (non-zero is true)."""
        kind = self.ch.choice(("cmp", "cmp", "cmp", "not", "logic", "int"))
        if kind == "cmp" or d <= 0:
            op = self.ch.choice(_COMPARE)
            a, b = self.expr(env, d, nc=True), self.expr(env, d)
            return Expr(f"({{0}} {op} {{1}})", "u1", (a, b))
        if kind == "not":
            return Expr("(not {0})", "u1", (self.cond(env, d - 1),))
        if kind == "logic":
            op = self.ch.choice(("and", "or"))
            return Expr(f"({{0}} {op} {{1}})", "u1", (self.cond(env, d - 1), self.cond(env, d - 1)))
        return self.expr(env, d, "int", nc=True)


def int_of(e: Expr) -> Expr:
    """``int(e)``; for a bare Python literal ``qd.cast(e, qd.i32)``, because ``int(1e10)`` is evaluated by Python and
    then is an out-of-range i32 literal (§3), a compile error rather than the conversion the fuzzer means to test."""
    if not e.kids and not e.fmt.startswith("qd.") and not e.fmt.isidentifier():
        return Expr("qd.cast({0}, qd.i32)", "i32", (e,))
    return Expr("int({0})", "i32", (e,))
