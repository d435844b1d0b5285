"""Random well-typed, race-free Quadrants programs (the tree of :mod:`quadrants_conformance.fuzz.program`).

Every choice goes through a :class:`Chooser`, so the same generator runs from a seeded ``random.Random``
(:class:`RandomChooser`, what the runner uses) or from hypothesis (:mod:`quadrants_conformance.fuzz.strategies`).

Race freedom by construction (SEMANTICS.md §10, §12). Each top-level parallel loop iterates over the shape of one
"own" array; its iteration ``(i0, i1, …)`` may write only element ``[i0, i1, …]`` of arrays of that shape (the
loop's *written set*), and may read those arrays only at that same element. Arrays the loop does not write can be
read at any index (``int(e) % extent``). The accumulator ``acc`` is only updated with integer atomics whose final value
is order independent (add, sub, min, max, and, or, xor; the returned old value is never used) and is not read in a
loop that updates it. A loop preceded by ``qd.loop_config(serialize=True)`` is serial: it may read and write
anything. Top-level statements outside loops run serially.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from quadrants_conformance.fuzz.program import Array, Block, Expr, Func, Line, Program
from quadrants_conformance.fuzz.types import INTS, NP_NAMES, binary_result, int_range, is_float, promote

__all__ = ["Chooser", "RandomChooser", "GenOptions", "generate", "options_for"]


class Chooser(Protocol):
    """The source of every random decision."""

    def int(self, lo: int, hi: int) -> int:
        """An integer in ``[lo, hi]``."""

    def choice(self, seq: Sequence[Any]) -> Any:
        """One element of a non-empty sequence."""

    def chance(self, p: float) -> bool:
        """True with probability ``p``."""


class RandomChooser:
    """A :class:`Chooser` over ``random.Random(seed)``."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)

    def int(self, lo: int, hi: int) -> int:
        return self.rng.randint(lo, hi)

    def choice(self, seq):
        return seq[self.rng.randrange(len(seq))]

    def chance(self, p: float) -> bool:
        return self.rng.random() < p


@dataclass(frozen=True)
class GenOptions:
    """What the backend under test supports (the generator only uses these types) and what to generate."""

    dtypes: tuple[str, ...] = ("i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64", "f32")
    atomic_dtypes: tuple[str, ...] = ("i32", "u32")
    transcendental: bool = True  # allow a final store of sin/exp/... compared with the "transcendental" row
    subnormals: bool = True  # subnormal float inputs
    avoid: frozenset[str] = frozenset()  # features not to generate (known, reported backend bugs)


def options_for(capabilities: Any, avoid: frozenset[str] = frozenset()) -> GenOptions:
    """:class:`GenOptions` from a backend's ``capabilities`` (``supports("f64")``, ``supports("atomic:i32")``)."""
    names = ("i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64", "f16", "f32", "f64")
    dtypes = tuple(t for t in names if capabilities.supports(t) and t not in avoid)
    atomic = tuple(t for t in INTS if t in dtypes and capabilities.supports(f"atomic:{t}"))
    return GenOptions(
        dtypes=dtypes, atomic_dtypes=atomic, subnormals=capabilities.supports("subnormals"), avoid=frozenset(avoid)
    )


