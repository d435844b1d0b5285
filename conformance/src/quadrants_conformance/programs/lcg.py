"""LCG: a linear congruential generator per element, iterated many times, with a histogram of its outputs.

Every element keeps a ``u32`` state advanced by ``x = a * x + c`` (arithmetic wraps modulo 2**32) in a serial loop
inside the parallel loop, an integer-throughput kernel; the top bits of each state go into a histogram with
``qd.atomic_add``, and a local reduction returns a checksum. Everything is integer, so every backend must agree bit
for bit.
"""

import numpy as np

import quadrants as qd

SIZES = {"test": {"n": 4096, "iters": 64}, "bench": {"n": 1 << 20, "iters": 128}}
TEST_STEPS = 3

MULTIPLIER = 1664525
INCREMENT = 1013904223
BINS = 16


@qd.data_oriented
class LCG:
    """``n`` independent generators, each advanced ``iters`` times per step."""

    def __init__(self, n: int, iters: int):
        self.n = n
        self.iters = iters
        self.state = qd.field(qd.u32, shape=n)
        self.histogram = qd.field(qd.i32, shape=BINS)
        self.checksum = 0
        self.seed()

    @qd.kernel
    def seed(self):
        for i in self.state:
            self.state[i] = qd.u32(i) * qd.u32(2654435761) + qd.u32(12345)

    @qd.kernel
    def advance(self) -> qd.u32:
        for b in self.histogram:
            self.histogram[b] = 0
        checksum = qd.u32(0)
        for i in self.state:
            x = self.state[i]
            for _ in range(self.iters):
                x = x * qd.u32(MULTIPLIER) + qd.u32(INCREMENT)
            self.state[i] = x
            qd.atomic_add(self.histogram[qd.i32(x >> 28)], 1)
            checksum += x >> 8
        return checksum

    def step(self):
        self.checksum = self.advance()

    def observe(self) -> dict:
        return {
            "state": self.state.to_numpy(),
            "histogram": self.histogram.to_numpy(),
            "checksum": int(self.checksum),
            "mean": np.float32(np.mean(self.state.to_numpy(), dtype=np.float64)),
        }


def make(size: str = "test") -> LCG:
    """Fresh generators of the given size (``"test"`` or ``"bench"``)."""
    return LCG(**SIZES[size])
