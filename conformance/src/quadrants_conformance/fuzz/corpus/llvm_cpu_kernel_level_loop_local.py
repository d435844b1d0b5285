"""Fuzz finding (llvm-cpu, seeds 1058 and 1133 of the 10-minute run): a kernel var (a local bound at kernel level)
assigned inside a top-level parallel loop fails to compile on llvm-cpu: the store is emitted with
``builder.store_atomic``, which llvmlite rejects on an opaque pointer (``AttributeError: 'PointerType' object has no
attribute 'pointee'``). Only one iteration assigns the var here, so the result is order independent (§10: the task
keeps the value of the last iteration that assigned it). The fuzzer found it through a ``@qd.func`` with a loop
called at kernel level (its loop becomes a parallel loop); the generator no longer calls funcs at kernel level."""

import sys

import numpy as np

import quadrants as qd

TOL = "exact"
REQUIRES = ()


def run():
    """One iteration of a parallel loop assigns a kernel var; a later statement stores it."""

    @qd.kernel
    def kern(a: qd.types.ndarray(dtype=qd.i32, ndim=1)):
        x = a[0]
        for k in range(3):
            if k == 2:
                x = a[0] + 10
        a[1] = x

    a = np.array([5, 0], np.int32)
    ret = kern(a)
    return {"a": a, "ret": ret}


if __name__ == "__main__":
    for arch in ("ref", sys.argv[1] if len(sys.argv) > 1 else "llvm-cpu"):
        qd.init(arch=arch)
        print(f"--- {arch}", run())
