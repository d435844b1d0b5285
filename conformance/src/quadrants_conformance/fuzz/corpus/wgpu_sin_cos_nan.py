"""Fuzz finding (wgpu, seed 5011 of the first run): qd.sin / qd.cos of NaN give 0.0 on wgpu (Mesa lavapipe), NaN
elsewhere (IEEE: sin(NaN) = NaN, docs/semantics.md §4.4). Shrunk from ``tr = qd.cos(qd.cast(0 // s0, qd.f32) % 8.0)``
with ``s0 = 0.0``."""

import sys

import numpy as np

import quadrants as qd

TOL = "transcendental"
REQUIRES = ()


def run():
    """sin/cos/exp/tanh of NaN and of a finite value."""

    @qd.kernel
    def kern(o: qd.types.ndarray(dtype=qd.f32, ndim=1), s0: qd.f32):
        for i0 in range(2):
            v = s0 / s0 if i0 == 0 else s0 + 1.0  # NaN in lane 0, 1.0 in lane 1
            o[i0 * 4 + 0] = qd.sin(v)
            o[i0 * 4 + 1] = qd.cos(v)
            o[i0 * 4 + 2] = qd.exp(v)
            o[i0 * 4 + 3] = qd.tanh(v)

    o = np.zeros(8, np.float32)
    ret = kern(o, 0.0)
    return {"o": o, "ret": ret}


if __name__ == "__main__":
    for arch in ("ref", sys.argv[1] if len(sys.argv) > 1 else "llvm-cpu"):
        qd.init(arch=arch)
        print(f"--- {arch}", run())
