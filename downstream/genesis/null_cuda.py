"""A Genesis scene's host time per step on ``gs.gpu`` without a GPU: llvm-cuda on the null driver (issue 24).

Genesis on ``gs.gpu`` spends most of a robot step on the host (docs/genesis.md), and the GPU machine is scarce.
``quadrants_llvm.cuda.null_driver`` answers every driver call as an H100 would and runs nothing, so a scene builds and
steps through the whole llvm-cuda host path (PTX, CUDA graphs with conditional nodes, host-decided checks, argument
packing) while Genesis takes its ``gs.cuda`` code paths with torch on the CPU. The scene's state is meaningless; its
host time per step, its driver calls per step and (``--profile K``) the K costliest host functions are the point.

Use: ``python null_cuda.py SCENE [--steps N] [--profile K]`` with Genesis's venv and ``cuda-bindings`` installed.
"""

from __future__ import annotations

from quadrants_llvm.cuda import null_driver


def _fake_gpu_device(gs) -> None:
    """Genesis on its ``gs.cuda`` code paths with torch on the CPU (this machine's torch has no CUDA)."""
    import genesis.utils.misc as misc
    import torch

    def get_device(backend, device_idx=None):
        return torch.device("cpu"), "null-cuda", 80.0, gs.cuda

    misc.get_device = get_device
    gs.get_device = get_device


def main() -> None:
    import argparse
    import statistics
    import sys
    import time
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent))
    from scenes import SCENES
    from step_profile import profile_steps

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("scene", choices=sorted(SCENES))
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--profile", type=int, default=0, metavar="K", help="print the K costliest host functions")
    args = parser.parse_args()
    null = null_driver.install()
    import genesis as gs

    import quadrants as qd

    _fake_gpu_device(gs)
    gs.init(backend=gs.gpu, precision="32", seed=0, logging_level="warning")
    scene, _ = SCENES[args.scene](gs)
    started = time.perf_counter()
    scene.build()
    print(f"# {args.scene} on the null CUDA driver: build {time.perf_counter() - started:.1f} s")
    for _ in range(10):
        scene.step()
    qd.sync()
    null.calls.clear()
    times = []
    for _ in range(args.steps):
        t0 = time.perf_counter()
        scene.step()
        qd.sync()
        times.append(time.perf_counter() - t0)
    print(f"step (host only): median {statistics.median(times) * 1e3:.3f} ms over {args.steps}")
    print("driver calls a step: " + ", ".join(f"{k} {v / args.steps:g}" for k, v in sorted(null.calls.items())))
    if args.profile:
        print(profile_steps(scene, qd.sync, args.steps, args.profile))


if __name__ == "__main__":
    main()
