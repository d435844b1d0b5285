"""Ports of classic upstream-style example programs, run by the conformance suite and by the benchmarks.

Each module is a whole program written the way a user of upstream Quadrants writes one (``@qd.data_oriented``
classes, fields, structs, ``qd.random``, ``qd.linalg`` …) and imports nothing but ``quadrants``, NumPy and the
standard library, so the same file runs unchanged under upstream Quadrants 1.3.3 (``benchmarks/bench_programs.py``
times it there). A program module provides

* ``SIZES``: ``{"test": {...}, "bench": {...}}``, the constructor arguments of a small run (conformance, the
  reference backend) and of a larger one (benchmarks);
* ``TEST_STEPS``: how many steps the conformance case runs (few enough that f32 rounding differences between
  backends stay inside the case's tolerance row);
* ``make(size) -> sim``: builds the state (after ``qd.init``); ``sim.step()`` advances one step (one frame: it may
  launch several kernels) and ``sim.observe()`` returns the observables, a dict of NumPy arrays and Python scalars.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any

__all__ = ["NAMES", "load", "run"]

# Every program module, in the order reports list them.
NAMES = (
    "mpm88",
    "mpm99",
    "mpm3d",
    "nbody",
    "stable_fluid",
    "pbf2d",
    "karman",
    "sdf_render",
    "mandelbrot",
    "marching_squares",
    "mass_spring",
    "cg_poisson",
    "mgpcg",
    "implicit_fem",
    "lcg",
    "game_of_life",
    "diff_chain",
    "diff_robot",
)


def load(name: str) -> ModuleType:
    """The program module called ``name`` (one of :data:`NAMES`)."""
    if name not in NAMES:
        raise KeyError(f"unknown program {name!r}; known: {', '.join(NAMES)}")
    return importlib.import_module(f"{__name__}.{name}")


def run(name: str, size: str = "test", steps: int | None = None) -> dict[str, Any]:
    """Build program ``name`` at ``size``, run ``steps`` steps (its ``TEST_STEPS`` by default), return observables."""
    module = load(name)
    sim = module.make(size)
    for _ in range(module.TEST_STEPS if steps is None else steps):
        sim.step()
    return sim.observe()