_ARITH = ("+", "-", "*", "//", "%", "/")
_BITWISE = ("&", "|", "^", "<<", ">>")
_COMPARE = ("<", "<=", ">", ">=", "==", "!=")
_ATOMICS = ("atomic_add", "atomic_sub", "atomic_min", "atomic_max", "atomic_and", "atomic_or", "atomic_xor")
# Mixing two operations on one element is order dependent (add then min != min then add): a parallel loop uses one.
_FAMILIES = (("atomic_add", "atomic_sub"), ("atomic_min",), ("atomic_max",), ("atomic_and",), ("atomic_or",))
_FAMILIES += (("atomic_xor",),)
_BIT_COUNTS = ("qd.math.popcnt", "qd.math.clz", "qd.math.ffs")
# Transcendental stores: the argument is folded into a range where every backend is within the tolerance row.
_TRANSCENDENTAL = (
    "qd.sin({0} % 8.0)",
    "qd.cos({0} % 8.0)",
    "qd.exp({0} % 16.0)",
    "qd.log(abs({0}) + 0.5)",
    "qd.tanh({0})",
    "qd.atan2({0}, 1.5)",
    "qd.sqrt(abs({0}))",
)


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
    atomic_family: tuple[str, ...] = _ATOMICS  # one commutative family per parallel loop (add/sub, min, max, ...)
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
class Gen:
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
        form = self.ch.choice(("qd.cast({v}, qd.{t})", "qd.{t}({v})"))
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
            return Expr("int({0})", "i32", (e,))
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

    # ------------------------------------------------------------------------------------------------ statements

    def stmts(self, env: Env, count: int) -> list:
        out = []
        for _ in range(count):
            out.extend(self.stmt(env))
        return out

    def stmt(self, env: Env) -> list:
        kinds = ["decl", "decl", "assign", "store", "store", "store"]
        if env.depth < 2:
            kinds += ["if", "for", "while", "static"]
        if env.acc is not None:
            kinds += ["atomic", "atomic"]
        if env.in_loop:
            kinds += ["exit"]
        kind = self.ch.choice(kinds)
        handler = getattr(self, f"stmt_{kind}")
        return handler(env)

    def stmt_decl(self, env: Env) -> list:
        e = self.expr(env, 3)
        name = self.fresh("v")
        if self.ch.chance(0.2):
            t = self.pick_type()
            env.scopes[-1].append(Var(name, t))
            return [Line(f"{name}: qd.{t} = {{0}}", (e,))]
        env.scopes[-1].append(Var(name, e.dtype))
        return [Line(f"{name} = {{0}}", (e,))]

    def stmt_assign(self, env: Env) -> list:
        targets = [v for v in env.vars() if v.assignable]
        if not targets:
            return self.stmt_decl(env)
        v = self.ch.choice(targets)
        e = self.expr(env, 2)
        ops = ["=", "+=", "-=", "*="]
        if not is_float(v.dtype) and not is_float(e.dtype):
            ops += ["^=", "|=", "&="]
        return [Line(f"{v.name} {self.ch.choice(ops)} {{0}}", (e,))]

    def stmt_store(self, env: Env) -> list:
        if env.serial:
            targets = env.own + [a for a in env.read_any if a is not env.acc]
        else:
            targets = env.own
        if not targets:
            return self.stmt_decl(env)
        arr = self.ch.choice(targets)
        if env.serial:
            fmt, idx = self.index_for(env, arr)
        else:
            fmt, idx = env.own_index, ()
        e = self.expr(env, 3)
        op = "="
        if arr.dtype in self.opts.atomic_dtypes and self.ch.chance(0.2):
            op = self.ch.choice(("+=", "-=", "^=", "|=", "&="))
            if is_float(e.dtype) and op not in ("+=", "-="):
                op = "+="
        elif self.ch.chance(0.1):
            op = "*="
        n = len(idx)
        return [Line(f"{arr.name}[{fmt}] {op} {{{n}}}", (*idx, e))]

    def stmt_atomic(self, env: Env) -> list:
        acc = env.acc
        slot = self.expr(env, 1, "int", nc=True)
        value = self.expr(env, 2)
        fn = self.ch.choice(_ATOMICS if env.serial else env.atomic_family)
        self.features.add("atomic")
        if self.ch.chance(0.25) and fn in ("atomic_add", "atomic_sub", "atomic_and", "atomic_or", "atomic_xor"):
            op = {"atomic_add": "+=", "atomic_sub": "-=", "atomic_and": "&=", "atomic_or": "|=", "atomic_xor": "^="}
            return [Line(f"{acc.name}[int({{0}}) % {acc.shape[0]}] {op[fn]} {{1}}", (slot, value))]
        if is_float(value.dtype) and fn not in ("atomic_add", "atomic_sub", "atomic_min", "atomic_max"):
            value = Expr("int({0})", "i32", (value,))
        return [Line(f"qd.{fn}({acc.name}[int({{0}}) % {acc.shape[0]}], {{1}})", (slot, value))]

    def nested(self, env: Env, in_loop: bool | None, extra: list[Var] = ()) -> list:
        """A nested body; ``in_loop``: True in a serial loop, None in a ``qd.static`` body (no break there)."""
        env.push()
        env.scopes[-1].extend(extra)
        saved = (env.in_loop, env.depth)
        env.in_loop, env.depth = (False if in_loop is None else env.in_loop or in_loop), env.depth + 1
        body = self.stmts(env, self.ch.int(1, 4))
        env.in_loop, env.depth = saved
        env.pop()
        return body

    def stmt_if(self, env: Env) -> list:
        c = self.cond(env, 2)
        then = self.nested(env, False)
        orelse = self.nested(env, False) if self.ch.chance(0.5) else None
        return [Block("if {0}:", tuple(then), (c,), tuple(orelse) if orelse is not None else None)]

    def stmt_for(self, env: Env) -> list:
        k = self.fresh("k")
        if self.ch.chance(0.5):
            header, exprs = f"for {k} in range({self.ch.int(0, 4)}):", ()
        elif self.ch.chance(0.5):
            header, exprs = f"for {k} in range({self.ch.int(-2, 2)}, {self.ch.int(0, 5)}):", ()
        else:
            header, exprs = f"for {k} in range(int({{0}}) % 5):", (self.expr(env, 1, "int", nc=True),)
        body = self.nested(env, True, [Var(k, "i32", assignable=False)])
        self.features.add("serial-for")
        return [Block(header, tuple(body), exprs)]

    def stmt_while(self, env: Env) -> list:
        w = self.fresh("w")
        limit = self.ch.int(1, 4)
        counter = Line(f"{w} += 1", removable=False)
        body = self.nested(env, True, [Var(w, "i32", assignable=False)])
        self.features.add("while")
        return [Block(f"while {w} < {limit}:", (counter, *body), prefix=(Line(f"{w} = 0", removable=False),))]

    def stmt_static(self, env: Env) -> list:
        s = self.fresh("st")
        body = self.nested(env, None, [Var(s, "i32", assignable=False, static=True)])
        self.features.add("static")
        return [Block(f"for {s} in qd.static(range({self.ch.int(1, 3)})):", tuple(body))]

    def stmt_exit(self, env: Env) -> list:
        word = self.ch.choice(("break", "continue"))
        if word == "break" and not env.in_loop:
            word = "continue"
        self.features.add(word)
        return [Block("if {0}:", (Line(word),), (self.cond(env, 1),))]

    # ------------------------------------------------------------------------------------------------ program

    def array_data(self, dtype: str, shape: tuple[int, ...]) -> bytes:
        n = int(np.prod(shape))
        rng = self.np_rng
        np_type = np.dtype(NP_NAMES[dtype])
        if is_float(dtype):
            edges = [0.0, -0.0, 1.0, -1.0, 0.5, -7.5, 2.5, np.inf, -np.inf, np.nan, 3e38, 1e10, 65504.0, 2.5e10]
            if self.opts.subnormals:
                edges.append(1e-40)
            with np.errstate(over="ignore"):
                edge = np.array(edges, dtype=np.float64)[rng.integers(0, len(edges), n)]
                values = np.where(rng.random(n) < 0.4, edge, np.round(rng.normal(0, 10, n), 2))
                return values.astype(np_type).tobytes()
        lo, hi = int_range(dtype)
        edges = [0, 1, -1, 2, lo, hi, lo + 1, hi - 1, 7, -7, 31, 32, 33, 63, 64, 8]
        edge = np.array([e % (1 << (np_type.itemsize * 8)) for e in edges], dtype=np.uint64)
        picked = edge[rng.integers(0, len(edges), n)].astype(np_type)  # wraps the negatives into the type
        small = rng.integers(-20, 21, n).astype(np.int64).astype(np_type)
        return np.where(rng.random(n) < 0.5, picked, small).astype(np_type).tobytes()

    def make_func(self) -> Func:
        name = self.fresh("f")
        params = tuple((self.fresh("p"), self.pick_type()) for _ in range(self.ch.int(1, 3)))
        env = Env(scopes=[[Var(p, t) for p, t in params]], read_any=[], own=[], depth=1)
        body = self.stmts(env, self.ch.int(0, 3))
        return Func(name, params, tuple(body), self.expr(env, 3))


