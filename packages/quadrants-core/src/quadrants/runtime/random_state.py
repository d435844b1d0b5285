"""The per-session state of ``qd.random`` streams (frontend/random.py, docs/random.md).

A ``u32[4]`` device array ``[seed_lo, seed_hi, launch_lo, launch_hi]``: the seed words come from
``qd.init(random_seed=...)`` (0 when not given) and the 64-bit launch number is advanced by the serial code in front
of every task that draws. Kernels receive it as a hidden ndarray argument (source ``("random_state",)``).
"""

from __future__ import annotations

import numpy as np

from quadrants.ir import dtypes

__all__ = ["random_state_storage", "seed_words"]

_MASK32 = 0xFFFFFFFF


def seed_words(seed) -> tuple[int, int]:
    """The two key words of ``seed`` (an int, taken modulo 2**64)."""
    value = int(seed) & ((1 << 64) - 1)
    return value & _MASK32, value >> 32


def random_state_storage(session):
    """The session's state array, created (with the launch number at 0) on first use."""
    state = session.random_state
    if state is None:
        lo, hi = seed_words(session.extra.get("random_seed", 0) or 0)
        state = session.backend.allocate(dtypes.u32, (4,))
        state.from_numpy(np.array([lo, hi, 0, 0], dtype=np.uint32))
        session.random_state = state
    return state
