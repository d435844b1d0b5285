"""Per-function emission state: the builders, locals, ndarray views, kernel vars, loops and run-time check tables.

A :class:`FunctionEmitter` owns one LLVM function. Values that every use needs (scalar arguments, ndarray base
pointers, shapes and strides, read-only kernel vars, allocas) are materialised lazily in the *entry* block, which
dominates every other block, so they are computed once per call and LLVM can hoist them out of loops trivially.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import llvmlite.ir as ll

from quadrants.ir import nodes as N
from quadrants.ir.dtypes import DataType
from quadrants.ir.ops import Op
from quadrants_llvm.builder.layout import INTERRUPTED, MAX_ERR_INDICES, Layout
from quadrants_llvm.builder.types import I8, I32, I64, PTR, VOID, mem_type, reg_type
from quadrants_llvm.target import TargetInfo

__all__ = ["Tables", "FunctionEmitter", "from_mem", "to_mem", "INTERRUPT_SYMBOL"]

INTERRUPT_SYMBOL = "qd_interrupts"
CONST_STRIDE_LIMIT = 16  # static strides up to this many elements (a 4x4 matrix) are emitted as constants


# the index operations wide_index computes in 64 bits (nsw: no wrap below 2**63)
_WIDE_OPS = {
    Op.ADD: lambda b, x, y: b.add(x, y, flags=["nsw"]),
    Op.SUB: lambda b, x, y: b.sub(x, y, flags=["nsw"]),
}


@dataclass
class Tables:
    """Program-wide tables the host needs after a launch: run-time checks and print formats (indexed by id)."""

    checks: list[dict] = field(default_factory=list)
    prints: list[tuple] = field(default_factory=list)

    def add_check(self, **info) -> int:
        self.checks.append(info)
        return len(self.checks) - 1


class FunctionEmitter:
    """Emission state of one function whose first parameter is the launch context pointer."""

    def __init__(
        self,
        module: ll.Module,
        fn: ll.Function,
        *,
        target: TargetInfo,
        program: N.Program,
        layout: Layout,
        tables: Tables,
        debug: bool,
        fast_math: bool,
        array_params: dict[int, ll.Value] | None = None,
        written_kvars: frozenset[int] | None = None,
    ):
        self.module, self.fn, self.target = module, fn, target
        self.program, self.layout, self.tables = program, layout, tables
        self.debug = debug
        self.fm = ("fast",) if fast_math else ()
        self.ctx = fn.args[0]
        self.entry = fn.append_basic_block("entry")
        self.eb = ll.IRBuilder(self.entry)
        self.first = fn.append_basic_block("body")
        self.b = ll.IRBuilder(self.first)
        self.locals: dict[int, ll.Value] = {}
        self.loops: list[tuple[ll.Block, ll.Block | None]] = []  # (continue target, break target)
        self.array_params = array_params or {}
        self.block_arrays: dict[int, ll.Value] = {}  # scratch rows in block shared memory (builder/block_shared.py)
        # None: a serial function (kernel vars are plain slot accesses); else the kernel vars the parallel task writes
        self.written_kvars = written_kvars
        self.private: frozenset[int] = frozenset()  # ndarrays privatised per chunk (plain adds, no atomics)
        self.lane_owned: frozenset[int] = frozenset()  # ndarrays only touched at the lane's own elements
        # reduction target -> accumulator alloca (see quadrants_llvm.builder.reductions); a target is an ndarray
        # element ``(arg, indices)`` or a kernel var (the ``N.Var``)
        self.reductions: dict = {}
        # grid targets: lane variable id -> its i64 value in the lane being emitted (set per lane by grid.py), so
        # that element addresses are computed in 64 bits without a sign extension per use (see wide_index)
        self.wide_lanes: dict[int, ll.Value] = {}
        self._cache: dict = {}
        # program functions (quadrants_llvm.builder.calls): the LLVM function of each, and in a function's own
        # emitter the calls-deep parameter and the return type (VOID for tasks)
        self.functions: list[ll.Function] = []
        self.depth: ll.Value | None = None
        self.ret_type: ll.Type = VOID

    # -------------------------------------------------------------------------------------------------- plumbing
    def finish(self) -> None:
        """Close the entry block (jump to the first body block)."""
        self.eb.branch(self.first)

    def slot_ptr(self, slot: int, builder: ll.IRBuilder | None = None):
        return (builder or self.eb).gep(self.ctx, [ll.Constant(I64, slot)], inbounds=True, source_etype=I64)

    def entry_value(self, key, make):
        """A value computed once in the entry block (cached under ``key``)."""
        v = self._cache.get(key)
        if v is None:
            v = self._cache[key] = make(self.eb)
        return v

    def alloca(self, t: ll.Type, name: str = "", count: int | None = None):
        size = None if count is None else ll.Constant(I32, count)
        space = self.target.alloca_address_space
        if not space:
            return self.eb.alloca(t, size=size, name=name)
        # AMDGPU: stack memory is address space 5; the rest of the builder works on generic pointers
        inst = _SpaceAlloca(self.eb.block, t, size, name, space)
        self.eb._insert(inst)
        return self.eb.addrspacecast(inst, PTR)

    def new_block(self, name: str) -> ll.Block:
        return self.fn.append_basic_block(name)

    # ------------------------------------------------------------------------------------------- Ctrl-C polling
    def _interrupts(self):
        """``@qd_interrupts``: the host's SIGINT counter (``cpu/interrupt.py`` binds the symbol)."""
        g = self.module.globals.get(INTERRUPT_SYMBOL)
        if g is None:
            g = ll.GlobalVariable(self.module, I32, INTERRUPT_SYMBOL)
            g.linkage = "external"
        return g

    def capture_interrupt_epoch(self) -> None:
        """At a task's entry: remember the counter, so that a later SIGINT (and only that) stops the task."""
        if self.target.interrupts:
            now = self.eb.load_atomic(self._interrupts(), "monotonic", 4, typ=I32)
            self.eb.store(self.eb.zext(now, I64), self.slot_ptr(self.layout.interrupt_epoch, self.eb))

    def poll_interrupt(self) -> None:
        """Return from this (void) function with status ``INTERRUPTED`` when a SIGINT arrived since the task began.

        One relaxed load and a compare: emitted where the code is not an innermost loop body (chunk claims, outer
        loop latches, blocks of innermost loops), so vectorised loops stay as they are.
        """
        if not self.target.interrupts:
            return
        b = self.b
        epoch = self.entry_value(
            ("interrupt_epoch",),
            lambda eb: eb.trunc(eb.load(self.slot_ptr(self.layout.interrupt_epoch, eb), typ=I64), I32),
        )
        now = b.load_atomic(self._interrupts(), "monotonic", 4, typ=I32)
        stop, go = self.new_block("interrupted"), self.new_block("not_interrupted")
        b.cbranch(b.icmp_unsigned("!=", now, epoch), stop, go).set_weights([1, 1 << 20])  # hardly ever taken
        b.position_at_end(stop)
        status = self.slot_ptr(self.layout.status, b)
        b.cmpxchg(status, ll.Constant(I64, 0), ll.Constant(I64, INTERRUPTED), "monotonic", "monotonic")
        self.return_zero()
        b.position_at_end(go)

    def return_zero(self) -> None:
        """Leave this function early: ``ret void`` in a task, zeros of the results in a program function."""
        if self.ret_type == VOID:
            self.b.ret_void()
        else:
            self.b.ret(ll.Constant(self.ret_type, None))

    def terminated(self) -> bool:
        return self.b.block.is_terminated

    def branch_if_open(self, target: ll.Block) -> None:
        if not self.b.block.is_terminated:
            self.b.branch(target)

    # -------------------------------------------------------------------------------------------- scalar args, arrays
    def scalar_arg(self, index: int):
        spec = self.program.args[index]

        def load(eb):
            return from_mem(
                eb, spec.dtype, eb.load(self.slot_ptr(self.layout.args[index], eb), typ=mem_type(spec.dtype))
            )

        return self.entry_value(("arg", index), load)

    def shape(self, arg: int, axis: int):
        """``shape[axis]`` of ndarray argument ``arg`` as i64: a constant when the shape is known at compile time
        (fields)."""
        static = self.program.args[arg].shape
        if static is not None:
            return ll.Constant(I64, static[axis])
        return self._shape_word(arg, axis)

    def _shape_word(self, arg: int, axis: int):
        slot = self.layout.args[arg] + 1 + axis
        return self.entry_value(("shape", arg, axis), lambda eb: eb.load(self.slot_ptr(slot, eb), typ=I64))

    def base(self, arg: int):
        if arg in self.array_params:
            return self.array_params[arg]
        slot = self.layout.args[arg]
        space = self.target.address_space
        if not space:
            return self.entry_value(("base", arg), lambda eb: eb.load(self.slot_ptr(slot, eb), typ=PTR))

        def global_base(eb):
            # ndarray data is device global memory: element pointers in the global address space give global
            # loads and stores (PTX ld.global/st.global, not a generic ld that must first find the address's window)
            data = eb.load(self.slot_ptr(slot, eb), typ=PTR)
            return eb.addrspacecast(data, ll.PointerType(addrspace=space))

        return self.entry_value(("base", arg), global_base)

    def stride(self, arg: int, axis: int):
        """The element stride of ``axis``. A constant where the static shape makes it small (a vector or matrix
        field's component axes: LLVM then loads the components of neighbouring elements as one interleaved group);
        the row strides of a field's index axes stay run-time words, because LLVM's cost model, seeing them as
        constants, vectorises clamped stencils (``x[min(i + 1, n - 1), j]``) with one scalar load per lane, which is
        slower than the scalar loop."""
        spec = self.program.args[arg]
        if axis == spec.ndim - 1:
            return ll.Constant(I64, 1)
        if spec.shape is not None:
            size = 1
            for n in spec.shape[axis + 1 :]:
                size *= n
            if size <= CONST_STRIDE_LIMIT:
                return ll.Constant(I64, size)
        return self.entry_value(
            ("stride", arg, axis),
            lambda eb: eb.mul(self.stride(arg, axis + 1), self._shape_word(arg, axis + 1), flags=["nsw", "nuw"]),
        )

    def index64(self, e, dtype: DataType, value):
        if dtype.bits == 64:
            return value
        return self.b.sext(value, I64) if dtype.kind == "int" else self.b.zext(value, I64)

    def wide_index(self, e):
        """An index as i64, with the ``+``/``-`` of 32-bit (and narrower) signed ints computed in 64 bits (GPU).

        ``a[i - 1, j + 1]`` with i32 ``i``, ``j``: sign-extending each wrapped 32-bit result hides from LLVM that the
        five addresses of a stencil differ by constants, and each load then costs its own chain of 64-bit integer
        work, which bounded Jacobi on an H100. The two computations differ only where the 32-bit result wraps, that
        is for an index past ``2**31 - 1`` or below ``-2**31``: out of bounds of any axis a 32-bit index addresses,
        where an access is undefined outside ``debug=True`` (which keeps the 32-bit path and reports it).
        """
        from quadrants_llvm.builder.exprs import emit_expr

        if isinstance(e, N.LocalRef) and e.var.id in self.wide_lanes:
            return self.wide_lanes[e.var.id]
        if isinstance(e, N.Const) and e.dtype.kind == "int":
            return ll.Constant(I64, int(e.value))
        if isinstance(e, N.OpExpr) and e.op in _WIDE_OPS and e.dtype.kind == "int" and e.dtype.bits < 64:
            left, right = (self.wide_index(a) for a in e.args)
            return _WIDE_OPS[e.op](self.b, left, right)
        return self.index64(e, e.dtype, emit_expr(self, e))

    def element_ptr(self, arg: int, idx64: list):
        spec = self.program.args[arg]
        row = self.block_arrays.get(arg)  # a slot's scratch row in block shared memory: without the slot index
        first = 0 if row is None else 1
        lin = None
        for axis, i in enumerate(idx64[first:], first):
            term = i if axis == spec.ndim - 1 else self.b.mul(i, self.stride(arg, axis), flags=["nsw"])
            lin = term if lin is None else self.b.add(lin, term, flags=["nsw"])
        if row is not None:
            zero = ll.Constant(I64, 0)
            return self.b.gep(row, [zero, zero if lin is None else lin], inbounds=True, source_etype=row.value_type)
        if lin is None:
            return self.base(arg)
        return self.b.gep(self.base(arg), [lin], inbounds=True, source_etype=mem_type(spec.dtype))

    def access(self, arg: int, indices, loc, do, result_type: ll.Type | None = None):
        """Run ``do(element pointer)``; under debug, a bad index records a bounds error and skips the access.

        Returns ``do``'s value (zero of ``result_type`` on the skipped path).
        """
        from quadrants_llvm.builder.exprs import emit_expr

        if not self.debug and self.target.threads == "grid":
            return do(self.element_ptr(arg, [self.wide_index(i) for i in indices]))
        idx64 = [self.index64(i, i.dtype, emit_expr(self, i)) for i in indices]
        if not self.debug:
            return do(self.element_ptr(arg, idx64))
        b = self.b
        bad = None
        for axis, i in enumerate(idx64):
            out = b.icmp_unsigned(">=", i, self.shape(arg, axis))  # negatives are huge unsigned values
            bad = out if bad is None else b.or_(bad, out)
        if bad is None:
            return do(self.element_ptr(arg, idx64))
        ok_bb, bad_bb, merge = self.new_block("in_bounds"), self.new_block("out_of_bounds"), self.new_block("access")
        b.cbranch(bad, bad_bb, ok_bb)
        b.position_at_end(bad_bb)
        spec = self.program.args[arg]
        cid = self.tables.add_check(kind="bounds", message="", loc=loc, arg=arg, name=spec.name, ndim=spec.ndim)
        self.record_failure(cid, idx64)
        bad_end = b.block
        b.branch(merge)
        b.position_at_end(ok_bb)
        value = do(self.element_ptr(arg, idx64))
        ok_end = b.block
        b.branch(merge)
        b.position_at_end(merge)
        if result_type is None:
            return None
        phi = b.phi(result_type)
        phi.add_incoming(value, ok_end)
        phi.add_incoming(ll.Constant(result_type, None), bad_end)
        return phi

    def record_failure(self, check_id: int, idx64: list | None = None) -> None:
        """Set the status word to ``check_id + 1`` unless another failure got there first; the winner saves indices."""
        b = self.b
        status = self.slot_ptr(self.layout.status, b)
        pair = b.cmpxchg(status, ll.Constant(I64, 0), ll.Constant(I64, check_id + 1), "monotonic", "monotonic")
        if not idx64:
            return
        won = b.extract_value(pair, 1)
        save, after = self.new_block("save_indices"), self.new_block("saved")
        b.cbranch(won, save, after)
        b.position_at_end(save)
        for k, i in enumerate(idx64[:MAX_ERR_INDICES]):
            b.store(i, self.slot_ptr(self.layout.errors + k, b))
        b.branch(after)
        b.position_at_end(after)

    # ----------------------------------------------------------------------------------------------------- locals
    def _local_ptr(self, var: N.Var):
        p = self.locals.get(var.id)
        if p is None:
            p = self.locals[var.id] = self.alloca(reg_type(var.dtype), name=var.name)
        return p

    def _kvar_ptr(self, var: N.Var, builder=None):
        return self.slot_ptr(self.layout.kernel_vars[var.id], builder)

    def read_var(self, var: N.Var):
        if var.id not in self.layout.kernel_vars:
            return self.b.load(self._local_ptr(var), typ=reg_type(var.dtype))
        t = mem_type(var.dtype)  # kernel vars live in the context in their storage type (u1 as a byte)
        if self.written_kvars is None:
            raw = self.b.load(self._kvar_ptr(var, self.b), typ=t)
        elif var.id in self.written_kvars:  # other threads may write it: an atomic (unordered) read
            raw = self.b.load_atomic(self._kvar_ptr(var, self.b), "monotonic", _align(t), typ=t)
        else:
            return self.entry_value(
                ("kvar", var.id), lambda eb: from_mem(eb, var.dtype, eb.load(self._kvar_ptr(var, eb), typ=t))
            )
        return from_mem(self.b, var.dtype, raw)

    def kernel_var_ptr(self, var: N.Var):
        """The launch-context slot of kernel var ``var`` (its storage type; u1 as a byte), at the builder."""
        return self._kvar_ptr(var, self.b)

    def at_target(self, target, do):
        """``do(pointer)`` for a reduction target: a kernel var's slot, or an ndarray element ``(arg, indices)``."""
        if isinstance(target, N.Var):
            return do(self.kernel_var_ptr(target))
        arg, indices = target
        return self.access(arg, indices, None, do)

    def write_var(self, var: N.Var, value) -> None:
        if var.id not in self.layout.kernel_vars:
            self.b.store(value, self._local_ptr(var))
            return
        value = to_mem(self.b, var.dtype, value)
        ptr = self._kvar_ptr(var, self.b)
        if self.written_kvars is None:
            self.b.store(value, ptr)
        else:
            # IRBuilder.store_atomic reads ``ptr.type.pointee``, which opaque pointers lack: insert it directly
            self.b._insert(ll.instructions.StoreAtomicInstr(self.b.block, value, ptr, "monotonic", _align(value.type)))

    # ---------------------------------------------------------------------------------------------- host callbacks
    def print_fn(self):
        fn = self.module.globals.get("qd_print")
        if fn is None:
            fn = ll.Function(self.module, ll.FunctionType(VOID, [PTR, I32, PTR]), name="qd_print")
        return fn


