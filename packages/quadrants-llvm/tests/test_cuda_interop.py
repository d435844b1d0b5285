"""Zero-copy interop on llvm-cuda: DLPack and ``__cuda_array_interface__`` export, CUDA torch tensors in kernels.

Needs an NVIDIA GPU with the CUDA driver and ``cuda.bindings`` (the ``cuda`` extra); the torch tests also need a CUDA
build of torch. Without them every test here is skipped, saying which of these is missing.
"""

from __future__ import annotations

import numpy as np
import pytest

import quadrants as qd
from quadrants.backend import load_by_id


def _cuda_reason() -> str | None:
    backend = load_by_id("llvm-cuda")
    if backend is None:
        return "the llvm-cuda backend is not installed"
    probe = backend.probe()
    return None if probe.available else f"llvm-cuda unavailable: {probe.reason}"


_REASON = _cuda_reason()
pytestmark = pytest.mark.skipif(_REASON is not None, reason=_REASON or "")


@pytest.fixture(autouse=True)
def cuda_session():
    qd.init(arch=qd.cuda)
    yield
    qd.reset()


def _torch_cuda():
    torch = pytest.importorskip("torch")
    if not torch.cuda.is_available():
        pytest.skip("torch has no CUDA device (a CPU build of torch)")
    return torch


def _kernel():
    @qd.kernel
    def k(x: qd.types.NDArray[qd.f32, 1]):
        for i in range(x.shape[0]):
            x[i] = x[i] * 2 + 1

    return k


def test_cuda_array_interface_and_dlpack_device_name_the_device_pointer():
    a = qd.ndarray(qd.f32, (4, 2))
    iface = a.__cuda_array_interface__
    assert iface["version"] == 3 and iface["shape"] == (4, 2) and iface["typestr"] == "<f4"
    assert iface["data"][0] == a._storage.ptr and iface["strides"] is None
    assert a.__dlpack_device__() == (2, 0)
    with pytest.raises(ValueError, match="device memory"):
        a.__array__(copy=False)
    a.fill(2.0)
    assert np.asarray(a).tolist() == [[2.0, 2.0]] * 4  # host copies still work


def test_cuda_torch_tensor_in_a_kernel_is_used_in_place():
    torch = _torch_cuda()
    t = torch.arange(5, dtype=torch.float32, device="cuda")
    _kernel()(t)
    assert t.cpu().tolist() == [1.0, 3.0, 5.0, 7.0, 9.0]


def test_to_torch_copy_false_shares_device_memory_and_dlpack_round_trips():
    torch = _torch_cuda()
    a = qd.ndarray(qd.f32, 3)
    a.fill(1.0)
    shared = a.to_torch(device="cuda", copy=False)
    assert shared.data_ptr() == a._storage.ptr
    shared += 1
    torch.cuda.synchronize()
    assert a.to_numpy().tolist() == [2.0, 2.0, 2.0]
    via_dlpack = torch.from_dlpack(a)
    assert via_dlpack.device.type == "cuda" and via_dlpack.data_ptr() == a._storage.ptr
    assert a.to_torch().device.type == "cpu"  # the default is an independent CPU copy, as upstream
    # without a device, copy=False shares on the data's own device (Genesis reads its solver state this way)
    flags = qd.ndarray(qd.u1, (1,))
    own = flags.to_torch(copy=False)
    assert own.device.type == "cuda" and own.data_ptr() == flags._storage.ptr
    assert a.to_torch(copy=False).data_ptr() == a._storage.ptr


def test_from_dlpack_of_a_cuda_tensor_shares_memory():
    torch = _torch_cuda()
    t = torch.zeros(4, device="cuda")
    nd = qd.from_dlpack(t)
    _kernel()(nd)
    assert t.cpu().tolist() == [1.0, 1.0, 1.0, 1.0]


def test_cupy_array_in_a_kernel_is_used_in_place():
    cupy = pytest.importorskip("cupy")
    x = cupy.arange(3, dtype=cupy.float32)
    _kernel()(x)
    assert x.get().tolist() == [1.0, 3.0, 5.0]
