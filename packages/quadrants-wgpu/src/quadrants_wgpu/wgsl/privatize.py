"""Workgroup-private copies of small integer histograms (issue 22).

A parallel task that only ``atomic_add``s into an ``i32``/``u32`` ndarray at lane-dependent indices, never reading
it, loading from it or storing to it and never using an atomic's old value (``hist[x[i]] += 1``), contends on a few
hot words of device memory: every update is an atomic that travels to the GPU's L2. When the ndarray has at most
:data:`PRIVATE_LIMIT` elements (checked per launch, from its shape in ``qd_args``), each workgroup adds into its own
copy in workgroup memory instead (zeroed by the workgroup first: WebGPU promises zero-initialised workgroup memory,
but lavapipe was seen keeping one workgroup's values for the next one that ran on its thread) and, after its
grid-stride loop, adds the non-zero entries to the ndarray with one atomic each. Integer addition wraps and is
associative, so the final values are the same; larger ndarrays take the device atomics as before. Floats stay with
device atomics: float atomics on workgroup memory are a separate Vulkan feature, which wgpu does not promise.

Not under ``debug``, where every update checks its indices where it happens.
"""

from __future__ import annotations

from quadrants.ir import nodes as N
from quadrants.ir.dtypes import i32, u32
from quadrants.ir.ops import Op
from quadrants.ir.reductions import read_var_ids
from quadrants.ir.walk import iter_stmts

__all__ = ["PRIVATE_LIMIT", "PRIVATE_BYTES", "find_private", "private_code"]

PRIVATE_LIMIT = 1024  # elements of one private copy (4 KiB)
PRIVATE_BYTES = 8192  # workgroup memory for all private copies of a task


def find_private(task: N.ParallelFor, program: N.Program, debug: bool, taken: set[int]) -> list[int]:
    """The ndarray arguments of ``task`` whose updates can go to a workgroup-private copy, in argument order
    (``taken``: arguments already reduced another way)."""
    if debug:
        return []
    used = read_var_ids(task.body)
    ok: dict[int, bool] = {}
    for s in iter_stmts(task.body):
        if isinstance(s, (N.Load, N.Store)):
            ok[s.arg] = False
        elif isinstance(s, N.AtomicRMW):
            spec = program.args[s.arg]
            fits = spec.dtype in (i32, u32) and spec.ndim > 0 and s.op is Op.ATOMIC_ADD
            unused = s.var is None or s.var.id not in used
            ok[s.arg] = ok.get(s.arg, True) and fits and unused
    args = [a for a, good in sorted(ok.items()) if good and a not in taken]
    return args[: PRIVATE_BYTES // (4 * PRIVATE_LIMIT)]


def private_name(arg: int) -> str:
    return f"qd_priv{arg}"


def private_code(cx, args: list[int], shape_words, flush_call, wg: int) -> tuple[list[str], list[str], list[str]]:
    """Lines before the grid loop (the element count and whether the copy is used), after it (the flush), and the
    workgroup declarations. ``shape_words(arg)``: the ``qd_args`` words of its shape; ``flush_call(arg, index,
    value)``: WGSL statements adding ``value`` to element ``index`` of the ndarray with a device atomic."""
    before, after, decls = [], [], []
    for arg in args:
        t = cx.vt(cx.arg_specs[arg].dtype)
        count = " * ".join(f"qd_args[{w}]" for w in shape_words(arg))
        zero = "0i" if t == "i32" else "0u"
        before += [
            f"let qd_pn{arg}: u32 = {count};",
            f"let qd_pu{arg}: bool = qd_pn{arg} <= {PRIVATE_LIMIT}u;",
            f"if (qd_pu{arg}) {{",
            f"  for (var qd_j: u32 = qd_lid; qd_j < qd_pn{arg}; qd_j = qd_j + {wg}u) {{",
            f"    atomicStore(&{private_name(arg)}[qd_j], {zero});",
            "  }",
            "}",
        ]
        decls.append(f"var<workgroup> {private_name(arg)}: array<atomic<{t}>, {PRIVATE_LIMIT}>;")
        after += [
            f"if (qd_pu{arg}) {{",
            f"  for (var qd_j: u32 = qd_lid; qd_j < qd_pn{arg}; qd_j = qd_j + {wg}u) {{",
            f"    let qd_c: {t} = atomicLoad(&{private_name(arg)}[qd_j]);",
            f"    if (qd_c != {zero}) {{ {flush_call(arg, 'qd_j', 'qd_c')} }}",
            "  }",
            "}",
        ]
    if args:  # every invocation reaches these points (a task body never returns): uniform control flow
        before.append("workgroupBarrier();")
        after.insert(0, "workgroupBarrier();")
    return before, after, decls


def private_update(arg: int, index: str, value: str, device_call: str) -> str:
    """The statement for one update: into the private copy when the ndarray is small enough, else the device."""
    return f"if (qd_pu{arg}) {{ _ = atomicAdd(&{private_name(arg)}[{index}], {value}); }} else {{ _ = {device_call}; }}"
