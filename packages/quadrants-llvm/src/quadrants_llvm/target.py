"""Target data records: everything that differs between the LLVM targets, as data (docs/writing-a-backend.md).

The IR builder (:mod:`quadrants_llvm.builder`) never branches on a target name; it reads a :class:`TargetInfo`.
``llvm-cpu`` fills the record from the host (:func:`host_target`); the CUDA and AMDGPU targets will add records with
their triples, data layouts, intrinsic spellings and thread-indexing model.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["TargetInfo", "host_target", "NVPTX", "AMDGPU"]


@dataclass(frozen=True)
class TargetInfo:
    """One LLVM target.

    * ``triple`` / ``data_layout``: written into every module.
    * ``cpu`` / ``features``: the target machine (host CPU name and feature string for ``llvm-cpu``).
    * ``threads``: how a parallel task's lanes are distributed: ``"pool"`` (CPU worker threads claim chunks of the
      flat range) or ``"grid"`` (GPU: one lane per hardware thread, indexed by ``thread_index`` intrinsics).
    * ``intrinsics``: overrides of intrinsic base names (``{"sqrt": "llvm.nvvm.sqrt.rn"}``); the default spelling is
      ``llvm.<name>`` with the usual type-suffix mangling.
    * ``thread_index``: intrinsic names for ``(thread id, block id, block dim)`` on ``grid`` targets.
    * ``address_space``: where ndarray data lives (0 on CPU, 1 = global on GPUs).
    * ``grid_index``: on ``grid`` targets, how a thread finds its lane: intrinsic names of ``(thread id, block id,
      block size, grid size in blocks)``; an empty name means "read it from the HSA dispatch packet" (AMDGPU).
    * ``kernel_cc`` / ``kernel_annotation``: how a task function is marked as a kernel entry (calling convention;
      ``!nvvm.annotations`` ``"kernel"`` for NVPTX).
    * ``warp_shuffle``: a butterfly shuffle intrinsic (``i32 (mask, value, lane mask, clamp)``) used to combine
      per-thread reductions inside a warp before one atomic per warp; empty: one atomic per thread.
    * ``software_math``: math functions the target has no instruction or library call for (no libm, no libdevice
      through llvmlite); :mod:`quadrants_llvm.builder.mathlib` emits them in IR.
    * ``private_arrays``: whether small histogram arrays get a per-chunk private copy (on the stack: CPU only).
    * ``alloca_address_space``: where ``alloca`` lives (5 = private on AMDGPU); results are cast to generic.
    * ``print_buffer``: ``print`` appends records to a buffer in the launch context that the host formats after the
      launch (GPUs: the code cannot call back into the host); otherwise it calls the host's ``qd_print``.
    * ``block_barrier``: a barrier over the threads of a block (``void (i32 barrier id)``), for SIMT slot loops run on
      hardware thread blocks (:mod:`quadrants_llvm.builder.simt_blocks`); empty: a slot runs on one thread.
    * ``interrupts``: loops poll the host's interrupt counter ``qd_interrupts`` so that Ctrl-C stops a long launch
      (CPU only: a GPU cannot read host memory that changes during a launch); see ``cpu/interrupt.py``.
    """

    name: str
    triple: str
    data_layout: str = ""
    cpu: str = ""
    features: str = ""
    threads: str = "pool"
    intrinsics: dict[str, str] = field(default_factory=dict)
    thread_index: tuple[str, str, str] = ("", "", "")
    address_space: int = 0
    grid_index: tuple[str, str, str, str] = ("", "", "", "")
    kernel_cc: str = ""
    kernel_annotation: bool = False
    warp_shuffle: str = ""
    software_math: frozenset[str] = frozenset()
    private_arrays: bool = True
    alloca_address_space: int = 0
    print_buffer: bool = False
    interrupts: bool = False
    block_barrier: str = ""

    def intrinsic(self, name: str) -> str:
        """The base name of intrinsic ``name`` (``"sin"`` → ``"llvm.sin"`` unless overridden)."""
        return self.intrinsics.get(name, "llvm." + name)


def host_target() -> TargetInfo:
    """The record for the CPU this process runs on (``llvm.Target.from_default_triple()``, host CPU and features)."""
    import llvmlite.binding as llvm

    llvm.initialize_native_target()
    llvm.initialize_native_asmprinter()
    triple = llvm.get_process_triple()
    return TargetInfo(
        name="llvm-cpu",
        triple=triple,
        cpu=llvm.get_host_cpu_name(),
        features=llvm.get_host_cpu_features().flatten(),
        threads="pool",
        interrupts=True,
    )


# Transcendental functions without a PTX/GCN instruction: implemented in IR (quadrants_llvm.builder.mathlib).
GPU_SOFTWARE_MATH = frozenset(
    {"exp", "log", "sin", "cos", "tan", "asin", "acos", "atan", "atan2", "sinh", "cosh", "tanh", "pow", "frem"}
)

# Records for the GPU targets that share the builder; the CPU/GPU name is filled per device (cuda.target_for).
NVPTX = TargetInfo(
    name="llvm-cuda",
    triple="nvptx64-nvidia-cuda",
    cpu="sm_80",
    threads="grid",
    thread_index=("llvm.nvvm.read.ptx.sreg.tid.x", "llvm.nvvm.read.ptx.sreg.ctaid.x", "llvm.nvvm.read.ptx.sreg.ntid.x"),
    grid_index=(
        "llvm.nvvm.read.ptx.sreg.tid.x",
        "llvm.nvvm.read.ptx.sreg.ctaid.x",
        "llvm.nvvm.read.ptx.sreg.ntid.x",
        "llvm.nvvm.read.ptx.sreg.nctaid.x",
    ),
    intrinsics={"readcyclecounter": "llvm.nvvm.read.ptx.sreg.clock64"},  # qd.clock_counter(): the SM's cycles
    kernel_cc="ptx_kernel",
    kernel_annotation=True,
    warp_shuffle="llvm.nvvm.shfl.sync.bfly.i32",
    software_math=GPU_SOFTWARE_MATH,
    private_arrays=False,
    address_space=1,
    print_buffer=True,
    block_barrier="llvm.nvvm.barrier.cta.sync.all",  # barrier.sync 0 (not .aligned: the code around it may be copied)
)
AMDGPU = TargetInfo(
    name="llvm-amdgpu",
    triple="amdgcn-amd-amdhsa",
    cpu="gfx90a",
    threads="grid",
    thread_index=("llvm.amdgcn.workitem.id.x", "llvm.amdgcn.workgroup.id.x", ""),
    grid_index=("llvm.amdgcn.workitem.id.x", "llvm.amdgcn.workgroup.id.x", "", ""),
    intrinsics={"readcyclecounter": "llvm.amdgcn.s.memtime"},  # qd.clock_counter(), as upstream on AMDGPU
    kernel_cc="amdgpu_kernel",
    software_math=GPU_SOFTWARE_MATH,
    private_arrays=False,
    address_space=1,
    alloca_address_space=5,
    print_buffer=True,
)
