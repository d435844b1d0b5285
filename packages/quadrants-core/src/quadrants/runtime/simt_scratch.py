"""Device storage of ``qd.simt`` block arrays (frontend/simt.py): shared arrays, subgroup exchanges and the per-lane
copies of locals that live across a barrier.

Each is a hidden ndarray argument with source ``("simt_scratch", shape, token)``; the array is allocated on first use
and kept by the session under its token, so launches reuse it. Its contents between blocks are unspecified.
"""

from __future__ import annotations

__all__ = ["scratch_storage"]


def scratch_storage(session, source: tuple, dtype):
    """The session's array for ``source`` (``("simt_scratch", shape, token)``), allocated on first use."""
    _, shape, token = source
    found = session.scratch.get(token)
    if found is None:
        found = session.backend.allocate(dtype, tuple(shape))
        session.scratch[token] = found
    return found
