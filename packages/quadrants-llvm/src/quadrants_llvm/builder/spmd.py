"""Lane groups: a parallel loop whose lanes run divergent serial loops, emitted as vector code over groups of lanes.

A body with a ``while`` loop, or a counted loop that ``break``s (a ray march, an escape-time iteration), keeps the
scalar range function's per-lane form: LLVM's loop vectoriser does not vectorise a loop that contains another loop
with a data-dependent exit, so each lane's serial loop ran alone and its latency chain (``sqrt``, ``t += d``) set the
speed. Here :func:`emit_groups` runs ``W`` neighbouring lanes together (:func:`width`), SPMD style: every value is
a ``<W x T>`` vector, the statements run under a lane mask (``If`` runs each branch, skipped when no lane takes
it; a loop repeats while any lane is still in it; ``Break``/``Continue`` take lanes out of the mask), loads and
stores are masked gathers and scatters. Each lane computes exactly the operations the scalar code computes, in
the same order, so results are bit-identical (IEEE, no fast-math); only the order of lanes changes, which the
semantics leave open. The range function runs its whole groups this way and the remaining lanes with the scalar
code.

:func:`supports` decides, per task, from a whitelist: statement kinds (no ``Print``, ``Check``, ``Call``,
``SetReturn``, clock reads), atomics only where they are a per-thread reduction (``ATOMIC_ADD``) or at a lane's own
elements, ops whose emitters are type-generic, and dtypes without f16/8/16-bit storage. Anything else keeps the
scalar code.
"""

from __future__ import annotations

import llvmlite.ir as ll

from quadrants.ir import nodes as N
from quadrants.ir.dtypes import DataType, i64 as _I64
from quadrants.ir.ops import Op
from quadrants.ir.reductions import identity
from quadrants.ir.walk import iter_stmts, own_exprs
from quadrants_llvm.builder import numerics as nm
from quadrants_llvm.builder.atomics import ELEMENTWISE
from quadrants_llvm.builder.exprs import OP_EMITTERS
from quadrants_llvm.builder.types import I1, I32, I64, PTR, VOID, const, intrinsic, mem_type, reg_type

__all__ = ["width", "supports", "emit_groups"]


def width(target) -> int:
    """Lanes per group: 16 where the CPU has 512-bit vectors (one register of f32), else 8 (one AVX2 register; SSE
    uses two). Measured single-threaded on AVX-512 (Zen 4), ms per frame for widths 4/8/16/32: sdf_render
    13.4/8.2/6.0/6.6, mandelbrot 9.3/5.0/3.1/2.4 (wider groups wait longer for their slowest lane)."""
    return 16 if "+avx512f" in target.features.split(",") else 8


_STMTS = (N.Decl, N.Assign, N.Load, N.Store, N.AtomicRMW, N.VarAtomicRMW, N.If, N.RangeFor, N.Loop, N.Break, N.Continue)
_CMP = (Op.EQ, Op.NE, Op.LT, Op.LE, Op.GT, Op.GE)
_FLOAT_ONLY = frozenset({Op.TRUEDIV, Op.POW})
# integer emitters that write scalar constants (division guards, abs, shift masks): _VecBuilder splats them
_SPLATTED = (Op.FLOORDIV, Op.MOD, Op.RAW_DIV, Op.RAW_MOD, Op.ABS, Op.SHL, Op.SHR)
_MATH = (Op.SQRT, Op.RSQRT, Op.EXP, Op.LOG, Op.SIN, Op.COS, Op.TAN, Op.ASIN, Op.ACOS, Op.ATAN, Op.ATAN2)
_OPS = frozenset(
    {Op.ADD, Op.SUB, Op.MUL, Op.NEG, Op.MAX, Op.MIN, Op.BIT_AND, Op.BIT_OR, Op.BIT_XOR, Op.BIT_NOT, *_CMP}
    | {Op.LOGICAL_NOT, Op.SELECT, Op.CAST, Op.FLOOR, Op.CEIL, Op.TRUNC, Op.ROUND, *_MATH, Op.SINH, Op.COSH, Op.TANH}
    | _FLOAT_ONLY
    | set(_SPLATTED)
)
_DTYPES = frozenset({"f32", "f64", "i32", "i64", "u32", "u64", "u1"})  # register values
_MEM_DTYPES = frozenset({"f32", "f64", "i32", "i64", "u32", "u64"})  # ndarray elements


