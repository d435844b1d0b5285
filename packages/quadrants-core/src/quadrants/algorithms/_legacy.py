"""``qd.algorithms.PrefixSumExecutor`` and ``qd.algorithms.parallel_sort``: upstream's deprecated helpers.

``PrefixSumExecutor(length).run(arr)`` is an inclusive prefix sum of an ``i32`` field or ndarray in place, on the
current backend (every backend here; upstream: CUDA and Vulkan only). ``parallel_sort(keys, values=None)`` sorts
``keys`` (and ``values`` with them) in place; like the new ``qd.algorithms.sort`` it is stable.

No ``from __future__ import annotations``: the kernel here is annotated with a local variable.
"""

import warnings

import numpy as np

from quadrants.algorithms._slots import BLOCK_DIM
from quadrants.frontend.annotations import NDArray, template
from quadrants.frontend.intrinsics import MATH_FUNCTIONS, loop_config
from quadrants.ir import dtypes
from quadrants.runtime.field import Field
from quadrants.runtime.kernel import kernel

__all__ = ["PrefixSumExecutor", "parallel_sort"]

qmin = MATH_FUNCTIONS["min"]


def _inclusive_scan_kernel(annotation):
    @kernel
    def scan(arr: annotation, n: dtypes.i32):
        tiles = (n + BLOCK_DIM - 1) // BLOCK_DIM
        for t in range(tiles):
            for i in range(t * BLOCK_DIM + 1, qmin(t * BLOCK_DIM + BLOCK_DIM, n)):
                arr[i] += arr[i - 1]
        loop_config(serialize=True)
        for t in range(1, tiles):
            last = qmin(t * BLOCK_DIM + BLOCK_DIM, n) - 1
            arr[last] += arr[t * BLOCK_DIM - 1]
        for i in range(BLOCK_DIM, n):
            if (i + 1) % BLOCK_DIM != 0 and i != n - 1:
                arr[i] += arr[(i // BLOCK_DIM) * BLOCK_DIM - 1]

    return scan


_SCANS: dict = {}


class PrefixSumExecutor:
    """Deprecated upstream (use ``qd.algorithms.exclusive_scan_add``): inclusive in-place prefix sums of ``i32``."""

    def __init__(self, length):
        warnings.warn(
            "qd.algorithms.PrefixSumExecutor is deprecated. Use qd.algorithms.exclusive_scan_add (the @qd.func) "
            "instead.",
            DeprecationWarning,
            stacklevel=2,
        )
        self.sorting_length = int(length)

    def run(self, input_arr) -> None:
        """``input_arr[i] = sum(input_arr[0:i+1])`` for the first ``length`` elements."""
        if input_arr.dtype != dtypes.i32:
            raise RuntimeError("Only qd.i32 type is supported for prefix sum.")
        kind = "field" if isinstance(input_arr, Field) else "ndarray"
        scan = _SCANS.get(kind)
        if scan is None:
            scan = _SCANS[kind] = _inclusive_scan_kernel(template() if kind == "field" else NDArray)
        scan(input_arr, self.sorting_length)


def parallel_sort(keys, values=None) -> None:
    """Deprecated upstream (use ``qd.algorithms.sort``): sort ``keys`` in place, ``values`` alongside; stable.

    It reads the arrays back to the host and sorts there (the arrays are written back in place).
    """
    warnings.warn(
        "qd.algorithms.parallel_sort is deprecated. Use qd.algorithms.sort (the @qd.func) instead.",
        DeprecationWarning,
        stacklevel=2,
    )
    k = keys.to_numpy()
    order = np.argsort(k, kind="stable")
    keys.from_numpy(k[order])
    if values is not None:
        values.from_numpy(values.to_numpy()[order])
