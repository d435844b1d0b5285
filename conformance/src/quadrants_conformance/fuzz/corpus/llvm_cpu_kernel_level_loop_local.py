"""Fuzz finding (llvm-cpu, seed 1058 of the first run): a local assigned inside a serial ``for`` at kernel level (a
serial block), directly or through an inlined ``@qd.func`` whose parameter is reassigned in a loop, fails to compile
on llvm-cpu: the kernel var is written with ``store_atomic``, which llvmlite rejects on an opaque pointer
(``AttributeError: 'PointerType' object has no attribute 'pointee'``)."""

import sys

import numpy as np

import quadrants as qd

TOL = "exact"
REQUIRES = ()


def run():
    """A kernel-level loop updating a local, and the same through a func."""

    @qd.func
    def bump(p: qd.f32):
        for _k in range(2):
            p = p + 1
        return p

    @qd.kernel
    def kern(a: qd.types.ndarray(dtype=qd.i32, ndim=1)):
        x = a[0]
        for k in range(3):
            x = x + k
        a[1] = x
        a[2] = bump(a[0])

    a = np.array([5, 0, 0], np.int32)
    ret = kern(a)
    return {"a": a, "ret": ret}


if __name__ == "__main__":
    for arch in ("ref", sys.argv[1] if len(sys.argv) > 1 else "llvm-cpu"):
        qd.init(arch=arch)
        print(f"--- {arch}", run())