# ----------------------------------------------------------------------------------------------------- eligibility
def _divergent(body) -> bool:
    """A ``while`` loop, or a counted loop left by ``break``, somewhere in ``body``."""
    for s in iter_stmts(body):
        if isinstance(s, N.Loop):
            return True
        if isinstance(s, N.RangeFor) and any(isinstance(x, N.Break) for x in _own_stmts(s.body)):
            return True
    return False


def _own_stmts(body):
    """The statements of a loop body, not descending into nested loops (whose breaks are their own)."""
    for s in body:
        yield s
        if isinstance(s, N.If):
            yield from _own_stmts(s.then)
            yield from _own_stmts(s.orelse)


def _expr_ok(e, em) -> bool:
    if e.dtype.name not in _DTYPES:
        return False
    if isinstance(e, N.LocalRef):
        var = e.var
        return var.id not in em.layout.kernel_vars or not (em.written_kvars and var.id in em.written_kvars)
    if isinstance(e, N.OpExpr):
        if e.op not in _OPS or (e.op in _FLOAT_ONLY and not e.dtype.is_float):
            return False
        return all(_expr_ok(a, em) for a in e.args)
    return isinstance(e, (N.Const, N.ArgRef, N.Shape))


def supports(em, item: N.ParallelFor) -> bool:
    """Whether ``item`` (with ``em``'s reductions and lane-owned arrays) gets lane groups."""
    if em.target.threads != "pool" or em.debug or not item.vars or not _divergent(item.body):
        return False
    for s in iter_stmts(item.body):
        if not isinstance(s, _STMTS) or not all(_expr_ok(e, em) for e in own_exprs(s)):
            return False
        if isinstance(s, (N.Decl, N.Assign)) and (s.var.id in em.layout.kernel_vars or s.var.dtype.name not in _DTYPES):
            return False
        if isinstance(s, (N.Load, N.Store, N.AtomicRMW)) and em.program.args[s.arg].dtype.name not in _MEM_DTYPES:
            return False
        if isinstance(s, N.AtomicRMW):
            reduction = (s.arg, s.indices) in em.reductions
            owned = s.arg in em.lane_owned and s.op in ELEMENTWISE
            if not ((reduction and s.op is Op.ATOMIC_ADD) or owned):  # a reduction's old value is never read
                return False
        if isinstance(s, N.VarAtomicRMW) and (s.target not in em.reductions or s.op is not Op.ATOMIC_ADD):
            return False
    return True


# ---------------------------------------------------------------------------------------------------- emission
class _VecBuilder:
    """An ``IRBuilder`` for the shared op emitters: a scalar constant beside a vector operand becomes its splat
    (``numerics`` writes ``const(0, dtype)`` for the guards of integer division, ``abs`` and the like)."""

    def __init__(self, b: ll.IRBuilder):
        self._b = b

    def __getattr__(self, name):
        method = getattr(self._b, name)
        if not callable(method):
            return method

        def call(*args, **kw):
            width = next((a.type.count for a in args if _is_vector(a)), None)
            if width is not None:
                args = [_splat_const(a, width) for a in args]
            return method(*args, **kw)

        return call


def _is_vector(v) -> bool:
    return isinstance(v, ll.Value) and isinstance(v.type, ll.VectorType)


def _splat_const(v, width: int):
    if isinstance(v, ll.Constant) and not isinstance(v.type, ll.VectorType):
        return ll.Constant(ll.VectorType(v.type, width), v.constant)
    return v


class _OpsView:
    """What the shared op emitters (``exprs.OP_EMITTERS``, ``numerics``) read from an emitter, on vectors."""

    def __init__(self, lanes):
        self.b = _VecBuilder(lanes.b)
        self.module, self.target, self.fm = lanes.module, lanes.target, lanes.fm


