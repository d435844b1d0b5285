"""Reverse-mode autodiff cost (issue 21): the adjoint launch against its forward launch, same run, same backend.

Rows (``ratio`` = adjoint time / forward time; 1 would be free, upstream documents a few times the forward cost):

* ``diff_chain``: the spring-chain optimisation program (``quadrants_conformance.programs.diff_chain``, bench size:
  256 masses, 160 time steps = 320 launches and a loss kernel): the adjoints of every launch in reverse order against
  the forward launches.
* ``diff_robot``: the mass-spring robot controller optimisation (``quadrants_conformance.programs.diff_robot``, bench
  size: 10 masses, 25 springs, 240 time steps = 720 launches and a loss kernel), adjoints against forward launches.
* ``elementwise``: ``y = sin(x) * exp(x) / (1 + x^2)`` over 2^20 elements (the adjoint recomputes the expression and
  adds an atomic per load).
* ``loop carried``: Horner's rule with 16 iterations in a run-time loop per lane over 2^14 lanes; the loop carries a
  nonlinear state, which the adjoint pops from the loop's adstack (docs/autodiff.md).
* ``long loop``: ``v = sin(v) * 0.9 + 0.1`` for 400 iterations per lane over 1024 lanes: the adstack's linear cost
  (without a stack the state would be recomputed, quadratic in the trip count).

Each time is the best of ``REPEAT`` runs (after a warm-up that compiles both kernels). The backend is llvm-cpu
(``--arch`` when run alone: ``python benchmarks/bench_autodiff.py --arch ref``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

import quadrants as qd

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the shared timing module beside this file
import timing

REPEAT = 5
N_ELEMENTWISE = 1 << 20
N_LANES, N_TERMS = 1 << 14, 16


def _best(fn, repeat: int = REPEAT) -> float:
    return timing.best(fn, repeat, qd.sync)


def _row(name: str, adjoint: float, forward: float) -> dict:
    return {"name": name, "value": adjoint * 1e3, "unit": "ms", "baseline": forward * 1e3, "ratio": adjoint / forward}


def _diff_chain(arch_name: str) -> dict:
    from quadrants_conformance.programs import diff_chain

    sim = diff_chain.make("bench")

    def forward():
        sim.loss[None] = 0.0
        sim.forward()

    def adjoint():
        sim.loss.grad[None] = 1.0
        sim.measure.grad()
        for t in reversed(range(sim.steps)):
            sim.integrate.grad(t)
            sim.forces.grad(t)

    t_forward = _best(forward)
    t_adjoint = _best(adjoint)
    return _row(f"{arch_name} autodiff diff_chain 256x160 (adjoint vs forward)", t_adjoint, t_forward)


def _diff_robot(arch_name: str) -> dict:
    from quadrants_conformance.programs import diff_robot

    sim = diff_robot.make("bench")
    sim.reset()

    def forward():
        sim.loss[None] = 0.0
        sim.forward()

    def adjoint():
        sim.loss.grad[None] = 1.0
        sim.measure.grad()
        for t in reversed(range(sim.steps)):
            sim.advance.grad(t)
            sim.spring_forces.grad(t)
            sim.actuate.grad(t)

    t_forward = _best(forward)
    t_adjoint = _best(adjoint)
    return _row(f"{arch_name} autodiff diff_robot 10x240 (adjoint vs forward)", t_adjoint, t_forward)


def _elementwise(arch_name: str) -> dict:
    @qd.kernel
    def f(x: qd.types.ndarray(), y: qd.types.ndarray()):
        for i in x:
            v = x[i]
            y[i] = qd.sin(v) * qd.exp(v) / (1.0 + v * v)

    x = qd.ndarray(qd.f32, N_ELEMENTWISE, needs_grad=True)
    y = qd.ndarray(qd.f32, N_ELEMENTWISE, needs_grad=True)
    x.from_numpy(np.linspace(-2, 2, N_ELEMENTWISE, dtype=np.float32))
    y.grad.fill(1.0)
    t_forward = _best(lambda: f(x, y))
    t_adjoint = _best(lambda: f.grad(x, y))
    return _row(f"{arch_name} autodiff elementwise 2^20 (adjoint vs forward)", t_adjoint, t_forward)


def _loop_carried(arch_name: str) -> dict:
    @qd.kernel
    def horner(x: qd.types.ndarray(), c: qd.types.ndarray(), y: qd.types.ndarray(), n: qd.i32):
        for i in x:
            s = 0.0
            for j in range(n):
                s = s * x[i] + c[j]
            y[i] = s

    x = qd.ndarray(qd.f32, N_LANES, needs_grad=True)
    c = qd.ndarray(qd.f32, N_TERMS, needs_grad=True)
    y = qd.ndarray(qd.f32, N_LANES, needs_grad=True)
    x.from_numpy(np.linspace(-0.9, 0.9, N_LANES, dtype=np.float32))
    c.from_numpy(np.linspace(1.0, 0.1, N_TERMS, dtype=np.float32))
    y.grad.fill(1.0)
    t_forward = _best(lambda: horner(x, c, y, N_TERMS))
    t_adjoint = _best(lambda: horner.grad(x, c, y, N_TERMS))
    return _row(f"{arch_name} autodiff loop carried 2^14 x 16 (adjoint vs forward)", t_adjoint, t_forward)


def _long_loop(arch_name: str) -> dict:
    @qd.kernel
    def iterate(x: qd.types.ndarray(), y: qd.types.ndarray(), n: qd.i32):
        for i in x:
            v = x[i]
            for _ in range(n):
                v = qd.sin(v) * 0.9 + 0.1
            y[i] = v

    x = qd.ndarray(qd.f32, 1024, needs_grad=True)
    y = qd.ndarray(qd.f32, 1024, needs_grad=True)
    x.from_numpy(np.linspace(0.0, 1.0, 1024, dtype=np.float32))
    y.grad.fill(1.0)
    t_forward = _best(lambda: iterate(x, y, 400))
    t_adjoint = _best(lambda: iterate.grad(x, y, 400))
    return _row(f"{arch_name} autodiff long loop 1024 x 400 adstack (adjoint vs forward)", t_adjoint, t_forward)


def run(options: dict | None = None) -> list[dict]:
    """Rows for ``benchmarks/run.py``."""
    arch_name = (options or {}).get("arch", "cpu")
    qd.init(arch=getattr(qd, arch_name), ad_stack_experimental_enabled=True)  # run-time loops (as upstream)
    label = {"cpu": "llvm-cpu"}.get(arch_name, arch_name)
    return [_diff_chain(label), _diff_robot(label), _elementwise(label), _loop_carried(label), _long_loop(label)]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--arch", default="cpu", help="qd.<arch> to run on (cpu, ref, vulkan, ...)")
    args = parser.parse_args()
    for row in run({"arch": args.arch}):
        print(f"{row['name']}: {row['value']:.2f} {row['unit']} vs {row['baseline']:.2f} -> ratio {row['ratio']:.2f}")
