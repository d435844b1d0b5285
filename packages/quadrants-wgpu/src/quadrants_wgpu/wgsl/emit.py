"""Program → WGSL: one compute shader per task, plus the buffer layouts the runtime needs to launch them.

Bindings of every shader (group 0):

| binding | WGSL name | contents |
|---|---|---|
| 0 | ``qd_args`` (read) | words 0, 1: zeros (:mod:`.library`), then every scalar argument, then every shape |
| 1 | ``qd_kv`` | kernel vars (live for the whole launch), then the return slots |
| 2 | ``qd_status`` | first failed check (debug / ``Check``), print cursor and print records |
| 3… | ``qd_a<k>`` | the ndarray arguments the task uses, in argument order |

A buffer that a launch passes as several arguments, one of them written, is bound once (:mod:`.aliases`).

A ``ParallelFor`` becomes a 1-D dispatch whose invocations walk the flattened iteration space in a grid-stride loop
(so any size fits under the dispatch limit) and decompose the linear id into per-axis indices, last axis fastest.
A kernel var or an ndarray element that the task reduces into (``s += a[i]``, ``t[()] += a[i]``,
:mod:`quadrants.ir.reductions`) gets an accumulator per invocation; after the loop each workgroup combines its
accumulators in workgroup memory (a tree of ``WORKGROUP_SIZE`` lanes) and one invocation applies a single atomic to
``qd_kv`` or the ndarray. Small integer histograms get a workgroup-private copy (:mod:`.privatize`). A task with such
a combine is marked ``reduces``: the runtime gives it fewer workgroups, so each lane accumulates more.
The bounds are recomputed by each invocation from arguments and kernel vars (cheap, and no host round trip);
the host evaluates the same expressions only to size the dispatch. A ``SerialBlock`` runs on one invocation.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from quadrants.ir import nodes as N
from quadrants.ir.dtypes import i32
from quadrants.ir.ops import Op
from quadrants.ir.reductions import find_reductions, find_var_reductions, identity
from quadrants.ir.walk import contains, iter_stmts, iter_tasks
from quadrants_wgpu.wgsl import library
from quadrants_wgpu.wgsl.aliases import share_bindings
from quadrants_wgpu.wgsl.atomics import (
    atomic_function,
    atomic_function_name,
    combine,
    kv_atomic_function,
    kv_atomic_function_name,
)
from quadrants_wgpu.wgsl.convert import cast
from quadrants_wgpu.wgsl.exprs import emit_expr
from quadrants_wgpu.wgsl.names import (
    WORDS_ATOMIC32,
    WORDS_ATOMIC64,
    WORDS_PLAIN,
    arg_buffer,
    literal,
    var_name,
    words_of,
)
from quadrants_wgpu.wgsl.packing import ArgUse, accessors, declaration, element_bytes, storage_element
from quadrants_wgpu.wgsl.placement import BindingPlan, chunk_dispatcher, view_name
from quadrants_wgpu.wgsl.privatize import PRIVATE_LIMIT, find_private, private_code
from quadrants_wgpu.wgsl.stmts import (
    FAIL_FN,
    STATUS_WORDS,
    ProgramTables,
    TaskCtx,
    apply_atomic,
    emit_block,
    recursion_error,
)
from quadrants_wgpu.wgsl.target import ShaderTarget

__all__ = ["TaskShader", "ProgramLayout", "EmittedProgram", "emit_program", "emit_variant", "WORKGROUP_SIZE"]

WORKGROUP_SIZE = 256
DEFAULT_PRINT_CAPACITY = 1 << 16  # words of print records per launch


@dataclass(frozen=True)
class TaskShader:
    """One task's compute shader: WGSL text and the ndarray bindings ``(source, read-only?)`` from binding 3 on.

    A source is an argument index (its whole buffer); with a :class:`~.placement.BindingPlan`, also ``(arg, k)``
    (window ``k`` of a chunked array) or a WGSL element type (the arena bound as that view)."""

    kind: str  # "parallel" or "serial"
    wgsl: str
    bindings: tuple[tuple[int | tuple[int, int] | str, bool], ...]
    workgroup_size: int
    reduces: bool = False  # the shader combines per-workgroup partial results (fewer workgroups: less combining)
    elems: tuple[str, ...] = ()  # the storage element type of each binding (what an arena view of it would be)
    plan: BindingPlan = field(default_factory=BindingPlan)
    tables_start: tuple[int, int] = (0, 0)  # checks and prints numbered before this task (to emit it again)


@dataclass(frozen=True)
class ProgramLayout:
    """Word offsets in the args and kernel-var buffers, shared by every task of the program."""

    scalar_offsets: dict[int, int]
    shape_offsets: dict[int, int]
    args_words: int
    kv_offsets: dict[int, int]
    return_offsets: dict[int, int]
    kv_words: int
    status_words: int
    print_capacity: int


@dataclass(frozen=True)
class EmittedProgram:
    """Everything ``compile`` produces: shaders in task order, layouts and the check/print tables."""

    shaders: tuple[TaskShader, ...]
    layout: ProgramLayout
    tables: ProgramTables = field(default_factory=ProgramTables)


def plan_layout(program: N.Program, print_capacity: int = DEFAULT_PRINT_CAPACITY) -> ProgramLayout:
    """Word offsets of scalars, shapes, kernel vars and returns."""
    scalar_offsets, shape_offsets = {}, {}
    w = 2  # words 0 and 1 are zeros (qd_zero, qd_zero1)
    for k, spec in enumerate(program.args):
        if isinstance(spec, N.ScalarArg):
            scalar_offsets[k] = w
            w += 2 if spec.dtype.bits == 64 else 1
    for k, spec in enumerate(program.args):
        if isinstance(spec, N.NdarrayArg):
            shape_offsets[k] = w
            w += max(1, spec.ndim)
    kv_offsets, return_offsets = {}, {}
    v = 0
    # 64-bit kernel vars and returns at even words: a shader that updates one atomically sees qd_kv as atomic<u64>
    for var in program.kernel_vars:
        v += v & (words_of(var.dtype) - 1)
        kv_offsets[var.id] = v
        v += words_of(var.dtype)
    for k, dtype in enumerate(program.returns):
        v += v & (words_of(dtype) - 1)
        return_offsets[k] = v
        v += words_of(dtype)
    capacity = print_capacity if contains(program.items, N.Print) else 0
    return ProgramLayout(
        scalar_offsets, shape_offsets, w, kv_offsets, return_offsets, max(v, 1), STATUS_WORDS + capacity, capacity
    )


_HEADER = """@group(0) @binding(0) var<storage, read> qd_args: array<u32>;
@group(0) @binding(1) var<storage, read_write> qd_kv: array<{kv}>;
@group(0) @binding(2) var<storage, read_write> qd_status: array<atomic<u32>>;"""


# Workgroup memory for the accumulators of ndarray reduction targets (WebGPU guarantees 16 KiB per workgroup; kernel
# var reductions come first and always get theirs). Targets beyond the budget keep one atomic per update.
ARRAY_REDUCTION_BYTES = 8192
WORKGROUP_BYTES = 16384  # WebGPU's default maxComputeWorkgroupStorageSize (the device asks for no more)


def _array_targets(cx: TaskCtx, item: N.ParallelFor, program: N.Program, wg: int) -> list[tuple]:
    """``(arg, indices, op)`` of the ndarray elements ``item`` reduces into (``t[()] += x[i]``), in a stable order.

    Not under ``debug``: there every update checks its indices where it happens."""
    if cx.debug:
        return []
    targets = find_reductions(item, program)
    ops = {(s.arg, s.indices): s.op for s in iter_stmts(item.body) if isinstance(s, N.AtomicRMW)}
    out, used = [], 0
    for arg, indices in sorted(targets, key=lambda t: (t[0], repr(t[1]))):
        size = wg * 4 * words_of(program.args[arg].dtype)
        if used + size > ARRAY_REDUCTION_BYTES:
            continue
        used += size
        out.append((arg, indices, ops[(arg, indices)]))
    return out


def _reductions(
    cx: TaskCtx, item: N.ParallelFor, program: N.Program, wg: int
) -> tuple[list[str], list[str], list[str]]:
    """Accumulator declarations (before the grid loop), the per-workgroup combine and flush (after it), and the
    workgroup arrays, for the kernel vars and ndarray elements ``item`` reduces into."""
    var_targets = sorted(find_var_reductions(item).items(), key=lambda t: t[0].id)
    array_targets = _array_targets(cx, item, program, wg)
    # (dtype, op, accumulator name, flush lines given the workgroup's combined value)
    targets = []
    for var, op in var_targets:
        acc = f"qd_acc{len(targets)}"
        cx.reductions[var.id] = acc
        cx.kv_atomics.add((op, var.dtype))
        call = f"_ = {kv_atomic_function_name(op, var.dtype)}({cx.kv_offsets[var.id]}u, {{}});"
        targets.append((var.dtype, op, acc, lambda value, call=call: [call.format(value)]))
    for arg, indices, op in array_targets:
        acc = f"qd_acc{len(targets)}"
        cx.array_reductions[(arg, indices)] = acc
        flush = lambda value, a=arg, ix=indices, o=op: apply_atomic(cx, o, a, ix, value)  # noqa: E731
        targets.append((program.args[arg].dtype, op, acc, flush))
    if not targets:
        return [], [], []
    before, store, tree, flush, decls = [], [], [], [], []
    for k, (dtype, op, acc, flush_lines) in enumerate(targets):
        t, red = cx.vt(dtype), f"qd_red{k}"
        decls.append(f"var<workgroup> {red}: array<{t}, {wg}>;")
        before.append(f"var {acc}: {t} = {literal(identity(op, dtype), dtype, cx.target)};")
        store.append(f"{red}[qd_lid] = {acc};")
        pair = combine(cx, op, dtype, f"{red}[qd_lid]", f"{red}[qd_lid + qd_s]")
        tree.append(f"  if (qd_lid < qd_s) {{ {red}[qd_lid] = {pair}; }}")
        flush += ["  " + line for line in flush_lines(f"{red}[0]")]
    # every invocation reaches this point (a task body never returns), so the barriers are in uniform control flow
    after = [
        *store,
        "workgroupBarrier();",
        f"for (var qd_s: u32 = {wg // 2}u; qd_s > 0u; qd_s = qd_s >> 1u) {{",
        *tree,
        "  workgroupBarrier();",
        "}",
        "if (qd_lid == 0u) {",
        *flush,
        "}",
    ]
    return before, after, decls


def _private(cx: TaskCtx, item: N.ParallelFor, program: N.Program, wg: int) -> tuple[list, list, list]:
    """Workgroup-private copies of the small integer histograms ``item`` updates (:mod:`.privatize`), in the
    workgroup memory the reductions leave (their arrays counted at 8 bytes an element)."""
    found = find_private(item, program, cx.debug, {arg for arg, _ in cx.array_reductions})
    room = (WORKGROUP_BYTES - len(cx.workgroup_decls) * wg * 8) // (4 * PRIVATE_LIMIT)
    cx.private_arrays = set(found[: max(0, room)])

    def shape_words(arg: int) -> range:
        return range(cx.shape_offsets[arg], cx.shape_offsets[arg] + program.args[arg].ndim)

    def flush_call(arg: int, index: str, value: str) -> str:
        cx.use_arg(arg).atomic_ops.add(Op.ATOMIC_ADD)
        cx.atomics.add((Op.ATOMIC_ADD, arg))
        return f"_ = {atomic_function_name(Op.ATOMIC_ADD, arg)}({index}, {value});"

    return private_code(cx, sorted(cx.private_arrays), shape_words, flush_call, wg)


def _parallel_main(cx: TaskCtx, item: N.ParallelFor, program: N.Program, wg: int) -> list[str]:
    lines = []
    axes = len(item.vars)
    for k, (b, e) in enumerate(zip(item.begins, item.ends, strict=True)):
        lines.append(f"let qd_b{k}: i32 = {cast(cx, emit_expr(cx, b), b.dtype, i32)};")
        lines.append(f"let qd_e{k}: i32 = {cast(cx, emit_expr(cx, e), e.dtype, i32)};")
        # the extent in u32: e - b may overflow i32 while the range itself is small enough
        lines.append(
            f"let qd_x{k}: u32 = select(0u, bitcast<u32>(qd_e{k}) - bitcast<u32>(qd_b{k}), qd_e{k} > qd_b{k});"
        )
    n = " * ".join(f"qd_x{k}" for k in range(axes)) or "1u"
    before, after, cx.workgroup_decls = _reductions(cx, item, program, wg)
    p_before, p_after, p_decls = _private(cx, item, program, wg)
    before, after = before + p_before, after + p_after
    cx.workgroup_decls += p_decls
    lines += [
        *before,
        f"let qd_n: u32 = {n};",
        f"let qd_stride: u32 = qd_nwg.x * {wg}u;",
        "for (var qd_g: u32 = qd_gid.x; qd_g < qd_n; qd_g = qd_g + qd_stride) {",
    ]
    inner = ["var qd_r: u32 = qd_g;"] if axes > 1 else []
    for k in reversed(range(axes)):
        var = item.vars[k]
        # one axis: qd_g < qd_n == qd_x0, so the index needs no remainder (an integer division per element)
        idx = f"qd_b{k} + bitcast<i32>(qd_r % qd_x{k})" if axes > 1 else "qd_b0 + bitcast<i32>(qd_g)"
        inner.append(f"let {var_name(var)}: {cx.vt(var.dtype)} = {cast(cx, f'({idx})', i32, var.dtype)};")
        if axes > 1 and k > 0:
            inner.append(f"qd_r = qd_r / qd_x{k};")
    inner += emit_block(cx, item.body)
    return lines + ["  " + x for x in inner] + ["}", *after]


def _declare_arrays(cx: TaskCtx) -> tuple[list[str], list[tuple], list[str]]:
    """Declarations, binding sources and storage element types of the task's ndarrays (from binding 3): its own
    binding, one per window of a chunked array, then one per arena view (:mod:`.placement`). An alias has none: it
    is reached through its owner's (:mod:`.aliases`)."""
    decls, bindings, elems, views = [], [], [], set()
    for arg in sorted(cx.uses):
        use = cx.uses[arg]
        if use.owner is not None:
            continue
        where, elem, ro = use.placement, storage_element(use), not (use.stores or use.atomics)
        if where is not None and where.in_arena:
            views.add(elem)
            continue
        windows = (
            [(arg, None)] if where is None else [((arg, c), f"{arg_buffer(arg)}_c{c}") for c in range(where.chunks)]
        )
        for source, name in windows:
            decls.append(declaration(use, 3 + len(bindings), name))
            bindings.append((source, ro))
            elems.append(elem)
    for elem in sorted(views):  # every view read_write: one buffer bound both ways in one dispatch is refused
        decls.append(
            f"@group(0) @binding({3 + len(bindings)}) var<storage, read_write> {view_name(elem)}: array<{elem}>;"
        )
        bindings.append((elem, False))
        elems.append(elem)
    return decls, bindings, elems


