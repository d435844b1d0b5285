"""Where a Genesis scene's build goes in this project (issue 24): time summed per compile and load phase.

``python build_phases.py SCENE [--backend cpu|gpu] [--stand-ins] [--profile FILE]`` wraps the phases of this
project's kernel pipeline (the frontend, the IR passes, the LLVM IR builder, LLVM's O3 and emission, loading a
module on the device, which is the CUDA driver's JIT of the PTX, linking with the device runtime, building CUDA
graphs, making the executables) with timers, builds ``SCENE`` of ``scenes.py`` and runs its first step (which
compiles the kernels only a step reaches). Prints one JSON line: the build and first-step wall times and the seconds
spent in each phase (the phases nest: making an executable includes loading its module). Run it twice with the same
caches for a cold and a warm build; upstream's pipeline is C++, so for it only ``run_scene.py``'s totals exist.
``--profile FILE`` also writes a cProfile of the build and first step (the costliest functions, by cumulative and by
own time) to ``FILE``: for upstream too, whose Python side it shows.
"""

from __future__ import annotations

import argparse
import cProfile
import importlib
import io
import json
import pstats
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from scenes import SCENES

# (module, attribute, phase): functions and methods whose calls are timed; a missing one is left out (a CPU run has
# no CUDA driver, an older tree may lack a phase)
PHASES = [
    ("quadrants.frontend.kernel", "build_program", "frontend"),
    ("quadrants.passes", "run_pipeline", "passes"),
    ("quadrants_llvm.builder.tasks", "build_module", "llvm ir builder"),
    ("quadrants_llvm.cuda.compiler", "_cached_optimize_and_emit", "llvm O3 + PTX (through the offline cache)"),
    ("quadrants_llvm.cuda.compiler", "_optimize_and_emit", "llvm O3 + PTX (compiled)"),
    ("quadrants_llvm.cuda.split_compile", "load_parts", "module load (driver JIT)"),
    ("quadrants_llvm.cuda.cubin_cache", "link", "driver link (PTX to cubin)"),
    ("quadrants_llvm.cuda.device_graph.DeviceGraph", "__init__", "cuda graph build"),
    ("quadrants_llvm.cuda.executable.CudaExecutable", "__init__", "cuda executable"),
    ("quadrants_llvm.cpu.jit.Jit", "compile_object", "llvm O3 + object code (cpu, through the caches)"),
    ("quadrants_llvm.cpu.backend.LlvmCpuBackend", "load", "cpu executable"),
]


def _resolve(path: str):
    """The module or class named by ``path`` (``package.module`` or ``package.module.Class``), or ``None``."""
    try:
        return importlib.import_module(path)
    except ImportError:
        head, _, attr = path.rpartition(".")
        try:
            return getattr(importlib.import_module(head), attr)
        except (ImportError, AttributeError):
            return None


def _wrap(owner, name: str, phase: str, seconds: dict, calls: dict) -> bool:
    fn = getattr(owner, name, None)
    if fn is None:
        return False

    def timed(*args, **kwargs):
        started = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            seconds[phase] += time.perf_counter() - started
            calls[phase] += 1

    setattr(owner, name, timed)
    return True


def _write_profile(profiler: cProfile.Profile, path: Path) -> None:
    """The costliest functions of the profile, by cumulative and by own time, as text."""
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(70)
    stats.sort_stats("tottime").print_stats(40)
    path.write_text(out.getvalue())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("scene", choices=sorted(SCENES))
    parser.add_argument("--backend", default="cpu")
    parser.add_argument("--stand-ins", action="store_true")
    parser.add_argument("--profile", metavar="FILE", help="also write a cProfile of the build and first step there")
    args = parser.parse_args()
    if args.stand_ins:
        import absent

        absent.install()
    seconds: dict[str, float] = defaultdict(float)
    calls: dict[str, int] = defaultdict(int)
    wrapped = [phase for path, name, phase in PHASES if (o := _resolve(path)) and _wrap(o, name, phase, seconds, calls)]
    import genesis as gs

    import quadrants as qd

    gs.init(backend=getattr(gs, args.backend), precision="32", seed=0, logging_level="warning")
    scene, _ = SCENES[args.scene](gs)
    profiler = cProfile.Profile() if args.profile else None
    if profiler:
        profiler.enable()
    started = time.perf_counter()
    scene.build()
    built = time.perf_counter()
    scene.step()
    if args.backend != "cpu":
        qd.sync()
    stepped = time.perf_counter()
    if profiler:
        profiler.disable()
        _write_profile(profiler, Path(args.profile))
    phases = {p: {"s": round(seconds[p], 3), "calls": calls[p]} for p in wrapped if calls[p]}
    print(
        json.dumps(
            {
                "scene": args.scene,
                "quadrants": qd.__file__,
                "build_s": round(built - started, 3),
                "first_step_s": round(stepped - built, 3),
                "phases": phases,
            }
        )
    )


if __name__ == "__main__":
    main()
