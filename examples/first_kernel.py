"""A first kernel, fed from NumPy, DLPack and (when installed) PyTorch: ``python first_kernel.py [arch]``.

This is the last step of ``nox -s newcomer`` (run from an installed environment, outside the repository) and a
starting point for a new user. Each step checks its result, so the script fails loudly when interop breaks.
"""

from __future__ import annotations

import sys

import numpy as np

import quadrants as qd


@qd.kernel
def saxpy(a: qd.f32, x: qd.types.NDArray[qd.f32, 1], y: qd.types.NDArray[qd.f32, 1]):
    for i in range(x.shape[0]):  # the top-level loop runs in parallel
        y[i] = a * x[i] + y[i]


def host_from_dlpack(obj) -> np.ndarray:
    """``np.from_dlpack`` asking for host memory (a GPU backend then exports a host copy); NumPy < 2.1 has no device."""
    try:
        return np.from_dlpack(obj, device="cpu")
    except TypeError:
        return np.from_dlpack(obj)


def main(arch: str | None) -> None:
    qd.init(arch=arch) if arch else qd.init()
    x = np.arange(4, dtype=np.float32)

    # NumPy arrays straight into a kernel; the writes land in `y`
    y = np.ones(4, dtype=np.float32)
    saxpy(2.0, x, y)
    assert y.tolist() == [1.0, 3.0, 5.0, 7.0], y
    print("numpy   :", y)

    # a qd.ndarray, read back with np.asarray (__array__) and through DLPack
    nd = qd.ndarray(qd.f32, 4)
    nd.fill(1.0)
    saxpy(2.0, x, nd)
    assert np.asarray(nd).tolist() == y.tolist()
    assert host_from_dlpack(nd).tolist() == y.tolist()
    print("ndarray :", np.asarray(nd), "| DLPack device", nd.__dlpack_device__())

    # qd.from_dlpack: an ndarray over another library's array (shared where the backend can address it)
    imported = qd.from_dlpack(np.ones(4, dtype=np.float32))
    saxpy(2.0, x, imported)
    assert imported.to_numpy().tolist() == y.tolist()
    print("imported:", imported.to_numpy())

    try:
        import torch
    except ImportError:
        print("torch   : not installed, skipped (pip install 'quadrants-core[torch]')")
        return
    t = torch.ones(4)
    saxpy(2.0, torch.from_numpy(x), t)  # CPU tensors straight into the kernel
    assert t.tolist() == y.tolist(), t
    assert nd.to_torch().tolist() == y.tolist()
    back = qd.ndarray(qd.f32, 4)
    back.from_torch(t)
    assert back.to_numpy().tolist() == y.tolist()
    print("torch   :", t, "| to_torch/from_torch round trip ok")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else None)
    print("first kernel: ok")
