"""One program's item tree as an instantiated CUDA graph: kernel nodes, and conditional WHILE nodes for ``do_while``.

A :class:`DeviceGraph` is built once per loaded specialization (its launch-context buffer never moves, so every node's
parameters stay valid) and launched with one ``cuGraphLaunch``. A ``qd.graph.do_while(c)`` becomes a WHILE node whose
handle starts at 1 on every launch (``CU_GRAPH_COND_ASSIGN_DEFAULT``, so the body runs at least once, as the host
runner's loop does) and whose body ends with ``qd_set_condition``: it reads ``c`` on the device and continues the loop
while it is non-zero. Nested and sibling loops nest the same way. Nothing returns to the host between iterations.

The driver calls and the set-condition module (PTX linked with ``libcudadevrt.a``) live here; the decisions that need
no driver are in :mod:`quadrants_llvm.cuda.graph_plan`. Building fails with :class:`GraphUnavailable` and a reason
(old driver or bindings, no ``libcudadevrt.a``, a link error); the executable then logs the reason once and keeps the
host runner.
"""

from __future__ import annotations

import ctypes
import logging
import os
import threading

from quadrants.ir import nodes as N
from quadrants_llvm.cuda import cubin_cache, graph_plan, lane_grid
from quadrants_llvm.cuda.driver import check, fit_threads

__all__ = ["DeviceGraph", "GraphUnavailable", "set_condition_functions"]


class GraphUnavailable(RuntimeError):
    """A device graph cannot be built here; the message is the reason the host runner is kept."""


_LOG = logging.getLogger("quadrants_llvm.cuda")
_MODULES: dict = {}  # id(device) -> (module, function): the set-condition kernel, linked once per device
_MODULES_LOCK = threading.Lock()
# with QD_CUDA_WIDE_BLOCK_LOOPS=1 a loop runs as one block when each parallel task needs at most this many blocks (a
# block walks the lanes of the others: a second block of lanes costs less than the kernel node it saves, a couple of
# microseconds an iteration)
FUSED_BLOCKS = 2


def wide_block_loops() -> bool:
    """``QD_CUDA_WIDE_BLOCK_LOOPS=1``: also fuse loops with host-decided checks (cuda/host_values.py) and tasks of up
    to :data:`FUSED_BLOCKS` blocks, SIMT tasks included, into one-block kernels. Opt-in: assembled by ``ptxas`` and
    tested on the host, not yet run on a GPU (docs/backends/gpu.md)."""
    return os.environ.get("QD_CUDA_WIDE_BLOCK_LOOPS", "0") == "1"


def _devrt_library() -> str:
    library = graph_plan.find_cudadevrt()
    if library is None:
        raise GraphUnavailable(
            "libcudadevrt.a (cudaGraphSetConditional) was not found: install a CUDA toolkit or set QD_CUDADEVRT"
        )
    return library


def _link_with_devrt(dev, ptx: bytes, name: bytes):
    """Load ``ptx`` (NUL-terminated) linked with ``libcudadevrt.a``: the module. The linked cubin goes through the
    offline cache (:mod:`quadrants_llvm.cuda.cubin_cache`): a warm start loads it instead of linking again."""
    return cubin_cache.load(dev, ptx, name, (_devrt_library(),))


def _link_set_condition(dev, version: str):
    cu = dev.cu
    if check(cu.cuDriverGetVersion()) < graph_plan.CONDITIONAL_DRIVER:
        raise GraphUnavailable("the CUDA driver is older than 12.4 (no conditional graph nodes)")
    if not hasattr(cu, "cuGraphConditionalHandleCreate"):
        raise GraphUnavailable("cuda-bindings lacks cuGraphConditionalHandleCreate (install cuda-bindings>=12.4)")
    _devrt_library()
    ptx = graph_plan.set_condition_ptx(version, dev.sm).encode() + b"\0"
    module = _link_with_devrt(dev, ptx, b"qd_set_condition")
    return module, dev.function(module, graph_plan.SET_CONDITION), dev.function(module, graph_plan.ARM_CONDITION)


