"""Fuzz finding (wgpu, seeds 3 and 21 of the first run): a non-finite f16 constant (here -inf, the f16 conversion of
-2147483648 and of 3.4e38) is emitted as ``bitcast<vec2<f16>>(64512u).x``, which naga rejects ("invalid field accessor
`x`"), so the kernel fails to compile on wgpu with shader-f16. Shrunk from a generated program."""

import sys

import numpy as np

import quadrants as qd

TOL = "exact"
REQUIRES = ("f16",)


def run():
    """Store f16 infinities produced by constant conversions."""

    @qd.kernel
    def kern(a: qd.types.ndarray(dtype=qd.f16, ndim=1)):
        for i0 in range(2):
            a[i0] = qd.cast(-2147483648, qd.i32)
        v = qd.f16(3.4e38)
        a[2] = v

    a = np.zeros(3, np.float16)
    ret = kern(a)
    return {"a": a, "ret": ret}


if __name__ == "__main__":
    for arch in ("ref", sys.argv[1] if len(sys.argv) > 1 else "llvm-cpu"):
        qd.init(arch=arch)
        print(f"--- {arch}", run())