def _per_window(use: ArgUse, generate) -> list[str]:
    """``generate(use)``'s functions, or for a chunked array one copy per window and a dispatcher for each."""
    where = use.placement
    if where is None or where.chunks <= 1:
        return generate(use)
    copies = [generate(replace(use, chunk=c)) for c in range(where.chunks)]
    shift = where.chunk_log2 - (element_bytes(use.dtype).bit_length() - 1)
    out = []
    for k in range(len(copies[0])):
        out += chunk_dispatcher([copy[k] for copy in copies], where.chunks, shift)
    return out


def _assemble(cx: TaskCtx, main_lines: list[str], entry: str) -> tuple[str, tuple, tuple]:
    share_bindings(cx.uses)  # before anything is declared: aliases take their group's storage type
    decls, bindings, elems = _declare_arrays(cx)
    fns = []
    for arg in sorted(cx.uses):
        fns += _per_window(cx.uses[arg], accessors)
    for op, arg in sorted(cx.atomics, key=lambda t: (t[1], t[0].value)):
        fns += _per_window(cx.uses[arg], lambda use, op=op: [atomic_function(cx, op, use)])
    for op, dtype in sorted(cx.kv_atomics, key=lambda t: (t[1].name, t[0].value)):
        fns.append(kv_atomic_function(cx, op, dtype))
    if cx.needs_fail:
        fns.append(FAIL_FN)
    body = list(main_lines)
    variant = "corrected" if cx.target.corrected_div_sqrt and not cx.fast_math else None
    if "qd_zero_decl" in library.closure(cx.helpers, variant):  # also when only a math helper uses qd_opaque*
        body[:0] = ["qd_zero = qd_args[0];", "qd_zero1 = qd_args[1];"]
    parts = []
    if cx.target.f16:
        parts.append("enable f16;")
    parts += [_HEADER.format(kv=cx.kv_words), *decls, *cx.workgroup_decls]
    helpers = library.render(cx.helpers, variant)
    if helpers:
        parts.append(helpers)
    parts += fns
    parts.append(entry + "\n" + "\n".join("  " + x for x in body) + "\n}")
    return "\n\n".join(parts) + "\n", tuple(bindings), tuple(elems)


