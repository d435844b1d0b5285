"""Whether a program can run as one device-side CUDA graph, and the pieces that need no driver (docs/backends/gpu.md).

Pure functions only, so the decisions are unit-tested on machines without a GPU:

* :func:`device_graph_obstacle` says why a program's item tree must stay on the host graph runner (checkpoints and
  resume points need the host to gate items; debug status reads need a sync after every task), or ``None``;
* :func:`find_cudadevrt` locates ``libcudadevrt.a``, the device runtime library that holds
  ``cudaGraphSetConditional`` (the call a kernel makes to continue or end a conditional WHILE node);
* :func:`set_condition_ptx` writes the one hand-written kernel of the scheme: it reads a ``do_while`` condition
  ndarray through the launch context and sets the loop's conditional handle, or ends the loop when the host asked
  for an abort (Ctrl-C).
"""

from __future__ import annotations

import glob
import importlib.util
import os
import re

from quadrants.ir import nodes as N
from quadrants.ir.walk import iter_items

__all__ = [
    "CONDITIONAL_DRIVER",
    "device_graph_obstacle",
    "has_checkpoint",
    "find_cudadevrt",
    "ptx_version",
    "set_condition_ptx",
    "SET_CONDITION",
    "ARM_CONDITION",
]

CONDITIONAL_DRIVER = 12040  # conditional WHILE nodes and cudaGraphSetConditional: CUDA 12.4
SET_CONDITION = "qd_set_condition"
ARM_CONDITION = "qd_arm_condition"


def has_checkpoint(items) -> bool:
    """Whether the item tree ``items`` holds a ``qd.checkpoint`` (a walk of the tree: callers keep the answer)."""
    return any(isinstance(item, N.Checkpoint) for item in iter_items(items))


def device_graph_obstacle(resume_point: int, reads_status: bool, checkpointed: bool) -> str | None:
    """Why an item tree cannot run as one CUDA graph (``None``: it can); ``checkpointed``: :func:`has_checkpoint`.

    Checkpoints decide on the host which items run (a resume point, the first yield); status reads after every task
    (debug mode, run-time checks) need a host sync per task, which a graph launch does not give.
    """
    if reads_status:
        return "the program reads its status word after every task (debug mode or a run-time check)"
    if resume_point:
        return "a resume starts inside the program"
    if checkpointed:
        return "checkpoints are gated by the host"
    return None


def _candidates() -> list[str]:
    """Where ``libcudadevrt.a`` may live, most specific first."""
    out = []
    explicit = os.environ.get("QD_CUDADEVRT")
    if explicit:
        out.append(explicit)
    for var in ("CUDA_HOME", "CUDA_PATH", "CUDA_ROOT"):
        root = os.environ.get(var)
        if root:
            out += [os.path.join(root, "lib64", "libcudadevrt.a"), os.path.join(root, "lib", "libcudadevrt.a")]
    # the NVIDIA runtime wheels (nvidia-cuda-runtime-cu12: nvidia/cuda_runtime/lib; CUDA 13: nvidia/cu13/lib)
    spec = importlib.util.find_spec("nvidia") if _importable("nvidia") else None
    for base in (spec.submodule_search_locations or []) if spec else []:
        out += sorted(glob.glob(os.path.join(base, "*", "lib", "libcudadevrt.a")))
    out += ["/usr/local/cuda/lib64/libcudadevrt.a", "/usr/lib/x86_64-linux-gnu/libcudadevrt.a"]
    out += sorted(glob.glob("/usr/local/cuda-*/lib64/libcudadevrt.a"), reverse=True)
    return out


def _importable(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def find_cudadevrt() -> str | None:
    """The path of ``libcudadevrt.a`` (``QD_CUDADEVRT`` first, then a CUDA toolkit, then NVIDIA's wheels)."""
    for path in _candidates():
        if os.path.isfile(path):
            return path
    return None


def ptx_version(ptx: str, default: str = "8.0") -> str:
    """The ``.version`` of a PTX text (the set-condition kernel uses the same ISA version as the program's)."""
    match = re.search(r"^\s*\.version\s+(\d+\.\d+)", ptx, re.MULTILINE)
    return match.group(1) if match else default


def set_condition_ptx(version: str, sm: str) -> str:
    """``qd_set_condition(handle, slot, abort)``: continue the WHILE node while the condition ndarray is non-zero.

    ``slot`` is the device address of the launch-context word that holds the condition ndarray's data pointer;
    ``abort`` is a host-mapped word the host sets to end every loop of a launch (Ctrl-C while it waits).
    ``qd_arm_condition(handle)`` sets a nested loop's handle to 1 before its WHILE node is reached again: the driver
    resets a handle to its default only at the start of a graph launch, so a loop nested in another would otherwise
    skip its body from the outer loop's second pass on.
    """
    return f"""\
.version {version}
.target {sm}
.address_size 64

.extern .func cudaGraphSetConditional
(
\t.param .b64 handle,
\t.param .b32 value
)
;

.visible .entry {SET_CONDITION}(
\t.param .u64 p_handle,
\t.param .u64 p_slot,
\t.param .u64 p_abort
)
{{
\t.reg .pred %p<3>;
\t.reg .b32 %r<4>;
\t.reg .b64 %rd<7>;

\tld.param.u64 %rd1, [p_handle];
\tld.param.u64 %rd2, [p_slot];
\tld.param.u64 %rd3, [p_abort];
\tcvta.to.global.u64 %rd4, %rd2;
\tld.global.u64 %rd5, [%rd4];
\tcvta.to.global.u64 %rd6, %rd5;
\tld.volatile.global.u32 %r1, [%rd6];
\tsetp.ne.s32 %p1, %r1, 0;
\tcvta.to.global.u64 %rd3, %rd3;
\tld.volatile.global.u32 %r2, [%rd3];
\tsetp.eq.s32 %p2, %r2, 0;
\tand.pred %p1, %p1, %p2;
\tselp.u32 %r3, 1, 0, %p1;
\t{{
\t.param .b64 param0;
\tst.param.b64 [param0+0], %rd1;
\t.param .b32 param1;
\tst.param.b32 [param1+0], %r3;
\tcall.uni cudaGraphSetConditional, (param0, param1);
\t}}
\tret;
}}

.visible .entry {ARM_CONDITION}(
\t.param .u64 a_handle
)
{{
\t.reg .b32 %r<2>;
\t.reg .b64 %rd<2>;

\tld.param.u64 %rd1, [a_handle];
\tmov.u32 %r1, 1;
\t{{
\t.param .b64 param0;
\tst.param.b64 [param0+0], %rd1;
\t.param .b32 param1;
\tst.param.b32 [param1+0], %r1;
\tcall.uni cudaGraphSetConditional, (param0, param1);
\t}}
\tret;
}}
"""
