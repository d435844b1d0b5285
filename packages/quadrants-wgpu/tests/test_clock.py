"""``qd.clock_counter()`` on wgpu is the constant 0 (WGSL has no clock built-in; upstream's Vulkan backend gives 0
without ``VK_KHR_shader_clock``), with i64 as native 64-bit integers or as pairs of u32."""

from __future__ import annotations

import numpy as np

import quadrants as qd


def test_clock_counter_is_zero_and_an_i64(vulkan_modes):
    @qd.kernel
    def k(t: qd.types.NDArray[qd.i64, 1]) -> qd.i64:
        start = qd.clock_counter()
        for i in range(4):
            t[i] = qd.clock_counter() - start + (qd.i64(1) << 40)  # i64 arithmetic on the read
        return start

    t = qd.ndarray(qd.i64, (4,))
    assert k(t) == 0
    np.testing.assert_array_equal(t.to_numpy(), np.full(4, 1 << 40, np.int64))