class _Lanes:
    """Emission state of one group of lanes inside a range function (shares ``em``'s builder)."""

    def __init__(self, em):
        self.em, self.b = em, em.b
        self.width = width(em.target)
        self.module, self.target, self.fm = em.module, em.target, em.fm
        self.locals: dict[int, ll.Value] = {}
        self.accs: dict = {}  # reduction target -> vector accumulator alloca
        self.loops: list[dict] = []  # innermost last: {"active": alloca, "cont": alloca}
        self.mask = None
        self.ops = _OpsView(self)

    # ------------------------------------------------------------------------------------------------ vectors
    def vtype(self, t: ll.Type) -> ll.VectorType:
        return ll.VectorType(t, self.width)

    def splat(self, v):
        if isinstance(v, ll.Constant):
            return ll.Constant(self.vtype(v.type), v.constant)
        vt = self.vtype(v.type)
        one = self.b.insert_element(ll.Constant(vt, ll.Undefined), v, ll.Constant(I32, 0))
        return self.b.shuffle_vector(one, ll.Constant(vt, ll.Undefined), ll.Constant(self.vtype(I32), [0] * self.width))

    def none(self):
        return ll.Constant(self.vtype(I1), 0)

    def any(self, mask):
        fn = intrinsic(self.module, "llvm.vector.reduce.or", I1, [mask.type], [mask.type])
        return self.b.call(fn, [mask])

    def _local(self, var: N.Var):
        p = self.locals.get(var.id)
        if p is None:
            p = self.locals[var.id] = self.em.alloca(self.vtype(reg_type(var.dtype)), name=f"{var.name}.v")
        return p

    def read(self, var: N.Var):
        if var.id in self.em.layout.kernel_vars:
            return self.splat(self.em.read_var(var))  # a kernel var no lane of this task writes
        return self.b.load(self._local(var), typ=self.vtype(reg_type(var.dtype)))

    def write(self, var: N.Var, value, masked: bool = True) -> None:
        if masked:
            value = self.b.select(self.mask, value, self.read(var))
        self.b.store(value, self._local(var))

    # ---------------------------------------------------------------------------------------------- expressions
    def expr(self, e):
        if isinstance(e, N.Const):
            return self.splat(const(e.value, e.dtype))
        if isinstance(e, N.LocalRef):
            return self.read(e.var)
        if isinstance(e, N.ArgRef):
            return self.splat(self.em.scalar_arg(e.index))
        if isinstance(e, N.Shape):
            return self.splat(nm.convert(self.em, _I64, e.dtype, self.em.shape(e.arg, e.axis)))
        args = [self.expr(a) for a in e.args]
        dts = [a.dtype for a in e.args]
        if e.op is Op.CAST:
            return self.convert(dts[0], e.dtype, args[0])
        if e.op is Op.LOGICAL_NOT:
            return self.b.xor(nm.to_bool(self.ops, dts[0], args[0]), ll.Constant(self.vtype(I1), 1))
        return OP_EMITTERS[e.op](self.ops, args, dts, e.dtype)

    def convert(self, src: DataType, dst: DataType, v):
        """:func:`numerics.convert` on vectors (the dtypes of :data:`_DTYPES`)."""
        b = self.b
        if src == dst:
            return v
        if dst.is_bool:
            return nm.to_bool(self.ops, src, v)
        dt = self.vtype(reg_type(dst))
        if src.is_float and dst.is_float:
            return b.fpext(v, dt) if dst.bits > src.bits else b.fptrunc(v, dt)
        if src.is_float:
            name = "fptosi.sat" if dst.kind == "int" else "fptoui.sat"
            fn = intrinsic(self.module, self.target.intrinsic(name), dt, [v.type], [dt, v.type])
            return b.call(fn, [v])
        if dst.is_float:
            return b.sitofp(v, dt) if src.kind == "int" else b.uitofp(v, dt)
        if dst.bits < src.bits:
            return b.trunc(v, dt)
        if dst.bits > src.bits:
            return b.sext(v, dt) if src.kind == "int" else b.zext(v, dt)
        return v

    # ------------------------------------------------------------------------------------------------- memory
    def pointers(self, arg: int, indices):
        em, b = self.em, self.b
        spec = em.program.args[arg]
        lin = None
        for axis, e in enumerate(indices):
            i = self.convert(e.dtype, _I64, self.expr(e)) if e.dtype.bits != 64 else self.expr(e)
            if axis != spec.ndim - 1:
                i = b.mul(i, self.splat(em.stride(arg, axis)))
            lin = i if lin is None else b.add(lin, i)
        if lin is None:
            lin = self.splat(ll.Constant(I64, 0))
        ptrs = b.gep(em.base(arg), [lin], inbounds=True, source_etype=mem_type(spec.dtype))
        ptrs.type = self.vtype(PTR)  # a vector of pointers (llvmlite types a GEP by its base)
        return ptrs

    def gather(self, arg: int, ptrs):
        t = self.vtype(mem_type(self.em.program.args[arg].dtype))
        fn = intrinsic(self.module, "llvm.masked.gather", t, [ptrs.type, I32, self.mask.type, t], [t, ptrs.type])
        return self.b.call(fn, [ptrs, ll.Constant(I32, _align(t.element)), self.mask, ll.Constant(t, None)])

    def scatter(self, value, ptrs) -> None:
        t = value.type
        fn = intrinsic(self.module, "llvm.masked.scatter", VOID, [t, ptrs.type, I32, self.mask.type], [t, ptrs.type])
        self.b.call(fn, [value, ptrs, ll.Constant(I32, _align(t.element)), self.mask])

    # --------------------------------------------------------------------------------------------- statements
    def block(self, stmts) -> None:
        for s in stmts:
            getattr(self, "_" + type(s).__name__)(s)

    def _Decl(self, s) -> None:
        self.write(s.var, self.expr(s.value))

    _Assign = _Decl

    def _Load(self, s: N.Load) -> None:
        self.write(s.var, self.gather(s.arg, self.pointers(s.arg, s.indices)))

    def _Store(self, s: N.Store) -> None:
        self.scatter(self.expr(s.value), self.pointers(s.arg, s.indices))

    def _accumulate(self, target, operands) -> None:
        acc, dtype = self.accs[target]
        cur = self.b.load(acc, typ=acc.allocated_type)
        new = OP_EMITTERS[Op.ADD](self.ops, [cur, operands[0]], [dtype, dtype], dtype)
        self.b.store(self.b.select(self.mask, new, cur), acc)

    def _AtomicRMW(self, s: N.AtomicRMW) -> None:
        operands = [self.expr(o) for o in s.operands]
        if (s.arg, s.indices) in self.accs:
            self._accumulate((s.arg, s.indices), operands)
            return
        dtype = self.em.program.args[s.arg].dtype  # a lane-owned element: load, combine, store
        ptrs = self.pointers(s.arg, s.indices)
        cur = self.gather(s.arg, ptrs)
        new = OP_EMITTERS[ELEMENTWISE[s.op]](self.ops, [cur, operands[0]], [dtype, dtype], dtype)
        self.scatter(new, ptrs)
        if s.var is not None:
            self.write(s.var, cur)

    def _VarAtomicRMW(self, s: N.VarAtomicRMW) -> None:
        self._accumulate(s.target, [self.expr(o) for o in s.operands])

    def _masked(self, mask, stmts) -> None:
        """Run ``stmts`` under ``mask``, branching around them when no lane is in it."""
        if not stmts:
            return
        em, b = self.em, self.b
        run, after = em.new_block("lanes.then"), em.new_block("lanes.endif")
        b.cbranch(self.any(mask), run, after)
        b.position_at_end(run)
        self.mask = mask
        self.block(stmts)
        b.branch(after)
        b.position_at_end(after)

    def _If(self, s: N.If) -> None:
        b, outer = self.b, self.mask
        cond = nm.to_bool(self.ops, s.cond.dtype, self.expr(s.cond))
        self._masked(b.and_(outer, cond), s.then)
        self._masked(b.and_(outer, b.xor(cond, ll.Constant(cond.type, 1))), s.orelse)
        self.mask = outer
        if self.loops and any(isinstance(x, (N.Break, N.Continue)) for x in _own_stmts((s,))):
            self.mask = self._live(outer)

    def _live(self, mask):
        """``mask`` less the lanes that left the innermost loop or continued it this iteration."""
        loop, b, mt = self.loops[-1], self.b, self.vtype(I1)
        gone = b.or_(b.xor(b.load(loop["active"], typ=mt), ll.Constant(mt, 1)), b.load(loop["cont"], typ=mt))
        return b.and_(mask, b.xor(gone, ll.Constant(mt, 1)))

    def _Break(self, s) -> None:
        loop, b, mt = self.loops[-1], self.b, self.vtype(I1)
        b.store(b.and_(b.load(loop["active"], typ=mt), b.xor(self.mask, ll.Constant(mt, 1))), loop["active"])
        self.mask = self.none()

    def _Continue(self, s) -> None:
        loop, b, mt = self.loops[-1], self.b, self.vtype(I1)
        b.store(b.or_(b.load(loop["cont"], typ=mt), self.mask), loop["cont"])
        self.mask = self.none()

    def _loop(self, body, head_test=None, latch=None) -> None:
        """Repeat ``body`` while some lane is active; ``head_test()`` narrows the lanes at the top of each pass."""
        em, b, mt, outer = self.em, self.b, self.vtype(I1), self.mask
        loop = {"active": em.alloca(mt, name="lanes.active"), "cont": em.alloca(mt, name="lanes.cont")}
        b.store(outer, loop["active"])
        head, run, done = em.new_block("lanes.head"), em.new_block("lanes.body"), em.new_block("lanes.end")
        b.branch(head)
        b.position_at_end(head)
        em.poll_interrupt()
        active = b.load(loop["active"], typ=mt)
        if head_test is not None:
            active = b.and_(active, head_test())
            b.store(active, loop["active"])
        b.store(self.none(), loop["cont"])
        b.cbranch(self.any(active), run, done)
        b.position_at_end(run)
        self.loops.append(loop)
        self.mask = active
        self.block(body)
        self.loops.pop()
        if latch is not None:
            latch()
        b.branch(head)
        b.position_at_end(done)
        self.mask = outer

    def _Loop(self, s: N.Loop) -> None:
        self._loop(s.body)

    def _RangeFor(self, s: N.RangeFor) -> None:
        t = s.var.dtype
        begin = self.convert(s.begin.dtype, t, self.expr(s.begin))
        end = self.convert(s.end.dtype, t, self.expr(s.end))
        self.write(s.var, begin)
        one = self.splat(ll.Constant(reg_type(t), 1))

        def test():
            return self.b.icmp_signed("<", self.read(s.var), end)

        def latch():
            self.b.store(self.b.add(self.read(s.var), one), self._local(s.var))  # every lane: exited ones are done

        self._loop(s.body, test, latch)


