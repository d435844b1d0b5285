"""Fuzz finding (llvm-cpu seed 5965 and wgpu seed 8484+ of the one-hour runs): an f32 kernel return of a
transcendental function was compared as a Python float, in f64 ulps, so a 1-ulp f32 difference looked like 2^29 ulps.
The generator now converts returns to the declared type; this program pins that (``ret`` within 4 f32 ulps)."""

import sys

import numpy as np

import quadrants as qd

TOL = "transcendental"
REQUIRES = ()


def _array(hex_text, dtype, shape):
    return np.frombuffer(bytes.fromhex(hex_text), dtype=dtype).reshape(shape).copy()


def run():
    """Build the inputs, run the kernel on the current backend, return every array and the result."""

    @qd.kernel
    def kern(a0: qd.types.ndarray(dtype=qd.i32, ndim=1), tr: qd.types.ndarray(dtype=qd.f32, ndim=1)) -> qd.f32:
        for i0 in qd.ndrange(5):
            tr[i0] = qd.log(abs(qd.cast(float(i0), qd.f32)) + 0.5)
        return tr[3]

    a0 = _array("0000008001000080ffffffff1200000020000000", "int32", (5,))
    tr = _array("0000000000000000000000000000000000000000", "float32", (5,))
    ret = np.float32(kern(a0, tr))
    return {"a0": a0, "tr": tr, "ret": ret}


if __name__ == "__main__":
    np.set_printoptions(threshold=10_000)
    for arch in ("ref", sys.argv[1] if len(sys.argv) > 1 else "llvm-cpu"):
        qd.init(arch=arch)
        result = run()
        print(f"--- {arch}")
        for key, value in result.items():
            print(f"{key} = {value!r}")