def condition_kernels(exe, items: tuple, skip: frozenset = frozenset()) -> dict[int, object]:
    """Task index -> its ``task_k_cond`` kernel for the loops of ``items`` (but those whose id is in ``skip``) that end
    with a fusable serial task (:mod:`quadrants_llvm.builder.graph_conditions`); compiled and linked once per
    executable. Empty (the reason logged) when that fails: the loops then keep a set-condition node of their own."""
    from quadrants_llvm.builder.graph_conditions import as_serial

    wanted = {}
    for item in _walk(items):
        if id(item) in skip:
            continue
        serial = as_serial(item.body[-1]) if isinstance(item, N.DoWhile) and item.body else None
        if serial is not None:
            wanted[exe._task(item.body[-1])] = serial
    if not wanted:
        return {}
    if isinstance(exe.condition_kernels, dict) and wanted.keys() <= exe.condition_kernels.keys():
        return exe.condition_kernels
    if isinstance(exe.condition_kernels, str):
        return {}
    try:
        from quadrants_llvm.cuda.compiler import compile_condition_kernels, gpu_target
        from quadrants_llvm.target import NVPTX

        tasks = {**(exe.condition_kernels or {}), **wanted}
        ptx = compile_condition_kernels(exe.program, exe.options, gpu_target(NVPTX, exe.dev.sm), tasks)
        module = _link_with_devrt(exe.dev, ptx, b"qd_condition_tasks")
        exe.condition_kernels = {k: exe.dev.function(module, f"qd_task_{k}_cond") for k in tasks}
    except Exception as exc:  # the separate condition node is always available: keep it, say why once
        exe.condition_kernels = f"fusing a loop's condition into its last task failed: {type(exc).__name__}: {exc}"
        _LOG.warning("llvm-cuda: %s", exe.condition_kernels)
        return {}
    return exe.condition_kernels


def block_loop_kernels(exe, items: tuple, grids: tuple) -> dict[int, object]:
    """``id(loop)`` -> its one-block kernel (:mod:`quadrants_llvm.builder.block_loops`) for the ``do_while`` loops of
    ``items`` whose body is flat tasks that each need one block at ``grids``; compiled once per executable for the
    loops asked so far. Empty (the reason logged once) when compiling fails: the loops keep their WHILE nodes."""
    from quadrants_llvm.builder.block_loops import fusable

    loops = [item for item in _walk(items) if isinstance(item, N.DoWhile)]
    wide = wide_block_loops()
    most = FUSED_BLOCKS if wide else 1
    wanted = {}
    for index, loop in enumerate(loops):
        if not fusable(loop, exe.check_passed if wide else lambda check: False):
            continue
        tasks = [exe._task(item) for item in loop.body]
        small = (isinstance(item, N.SerialBlock) or grids[k][0] <= most for k, item in zip(tasks, loop.body))
        if all(small):
            wanted[index] = (loop, tasks)
    if not wanted or isinstance(exe.block_loops, str):
        return {}
    have = exe.block_loops or {}
    if not wanted.keys() <= have.keys():
        try:
            from quadrants_llvm.cuda.compiler import compile_block_loops, gpu_target
            from quadrants_llvm.target import NVPTX

            every = {**{i: (loops[i], [exe._task(it) for it in loops[i].body]) for i in have}, **wanted}
            ptx = compile_block_loops(exe.program, exe.options, gpu_target(NVPTX, exe.dev.sm), every)
            module = cubin_cache.load(exe.dev, ptx.encode() if isinstance(ptx, str) else ptx)
            have = exe.block_loops = {i: exe.dev.function(module, f"qd_loop_{i}") for i in every}
        except Exception as exc:  # the WHILE node is always available: keep it, say why once
            exe.block_loops = f"running a do_while loop as one block failed: {type(exc).__name__}: {exc}"
            _LOG.warning("llvm-cuda: %s", exe.block_loops)
            return {}
    return {id(loops[i]): have[i] for i in wanted}


def set_condition_functions(dev, version: str):
    """The ``qd_set_condition`` and ``qd_arm_condition`` kernels on ``dev`` (linked on first use; raises
    :class:`GraphUnavailable`)."""
    with _MODULES_LOCK:
        hit = _MODULES.get(id(dev))
        if hit is None:
            try:
                hit = _link_set_condition(dev, version)
            except GraphUnavailable as exc:
                hit = exc
            except Exception as exc:  # a driver or link error: the reason, never a crash
                hit = GraphUnavailable(f"the set-condition kernel could not be linked: {exc}")
            _MODULES[id(dev)] = hit
    if isinstance(hit, GraphUnavailable):
        raise hit
    return hit[1], hit[2]