def kv_words(item, target: ShaderTarget) -> str:
    """The element type of ``qd_kv`` in the shader of task ``item``: atomic when it updates a kernel var atomically,
    and atomic<u64> when one of those is 64-bit and the device has 64-bit atomics (otherwise 64-bit kernel vars are
    updated on word pairs: :func:`~quadrants_wgpu.wgsl.atomics.kv_atomic_function`)."""
    updated = [s.target.dtype for s in iter_stmts(item.body) if isinstance(s, N.VarAtomicRMW)]
    if not updated:
        return WORDS_PLAIN
    if target.int64_atomics and any(t.bits == 64 for t in updated):
        return WORDS_ATOMIC64
    return WORDS_ATOMIC32


def _task_ctx(program: N.Program, layout: ProgramLayout, tables: ProgramTables, target: ShaderTarget) -> TaskCtx:
    return TaskCtx(
        scalar_offsets=layout.scalar_offsets,
        shape_offsets=layout.shape_offsets,
        kv_offsets=layout.kv_offsets,
        fast_math=program.fast_math,
        target=target,
        arg_specs=program.args,
        return_offsets=layout.return_offsets,
        return_dtypes=program.returns,
        tables=tables,
        debug=program.debug,
        print_capacity=layout.print_capacity,
    )


