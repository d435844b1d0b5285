"""``qd.simt.block``: the block of a parallel loop (``qd.loop_config(block_dim=...)`` consecutive iterations):
barrier, shared arrays, indices, block-wide reductions and scans. See docs/simt.md for the model.
"""

from __future__ import annotations

from quadrants.frontend.simt_ops import lower_shared_array
from quadrants.lang.simt._names import arch_uses_spv, functions_of

_F = functions_of("block")
_NAMES = sorted(_F)
globals().update(_F)


class SharedArray:
    """``qd.simt.block.SharedArray(shape, dtype)`` in kernel code: an array shared by the iterations of one block.

    Its contents at the start of a block are unspecified (write before reading, then ``block.sync()``). ``dtype`` may
    be a scalar type or a ``qd.types.vector``/``matrix`` type; index it like an ndarray (``sh[i, j]``).
    """

    _is_quadrants_class = True

    def __init__(self, shape, dtype):
        from quadrants.errors import QuadrantsSyntaxError, caller_loc

        raise QuadrantsSyntaxError(
            "qd.simt.block.SharedArray can only be created in a @qd.kernel or @qd.func", caller_loc()
        )

    @staticmethod
    def _qd_constructor(ctx, node, args, kwargs):
        params = dict(zip(("shape", "dtype"), args), **kwargs)
        return lower_shared_array(ctx, node, params.get("shape"), params.get("dtype"))


__all__ = ["SharedArray", "arch_uses_spv", *_NAMES]
