"""Whole example programs written for upstream Quadrants (``quadrants_conformance.programs``), run unchanged.

Each case builds one program at its ``"test"`` size, runs its ``TEST_STEPS`` steps and returns its observables
(final fields and aggregates of them). Integer programs (LCG, game of life, Mandelbrot's counts) and programs made of
exactly rounded operations compare exactly; simulations whose float sums run in an unspecified order (atomic
scatters, reductions) or that call transcendentals compare with the ``simulation`` row, and run few enough steps
that rounding differences stay inside it. Random initial states (particles, bodies, the game-of-life soup, the
renderer's jitter) are drawn on the host from NumPy with a fixed seed, so the programs also compare with upstream
Quadrants, whose ``qd.random`` stream is its own (docs/parity.md). The programs also run unchanged on upstream
Quadrants 1.3.3 and are timed against it by ``benchmarks/bench_programs.py`` (docs/benchmarks.md).
"""

import numpy as np

from quadrants_conformance import case
from quadrants_conformance.programs import load, run


@case(section="programs", tol="simulation")
def mpm88():
    return run("mpm88")


@case(section="programs", tol="simulation")
def mpm99():
    return run("mpm99")


@case(section="programs", tol="simulation")
def mpm3d():
    return run("mpm3d")


@case(section="programs", tol="simulation")
def nbody():
    return run("nbody")


@case(section="programs", tol="simulation")
def stable_fluid():
    return run("stable_fluid")


@case(section="programs", tol="simulation")
def pbf2d():
    return run("pbf2d")


@case(section="programs", tol="simulation")
def karman():
    return run("karman")


@case(section="programs", tol="simulation")
def sdf_render():
    return run("sdf_render")


@case(section="programs", tol="transcendental")
def mandelbrot():
    return run("mandelbrot")


@case(section="programs", tol="simulation")
def marching_squares():
    return run("marching_squares")


@case(section="programs", tol="simulation")
def mass_spring():
    return run("mass_spring")


@case(section="programs", tol="simulation")
def cg_poisson():
    return run("cg_poisson")


@case(section="programs", tol="simulation")
def mgpcg():
    return run("mgpcg")


@case(section="programs", tol="simulation")
def mgpcg_past_convergence():
    """MGPCG run for 42 iterations, several times what one solve needs at the test size: every solve stops at its
    tolerance and the next starts afresh (four solves). Iterating on would shrink the f32 residual into subnormals
    and divide by zero once ``p·Ap`` is exactly 0 (IEEE arithmetic keeps subnormals, docs/semantics/numbers.md)."""
    sim = load("mgpcg").make("test")
    for _ in range(14):
        sim.step()
    return {"solves": sim.solves, "residual_history": np.array(sim.history, dtype=np.float32)}


@case(section="programs", tol="simulation")
def implicit_fem():
    return run("implicit_fem")


@case(section="programs")
def lcg():
    return run("lcg")


@case(section="programs")
def game_of_life():
    return run("game_of_life")


@case(section="programs", tol="simulation", golden={"decreases": True})
def diff_chain():
    """Gradient descent through qd.ad.Tape over a 24-step trajectory: the loss goes down (docs/autodiff.md)."""
    return run("diff_chain")


@case(section="programs", tol="simulation", golden={"decreases": True})
def diff_robot():
    """A mass-spring robot's controller learned through qd.ad.Tape over a 48-step trajectory: the loss (minus the
    distance walked) goes down, as under upstream 1.3.3 (docs/autodiff.md)."""
    return run("diff_robot")