def emit_task(
    program: N.Program,
    item,
    layout: ProgramLayout,
    tables: ProgramTables,
    target: ShaderTarget,
    plan: BindingPlan | None = None,
) -> TaskShader:
    """The shader of one task (``plan``: arrays placed other than on their own binding, :mod:`.placement`)."""
    start = (len(tables.checks), len(tables.prints))
    cx = _task_ctx(program, layout, tables, target)
    cx.plan = plan or BindingPlan()
    cx.kv_words = kv_words(item, target)
    if isinstance(item, N.ParallelFor):
        wg = WORKGROUP_SIZE
        main = _parallel_main(cx, item, program, wg)
        entry = (
            f"@compute @workgroup_size({wg})\n"
            "fn main(@builtin(global_invocation_id) qd_gid: vec3<u32>, "
            "@builtin(local_invocation_index) qd_lid: u32, "
            "@builtin(num_workgroups) qd_nwg: vec3<u32>) {"
        )
        kind = "parallel"
    else:
        wg = 1
        main = emit_block(cx, item.body)
        entry = "@compute @workgroup_size(1)\nfn main() {"
        kind = "serial"
    wgsl, bindings, elems = _assemble(cx, main, entry)
    return TaskShader(kind, wgsl, bindings, wg, bool(cx.workgroup_decls), elems, cx.plan, start)