def _shapes(g: Gen) -> list[tuple[int, ...]]:
    out = []
    for _ in range(g.ch.int(1, 2)):
        ndim = g.ch.int(1, 3)
        out.append(tuple(g.ch.int(1, {1: 9, 2: 5, 3: 3}[ndim]) for _ in range(ndim)))
    return out


def _parallel_loop(g: Gen, arrays: list[Array], written: list[Array], acc: Array | None, kvars: list[Var]) -> Block:
    """One top-level loop over the shape of ``written[0]`` (see the module docstring for what it may touch)."""
    shape = written[0].shape
    names = [f"i{k}" for k in range(len(shape))]
    serial = g.ch.chance(0.12)
    others = [a for a in arrays if a not in written and (serial or a is not acc)]
    env = Env(
        scopes=[list(kvars), [Var(n, "i32", assignable=False) for n in names]],
        scalars=g.scalars,
        read_any=others,
        own=list(written),
        own_index=", ".join(names),
        acc=acc,
        serial=serial,
        atomic_family=g.ch.choice(_FAMILIES),
    )
    if serial:
        env.read_any = others + list(written)
        env.own = []
        env.in_loop = True  # break is allowed in a serialized top-level loop
    body = g.stmts(env, g.ch.int(1, 6))
    if len(shape) == 1:
        header = f"for i0 in range({shape[0]}):"
    elif g.ch.chance(0.5):
        header = f"for {', '.join(names)} in qd.ndrange({', '.join(map(str, shape))}):"
    else:
        extents = ", ".join(f"{written[0].name}.shape[{k}]" for k in range(len(shape)))
        header = f"for {', '.join(names)} in qd.ndrange({extents}):"
    prefix = (Line("qd.loop_config(serialize=True)", removable=False),) if serial else ()
    if serial:
        g.features.add("serialize")
    return Block(header, tuple(body), prefix=prefix)