class _SpaceAlloca(ll.instructions.AllocaInstr):
    """``alloca`` in a non-zero address space (llvmlite's ``IRBuilder.alloca`` has no such argument)."""

    def __init__(self, parent, typ, count, name, space: int):
        super().__init__(parent, typ, count, name)
        self.type = ll.PointerType(addrspace=space)
        self.space = space

    def descr(self, buf):
        buf.append(f"alloca {self.allocated_type}")
        if self.operands:
            (op,) = self.operands
            buf.append(f", {op.type} {op.get_reference()}")
        buf.append(f", addrspace({self.space})")


def from_mem(b: ll.IRBuilder, dtype: DataType, raw):
    """A loaded storage value as a register value (``u1``: byte != 0)."""
    return b.icmp_unsigned("!=", raw, ll.Constant(I8, 0)) if dtype.is_bool else raw


def to_mem(b: ll.IRBuilder, dtype: DataType, value):
    """A register value in its storage type (``u1``: zero-extended to a byte)."""
    return b.zext(value, I8) if dtype.is_bool else value


def _align(t: ll.Type) -> int:
    if isinstance(t, ll.IntType):
        return max(1, t.width // 8)
    return {ll.HalfType: 2, ll.FloatType: 4, ll.DoubleType: 8}[type(t)]
