"""Interop of ndarrays with NumPy and DLPack (docs/interop.md): the same values on every backend.

Whether memory is shared depends on where a backend keeps its ndarrays (host memory on ref and llvm-cpu, GPU memory
on wgpu and llvm-cuda); what every backend must agree on is the values, and that a kernel's writes into an external
array reach that array's memory.
"""

import numpy as np

import quadrants as qd
from quadrants_conformance import case

F32_1 = qd.types.NDArray[qd.f32, 1]
I32_2 = qd.types.NDArray[qd.i32, 2]


class HostDLPack:
    """An array object that offers only DLPack (``__dlpack__`` / ``__dlpack_device__``), like a JAX CPU array."""

    def __init__(self, array):
        self.array = array

    def __dlpack__(self, *, max_version=None, **kwargs):
        return self.array.__dlpack__(max_version=max_version)

    def __dlpack_device__(self):
        return (1, 0)  # kDLCPU


def host_from_dlpack(x):
    """``np.from_dlpack`` asking for host memory (GPU backends export a host copy then; NumPy < 2.1 has no device)."""
    try:
        return np.from_dlpack(x, device="cpu")
    except TypeError:
        return np.from_dlpack(x)


@case(
    section="14",
    golden={
        "asarray": [[0, 1, 2], [10, 11, 12]],
        "as_f64": [[0.0, 1.0, 2.0], [10.0, 11.0, 12.0]],
        "from_dlpack": [[0, 1, 2], [10, 11, 12]],
        "dtype": "int32",
    },
)
def ndarray_to_numpy_through_array_and_dlpack():
    @qd.kernel
    def fill(x: I32_2):
        for i, j in qd.ndrange(x.shape[0], x.shape[1]):
            x[i, j] = i * 10 + j

    a = qd.ndarray(qd.i32, (2, 3))
    fill(a)
    exported = host_from_dlpack(a)
    return {
        "asarray": np.asarray(a),
        "as_f64": np.asarray(a, dtype=np.float64),
        "from_dlpack": np.array(exported),
        "dtype": str(exported.dtype),
    }


@case(section="14", golden={"nd": [1.0, 3.0, 5.0, 7.0], "shape": [4], "dtype": "f32"})
def from_dlpack_ndarray_in_a_kernel():
    @qd.kernel
    def double_plus_one(x: F32_1):
        for i in range(x.shape[0]):
            x[i] = x[i] * 2 + 1

    nd = qd.from_dlpack(np.arange(4, dtype=np.float32))
    double_plus_one(nd)
    return {"nd": nd.to_numpy(), "shape": list(nd.shape), "dtype": str(nd.dtype)}


@case(section="14", golden={"source": [1.0, 3.0, 5.0], "n": 3})
def dlpack_object_as_kernel_argument_receives_the_writes():
    @qd.kernel
    def double_plus_one(x: F32_1) -> qd.i32:
        for i in range(x.shape[0]):
            x[i] = x[i] * 2 + 1
        return x.shape[0]

    source = np.arange(3, dtype=np.float32)
    n = double_plus_one(HostDLPack(source))
    return {"source": source, "n": n}


@case(section="14", golden={"a": [0.0, 0.0, 5.0], "b": [0.0, 2.5, 0.0]})
def ndarray_exported_and_reimported_keeps_its_values():
    @qd.kernel
    def put(x: F32_1, i: qd.i32, v: qd.f32):
        x[i] = v

    a = qd.ndarray(qd.f32, 3)
    put(a, 2, 5.0)
    b = qd.from_dlpack(host_from_dlpack(a).copy())
    put(b, 1, 2.5)
    put(b, 2, 0.0)
    return {"a": a.to_numpy(), "b": b.to_numpy()}