def generate(ch: Chooser, opts: GenOptions, seed: int = 0) -> Program:
    """One random program; ``seed`` seeds the input arrays."""
    g = Gen(ch, opts, np.random.default_rng(seed))
    arrays: list[Array] = []
    for shape in _shapes(g):
        for _ in range(ch.int(1, 2)):
            dtype = g.pick_type()
            arrays.append(Array(f"a{len(arrays)}", dtype, shape, g.array_data(dtype, shape)))
    acc = None
    if opts.atomic_dtypes and "atomic" not in opts.avoid and ch.chance(0.5):
        dtype = ch.choice(opts.atomic_dtypes)
        acc = Array("acc", dtype, (4,), g.array_data(dtype, (4,)))
        arrays.append(acc)
    for _ in range(ch.int(0, 2)):
        t = ch.choice(("i32", "f32", g.pick_type()))
        value = ch.choice((0, 1, -1, 7, 2147483647)) if not is_float(t) else ch.choice((0.0, -2.5, 1e30))
        lo, hi = int_range(t) if not is_float(t) else (None, None)
        if lo is not None and not lo <= value <= hi:
            value = 1
        g.scalars.append((f"s{len(g.scalars)}", t, value))
    for _ in range(ch.int(0, 2)):
        g.funcs.append(g.make_func())
    body: list = []
    kvars: list[Var] = []
    plain = [a for a in arrays if a is not acc]
    for _ in range(ch.int(1, 3)):
        if ch.chance(0.2):  # a serial top-level statement; its local (a kernel var) is read by later loops
            env = Env(scopes=[list(kvars)], read_any=list(arrays), own=[], serial=True, scalars=g.scalars)
            env.kernel_level = True
            stmt = ch.choice((g.stmt_decl, g.stmt_store))(env)
            kvars += [v for v in env.scopes[0] if v not in kvars]
            body += stmt
        first = ch.choice(plain)
        written = [first] + [a for a in plain if a is not first and a.shape == first.shape and ch.chance(0.5)]
        body.append(_parallel_loop(g, arrays, written, acc, [Var(v.name, v.dtype, assignable=False) for v in kvars]))
    tol = "exact"
    if opts.transcendental and ch.chance(0.25):
        tr = Array("tr", "f32", plain[0].shape, bytes(4 * int(np.prod(plain[0].shape))))
        arrays.append(tr)
        names = [f"i{k}" for k in range(len(tr.shape))]
        env = Env(scopes=[[Var(n, "i32", assignable=False) for n in names]], read_any=plain, own=[], scalars=g.scalars)
        e = g.expr(env, 2, "float", nc=True)
        fn = ch.choice([t for t in _TRANSCENDENTAL if not ("sincos" in opts.avoid and ("sin(" in t or "cos(" in t))])
        store = Line(f"tr[{', '.join(names)}] = {fn.replace('{0}', 'qd.cast({0}, qd.f32)')}", (e,))
        header = f"for {', '.join(names)} in qd.ndrange({', '.join(map(str, tr.shape))}):"
        body.append(Block(header, (store,)))
        tol = "transcendental"
        g.features.add("transcendental")
    ret = None
    if ch.chance(0.3):
        env = Env(
            scopes=[[Var(v.name, v.dtype, assignable=False) for v in kvars]],
            read_any=list(arrays),
            own=[],
            scalars=g.scalars,
        )
        env.serial = env.kernel_level = True
        ret = g.expr(env, 2, nc=True)
        if ret.dtype == "u1":
            ret = Expr("qd.cast({0}, qd.i32)", "i32", (ret,))
    return Program(tuple(arrays), tuple(g.scalars), tuple(g.funcs), tuple(body), ret, tol, frozenset(g.features))
