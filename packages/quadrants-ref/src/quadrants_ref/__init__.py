"""Quadrants reference backend (``ref``): executes the IR with NumPy, vectorised across the lanes of each task.

Modules: :mod:`~quadrants_ref.backend` (the registered ``BACKEND``), :mod:`~quadrants_ref.executable` (tasks and
launch primitives), :mod:`~quadrants_ref.compiler` (IR → closures), :mod:`~quadrants_ref.memory` (bounds, gathers,
scatters), :mod:`~quadrants_ref.atomics` (ordered atomics), :mod:`~quadrants_ref.state` (lanes and masks),
:mod:`~quadrants_ref.array` (``RefArray``). Scalar numerics live in :mod:`quadrants.ir.numerics`.
"""

from quadrants_ref.array import RefArray
from quadrants_ref.backend import BACKEND, RefBackend

__all__ = ["BACKEND", "RefArray", "RefBackend"]
