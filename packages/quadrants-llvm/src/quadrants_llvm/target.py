"""Target data records: everything that differs between the LLVM targets, as data (DESIGN.md §3).

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
    )


# Records for the GPU targets that will share the builder (compile-only until their backends exist).
NVPTX = TargetInfo(
    name="llvm-cuda",
    triple="nvptx64-nvidia-cuda",
    cpu="sm_80",
    threads="grid",
    thread_index=("llvm.nvvm.read.ptx.sreg.tid.x", "llvm.nvvm.read.ptx.sreg.ctaid.x", "llvm.nvvm.read.ptx.sreg.ntid.x"),
    address_space=1,
)
AMDGPU = TargetInfo(
    name="llvm-amdgpu",
    triple="amdgcn-amd-amdhsa",
    cpu="gfx90a",
    threads="grid",
    thread_index=("llvm.amdgcn.workitem.id.x", "llvm.amdgcn.workgroup.id.x", ""),
    address_space=1,
)