def _align(t: ll.Type) -> int:
    return t.width // 8 if isinstance(t, ll.IntType) else {ll.FloatType: 4, ll.DoubleType: 8}[type(t)]


def emit_groups(em, item: N.ParallelFor, begins, extents, start, end):
    """Run the whole groups of :func:`width` lanes of ``[start, end)`` as vector code; returns the first lane left to
    the scalar code (``end`` minus the remainder)."""
    lanes = _Lanes(em)
    b = em.b
    w = ll.Constant(I64, lanes.width)
    stop = b.add(start, b.mul(b.sdiv(b.sub(end, start), w), w))
    for target in em.reductions:
        dtype = target.dtype if isinstance(target, N.Var) else em.program.args[target[0]].dtype
        acc = em.alloca(lanes.vtype(reg_type(dtype)), name="lanes.acc")
        b.store(lanes.splat(const(identity(Op.ATOMIC_ADD, dtype), dtype)), acc)
        lanes.accs[target] = (acc, dtype)
    pos = em.alloca(I64, name="lanes.pos")
    b.store(start, pos)
    head, body, done = em.new_block("group.head"), em.new_block("group.body"), em.new_block("group.end")
    b.branch(head)
    b.position_at_end(head)
    p = b.load(pos, typ=I64)
    b.cbranch(b.icmp_signed("<", p, stop), body, done)
    b.position_at_end(body)
    b.store(b.add(p, w), pos)
    flat = b.add(lanes.splat(p), ll.Constant(lanes.vtype(I64), list(range(lanes.width))))
    last = len(extents) - 1
    outer = flat
    for axis in range(last, -1, -1):
        i = outer if axis == 0 else b.urem(outer, lanes.splat(extents[axis]))
        if axis:
            outer = b.udiv(outer, lanes.splat(extents[axis]))
        var = item.vars[axis]
        lanes.write(var, b.trunc(b.add(lanes.splat(begins[axis]), i), lanes.vtype(reg_type(var.dtype))), masked=False)
    lanes.mask = ll.Constant(lanes.vtype(I1), 1)
    lanes.block(item.body)
    b.branch(head)
    b.position_at_end(done)
    for target, (acc, dtype) in lanes.accs.items():
        vec = b.load(acc, typ=acc.allocated_type)
        scalar = em.reductions[target]
        cur = b.load(scalar, typ=reg_type(dtype))
        if dtype.is_float:
            fn = intrinsic(em.module, "llvm.vector.reduce.fadd", vec.type.element, [cur.type, vec.type], [vec.type])
            total = b.call(fn, [cur, vec], fastmath=("reassoc",))
        else:
            fn = intrinsic(em.module, "llvm.vector.reduce.add", vec.type.element, [vec.type], [vec.type])
            total = b.add(cur, b.call(fn, [vec]))
        b.store(total, scalar)
    return stop