def _add_node(cu, graph, deps: list, params):
    """``cuGraphAddNode`` across binding generations (12.x: no edge data; 12.3+ ``_v2`` and 13.x: edge data)."""
    v2 = getattr(cu, "cuGraphAddNode_v2", None)
    if v2 is not None:
        return check(v2(graph, deps, None, len(deps), params), "cuGraphAddNode_v2")
    try:
        return check(cu.cuGraphAddNode(graph, deps, None, len(deps), params), "cuGraphAddNode")
    except TypeError:
        return check(cu.cuGraphAddNode(graph, deps, len(deps), params), "cuGraphAddNode")


class DeviceGraph:
    """An instantiated CUDA graph of one program's items; :meth:`launch` queues it, :meth:`wait` waits for it."""

    def __init__(self, exe, items: tuple, version: str, grids: tuple):
        self.exe = exe
        self.grids = grids  # (blocks, threads) per task: exe.grids of the arguments this graph was built for
        self.dev = dev = exe.dev
        self.cu = cu = dev.cu
        self.loops = 0
        self._keep: list = []  # ctypes parameter blocks the nodes point at: alive as long as the graph
        self._abort_host = None
        dev.current()
        self.graph = check(cu.cuGraphCreate(0), "cuGraphCreate")
        try:
            self._fused: dict = {}
            self._block_loops: dict = {}
            if any(isinstance(item, N.DoWhile) for item in _walk(items)):
                self._set_condition, self._arm_condition = set_condition_functions(dev, version)
                self._abort_host, self._abort_dev = self._mapped_word()
                self._block_loops = block_loop_kernels(exe, items, grids)
                self._fused = condition_kernels(exe, items, frozenset(self._block_loops))
            self._add_items(self.graph, items)
            self.exec = check(cu.cuGraphInstantiate(self.graph, 0), "cuGraphInstantiate")
        except BaseException:
            cu.cuGraphDestroy(self.graph)
            self._free_abort()
            raise

    # ----------------------------------------------------------------------------------------------- building
    def _mapped_word(self):
        """A zeroed host word the device can read (``cuMemHostAlloc`` with ``DEVICEMAP``): the abort flag."""
        cu = self.cu
        flags = cu.CU_MEMHOSTALLOC_DEVICEMAP if hasattr(cu, "CU_MEMHOSTALLOC_DEVICEMAP") else 2
        host = int(check(cu.cuMemHostAlloc(8, flags), "cuMemHostAlloc"))
        ctypes.c_uint64.from_address(host).value = 0
        return host, int(check(cu.cuMemHostGetDevicePointer(host, 0), "cuMemHostGetDevicePointer"))

    def _free_abort(self) -> None:
        if self._abort_host:
            self.cu.cuMemFreeHost(self._abort_host)
            self._abort_host = None

    def _kernel_params(self, fn, grid: int, block: int, params_addr: int):
        cu = self.cu
        node = cu.CUgraphNodeParams()
        node.type = cu.CUgraphNodeType.CU_GRAPH_NODE_TYPE_KERNEL
        k = node.kernel
        k.func = fn
        k.gridDimX, k.gridDimY, k.gridDimZ = grid, 1, 1
        k.blockDimX, k.blockDimY, k.blockDimZ = block, 1, 1
        k.sharedMemBytes = 0
        k.kernelParams = params_addr
        return node

    def _add_items(self, graph, items: tuple, last=None):
        deps = [] if last is None else [last]
        for item in items:
            if id(item) in self._block_loops:  # the whole loop in one kernel of one block (builder/block_loops.py)
                node = self._add_block_loop(graph, item, deps)
            elif isinstance(item, N.DoWhile):
                node = self._add_loop(graph, item, deps)
            else:
                k = self.exe._task(item)
                if k in self.exe.skippable:  # nothing to do once the host passed its checks (graphs run only then)
                    continue
                grid, block = self.grids[k]
                params = self._kernel_params(self.exe.tasks[k][0], grid, block, self.exe.params)
                node = _add_node(self.cu, graph, deps, params)
            deps = [node]
        return deps[0] if deps else None

    def _words(self, words: list[int]) -> int:
        """The address of a kernel-parameter array for the 64-bit ``words`` (kept alive with the graph)."""
        values = (ctypes.c_uint64 * len(words))(*words)
        pointers = (ctypes.c_void_p * len(words))(*(ctypes.addressof(values) + 8 * i for i in range(len(words))))
        self._keep += [values, pointers]
        return ctypes.addressof(pointers)

    def _cond_slot(self, loop: N.DoWhile) -> int:
        """The device address of the launch-context word holding ``loop``'s condition ndarray pointer."""
        return self.exe.ctx_ptr + 8 * self.exe.layout.args[loop.cond_arg]

    def _add_block_loop(self, graph, loop: N.DoWhile, deps: list):
        self.loops += 1
        params = self._words([self.exe.ctx_ptr, self._cond_slot(loop), self._abort_dev])
        fn = self._block_loops[id(loop)]
        # a loop of large tasks may use so many registers that a block of BLOCK threads does not fit: fewer threads
        # walk the same lanes (every task of the kernel walks its lanes with the block's own size)
        threads = fit_threads(self.dev, fn, lane_grid.BLOCK)
        node = self._kernel_params(fn, 1, threads, params)
        return _add_node(self.cu, graph, deps, node)

    def _add_loop(self, graph, loop: N.DoWhile, deps: list):
        cu = self.cu
        self.loops += 1
        flags = cu.CU_GRAPH_COND_ASSIGN_DEFAULT if hasattr(cu, "CU_GRAPH_COND_ASSIGN_DEFAULT") else 1
        handle = check(cu.cuGraphConditionalHandleCreate(graph, self.dev.ctx, 1, flags), "cuGraphConditionalHandle")
        if graph is not self.graph:  # nested: re-arm the handle every time the enclosing body reaches this loop
            params = self._kernel_params(self._arm_condition, 1, 1, self._words([int(handle)]))
            deps = [_add_node(cu, graph, deps, params)]
        node = cu.CUgraphNodeParams()
        node.type = cu.CUgraphNodeType.CU_GRAPH_NODE_TYPE_CONDITIONAL
        node.conditional.handle = handle
        node.conditional.type = cu.CUgraphConditionalNodeType.CU_GRAPH_COND_TYPE_WHILE
        node.conditional.size = 1
        node.conditional.ctx = self.dev.ctx
        added = _add_node(cu, graph, deps, node)
        body = node.conditional.phGraph_out[0]
        k = self.exe._task(loop.body[-1]) if loop.body and not isinstance(loop.body[-1], N.DoWhile) else None
        fused = self._fused.get(k)
        last = self._add_items(body, loop.body[:-1] if fused is not None else loop.body)
        slot = self._cond_slot(loop)
        if fused is not None:  # the body's last (serial) task also sets the condition: one node per iteration fewer
            words, fn = [self.exe.ctx_ptr, int(handle), slot, self._abort_dev], fused
        else:
            words, fn = [int(handle), slot, self._abort_dev], self._set_condition
        _add_node(cu, body, [] if last is None else [last], self._kernel_params(fn, 1, 1, self._words(words)))
        return added

    # ---------------------------------------------------------------------------------------------- launching
    def launch(self) -> None:
        """Queue the whole graph on the executable's stream (the arguments were copied to the context before)."""
        if self._abort_host:
            ctypes.c_uint64.from_address(self._abort_host).value = 0
            self.dev.loop_aborts.add(self._abort_host)  # Ctrl-C during a later wait ends the loops (Device.drain)
        err = self.cu.cuGraphLaunch(self.exec, self.exe._stream)[0]
        if err != self.exe._ok:
            check((err,), "cuGraphLaunch")

    def close(self) -> None:
        if self._abort_host in self.dev.loop_aborts:
            self.dev.synchronize()  # the queued launch still reads the abort word: free it after
        try:
            self.cu.cuGraphExecDestroy(self.exec)
            self.cu.cuGraphDestroy(self.graph)
        finally:
            self._free_abort()


def _walk(items):
    for item in items:
        yield item
        if isinstance(item, (N.DoWhile, N.Checkpoint)):
            yield from _walk(item.body)
