"""Random well-typed, race-free Quadrants programs (the tree of :mod:`quadrants_conformance.fuzz.program`).

Race freedom by construction (docs/semantics.md §10, §12). Each top-level parallel loop iterates over the shape of one
"own" array; its iteration ``(i0, i1, …)`` may write only element ``[i0, i1, …]`` of arrays of that shape (the
loop's *written set*), and may read those arrays only at that same element. Arrays the loop does not write can be
read at any index (``int(e) % extent``). The accumulator ``acc`` is only updated with integer atomics whose final value
is order independent (add, sub, min, max, and, or, xor; the returned old value is never used) and is not read in a
loop that updates it. A loop preceded by ``qd.loop_config(serialize=True)`` is serial: it may read and write
anything. Top-level statements outside loops run serially.

Every decision goes through a :class:`~quadrants_conformance.fuzz.choices.Chooser`
(:mod:`~quadrants_conformance.fuzz.choices`, re-exported here); the expressions are drawn by
:class:`~quadrants_conformance.fuzz.expressions.ExprGen` (:mod:`~quadrants_conformance.fuzz.expressions`), the
statements and the program here.
"""

from __future__ import annotations

import numpy as np

from quadrants_conformance.fuzz.choices import Chooser, GenOptions, RandomChooser, options_for
from quadrants_conformance.fuzz.expressions import ATOMICS, Env, ExprGen, Var, int_of
from quadrants_conformance.fuzz.program import Array, Block, Expr, Func, Line, Program
from quadrants_conformance.fuzz.types import NP_NAMES, int_range, is_float

__all__ = ["Chooser", "RandomChooser", "GenOptions", "generate", "options_for"]

# Mixing two operations on one element is order dependent (add then min != min then add): a parallel loop uses one.
_FAMILIES = (("atomic_add", "atomic_sub"), ("atomic_min",), ("atomic_max",), ("atomic_and",), ("atomic_or",))
_FAMILIES += (("atomic_xor",),)
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


class Gen(ExprGen):
    """The statements and the program (the expressions are drawn by :class:`ExprGen`)."""

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
        fn = self.ch.choice(ATOMICS if env.serial else env.atomic_family)
        self.features.add("atomic")
        if self.ch.chance(0.25) and fn in ("atomic_add", "atomic_sub", "atomic_and", "atomic_or", "atomic_xor"):
            op = {"atomic_add": "+=", "atomic_sub": "-=", "atomic_and": "&=", "atomic_or": "|=", "atomic_xor": "^="}
            return [Line(f"{acc.name}[int({{0}}) % {acc.shape[0]}] {op[fn]} {{1}}", (slot, value))]
        if is_float(value.dtype) and fn not in ("atomic_add", "atomic_sub", "atomic_min", "atomic_max"):
            value = int_of(value)
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
        # a literal result would make every call a compile-time value, which Python evaluates unbounded
        # (`f() ** 3` of a returned i32 literal is an out-of-range literal): the result must be a run-time value
        return Func(name, params, tuple(body), self.expr(env, 3, nc=True))


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