def emit_program(
    program: N.Program, target: ShaderTarget | None = None, print_capacity: int = DEFAULT_PRINT_CAPACITY
) -> EmittedProgram:
    """Every task's shader (in :func:`iter_tasks` order), the layouts and the check/print tables, for a device with
    the shader features of ``target`` (default: none, every emulation)."""
    target = target or ShaderTarget()
    _reject_calls(program)
    layout = plan_layout(program, print_capacity)
    tables = ProgramTables()
    shaders = tuple(emit_task(program, t, layout, tables, target) for t in iter_tasks(program.items))
    return EmittedProgram(shaders, layout, tables)


def _reject_calls(program: N.Program) -> None:
    """The first call of a program function (a recursive ``@qd.real_func``) in program order: an error here."""
    for task in iter_tasks(program.items):
        for s in iter_stmts(task.body):
            if isinstance(s, N.Call):
                raise recursion_error(f"@qd.real_func '{program.functions[s.func].name}'", s.loc)


def emit_variant(
    program: N.Program, emitted: EmittedProgram, index: int, item, target: ShaderTarget, plan: BindingPlan
) -> TaskShader:
    """Task ``index``'s shader emitted again with ``plan`` (the runtime's answer to the adapter's binding limits).
    Its checks and prints keep their ids: the tables are replayed up to where the task started."""
    checks, prints = emitted.shaders[index].tables_start
    tables = ProgramTables(list(emitted.tables.checks[:checks]), list(emitted.tables.prints[:prints]))
    shader = emit_task(program, item, emitted.layout, tables, target, plan)
    if tables.checks[checks:] != emitted.tables.checks[checks : len(tables.checks)]:
        raise AssertionError(f"{program.name}: task {index} emitted other checks the second time")
    return shader
