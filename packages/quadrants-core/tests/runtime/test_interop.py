"""NumPy, DLPack, CUDA-array-interface and torch interop of qd.ndarray / qd.field (docs/interop.md).

Runs on ``ref`` (host storage: shared) and on a stand-in for device storage (no ``host_view``: copies, and
``copy=False`` refuses). The CUDA paths run for real in packages/quadrants-llvm/tests/test_cuda_interop.py on a GPU;
here the CUDA export is checked on a fake storage whose ``device_buffer()`` points at host memory.
"""

from __future__ import annotations

import gc

import numpy as np
import pytest

import quadrants as qd
from quadrants.runtime import dlpack

F32_1 = qd.types.NDArray[qd.f32, 1]


@pytest.fixture(autouse=True)
def ref_session():
    qd.init(arch="ref")
    yield
    qd.reset()


def double_plus_one():
    @qd.kernel
    def k(x: F32_1):
        for i in range(x.shape[0]):
            x[i] = x[i] * 2 + 1

    return k


class DLPackOnly:
    """An array object that speaks only DLPack (like a JAX or CuPy-on-host array)."""

    def __init__(self, array: np.ndarray):
        self.array = array

    def __dlpack__(self, *, max_version=None, **kwargs):
        return self.array.__dlpack__(max_version=max_version)  # a DLPack 1.x capsule says whether it is writable

    def __dlpack_device__(self):
        return (dlpack.DEVICE_CPU, 0)


class DeviceOnlyStorage:
    """Wraps a storage but hides ``host_view``: how wgpu storage looks to the interop layer."""

    def __init__(self, inner):
        self.inner = inner
        self.shape = inner.shape

    def to_numpy(self):
        return self.inner.to_numpy()

    def from_numpy(self, array):
        self.inner.from_numpy(array)


class FakeCudaStorage(DeviceOnlyStorage):
    """``device_buffer()`` as llvm-cuda gives it, but pointing at host memory so the export can be read here."""

    def __init__(self, inner):
        super().__init__(inner)
        self.synced = 0

    def device_buffer(self):
        self.synced += 1
        return (dlpack.DEVICE_CUDA, 0, self.inner.host_view().ctypes.data)


# ----------------------------------------------------------------------------------------------------- NumPy


def test_array_protocol_copies_by_default_and_shares_with_copy_false():
    a = qd.ndarray(qd.f32, (2, 3))
    a.fill(1.5)
    copied = np.asarray(a)
    assert copied.shape == (2, 3) and copied.dtype == np.float32 and (copied == 1.5).all()
    copied[0, 0] = 7
    assert a[0, 0] == 1.5
    shared = np.asarray(a, copy=False) if np.lib.NumpyVersion(np.__version__) >= "2.0.0" else a.__array__(copy=False)
    shared[0, 0] = 7
    assert a[0, 0] == 7
    assert np.asarray(a, dtype=np.float64).dtype == np.float64


def test_array_protocol_on_device_storage_refuses_to_share():
    a = qd.ndarray(qd.i32, 4)
    a._storage = DeviceOnlyStorage(a._storage)
    assert np.asarray(a).tolist() == [0, 0, 0, 0]
    with pytest.raises(ValueError, match="device memory"):
        a.__array__(copy=False)


def test_vector_ndarrays_expose_their_element_axes():
    v = qd.ndarray(qd.types.vector(3, qd.f32), 2)
    v.fill(2.0)
    assert np.asarray(v).shape == (2, 3)
    assert np.from_dlpack(v).shape == (2, 3)


# ---------------------------------------------------------------------------------------------------- DLPack


def test_dlpack_export_shares_host_storage():
    a = qd.ndarray(qd.i32, 5)
    assert a.__dlpack_device__() == (dlpack.DEVICE_CPU, 0)
    view = np.from_dlpack(a)
    view[2] = 42
    assert a[2] == 42


def test_dlpack_export_of_device_storage_is_a_host_copy_and_copy_false_raises():
    a = qd.ndarray(qd.f32, 3)
    a.fill(3.0)
    a._storage = DeviceOnlyStorage(a._storage)
    assert a.__dlpack_device__() == (dlpack.DEVICE_CPU, 0)
    out = np.from_dlpack(a)
    assert out.tolist() == [3.0, 3.0, 3.0]
    with pytest.raises(BufferError, match="without a copy"):
        a.__dlpack__(copy=False)


def test_dlpack_export_of_cuda_storage_hands_out_the_device_pointer():
    a = qd.ndarray(qd.f32, (2, 2))
    inner = a._storage
    a._storage = FakeCudaStorage(inner)
    assert a.__dlpack_device__() == (dlpack.DEVICE_CUDA, 0)
    iface = a.__cuda_array_interface__
    assert iface["data"] == (inner.host_view().ctypes.data, False)
    assert iface["shape"] == (2, 2) and iface["typestr"] == "<f4" and iface["version"] == 3
    assert a._storage.synced >= 2  # every hand-out synchronised the device first
    capsule = a.__dlpack__()
    assert "dltensor" in repr(capsule)


def test_cuda_array_interface_is_absent_on_host_storage():
    a = qd.ndarray(qd.f32, 2)
    assert not hasattr(a, "__cuda_array_interface__")


def test_exporter_layout_is_read_back_by_numpy_and_released():
    data = np.arange(12, dtype=np.float32).reshape(3, 4)
    before = dlpack.live_exports()

    class Capsule:
        def __init__(self, capsule):
            self.capsule = capsule

        def __dlpack__(self, **kwargs):
            return self.capsule

        def __dlpack_device__(self):
            return (dlpack.DEVICE_CPU, 0)

    for dtype in (np.bool_, np.int8, np.uint16, np.int64, np.float16, np.float64):
        x = np.ones(5, dtype)
        back = np.from_dlpack(Capsule(dlpack.export(x.ctypes.data, x.shape, x.dtype, dlpack.DEVICE_CPU, 0, x)))
        assert back.dtype == x.dtype and np.shares_memory(back, x)
        del back
    view = np.from_dlpack(Capsule(dlpack.export(data.ctypes.data, (3, 4), data.dtype, dlpack.DEVICE_CPU, 0, data)))
    assert view.tolist() == data.tolist() and np.shares_memory(view, data)
    del view
    unconsumed = dlpack.export(data.ctypes.data, (3, 4), data.dtype, dlpack.DEVICE_CPU, 0, data)
    del unconsumed
    gc.collect()
    assert dlpack.live_exports() == before


def test_exporter_rejects_types_without_a_dlpack_code():
    with pytest.raises(TypeError, match="no DLPack type code"):
        dlpack.dlpack_dtype(np.dtype("complex64"))


def test_from_dlpack_shares_host_memory_on_ref():
    source = np.zeros(4, np.float32)
    nd = qd.from_dlpack(source)
    assert isinstance(nd, qd.Ndarray) and nd.dtype == qd.f32 and nd.shape == (4,)
    double_plus_one()(nd)
    assert source.tolist() == [1.0, 1.0, 1.0, 1.0]


def test_from_dlpack_of_a_read_only_array_is_a_copy():
    source = np.ones(3, np.int32)
    source.flags.writeable = False
    nd = qd.from_dlpack(source)
    nd[0] = 5
    assert source[0] == 1 and nd[0] == 5


def test_from_dlpack_needs_a_dlpack_object():
    with pytest.raises(TypeError, match="__dlpack__"):
        qd.from_dlpack([1, 2, 3])


def test_a_dlpack_object_is_a_kernel_argument_and_receives_the_writes():
    source = np.arange(3, dtype=np.float32)
    double_plus_one()(DLPackOnly(source))
    assert source.tolist() == [1.0, 3.0, 5.0]


def test_a_foreign_device_object_is_rejected_with_a_quadrants_error():
    class OnSomeGpu(DLPackOnly):
        def __dlpack_device__(self):
            return (10, 0)  # kDLROCM

    with pytest.raises(qd.QuadrantsRuntimeTypeError, match="move it to the host first"):
        double_plus_one()(OnSomeGpu(np.zeros(2, np.float32)))


# ----------------------------------------------------------------------------------------------------- torch


def test_to_torch_without_torch_says_how_to_install_it(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "torch", None)  # `import torch` raises ImportError
    with pytest.raises(ImportError, match=r"quadrants-core\[torch\]"):
        qd.ndarray(qd.f32, 2).to_torch()


def test_to_torch_and_from_torch_on_ndarrays_and_fields():
    torch = pytest.importorskip("torch")
    a = qd.ndarray(qd.f32, 3)
    a.from_torch(torch.tensor([1.0, 2.0, 3.0]))
    t = a.to_torch()
    assert isinstance(t, torch.Tensor) and t.dtype == torch.float32 and t.tolist() == [1.0, 2.0, 3.0]
    t[0] = 9  # a copy by default
    assert a[0] == 1.0
    shared = a.to_torch(copy=False)
    shared[0] = 9
    assert a[0] == 9.0
    f = qd.field(qd.i32, shape=(2, 2))
    f.from_torch(torch.tensor([[1, 2], [3, 4]], dtype=torch.int32))
    assert f.to_torch().tolist() == [[1, 2], [3, 4]] and f[1, 0] == 3
    v = qd.Vector.field(2, qd.f32, shape=3)
    v.from_torch(torch.ones(3, 2))
    assert v.to_torch().shape == (3, 2)
    with pytest.raises(ValueError, match="Mismatch shape"):
        a.from_torch(torch.zeros(4))


def test_struct_fields_convert_member_by_member():
    torch = pytest.importorskip("torch")
    s = qd.Struct.field({"a": qd.f32, "b": qd.i32}, shape=2)
    s.from_torch({"a": torch.tensor([0.5, 1.5]), "b": torch.tensor([7, 8], dtype=torch.int32)})
    out = s.to_torch()
    assert out["a"].tolist() == [0.5, 1.5] and out["b"].tolist() == [7, 8]


def test_to_torch_copy_false_on_device_storage_raises_and_copy_none_copies():
    torch = pytest.importorskip("torch")
    a = qd.ndarray(qd.f32, 2)
    a._storage = DeviceOnlyStorage(a._storage)
    with pytest.raises(ValueError, match="without a copy"):
        a.to_torch(copy=False)
    assert a.to_torch(copy=None).tolist() == [0.0, 0.0]
    assert isinstance(a.to_torch(), torch.Tensor)


def test_cpu_tensors_go_straight_into_kernels_and_receive_the_writes():
    torch = pytest.importorskip("torch")
    k = double_plus_one()
    t = torch.arange(4, dtype=torch.float32)
    k(t)
    assert t.tolist() == [1.0, 3.0, 5.0, 7.0]
    strided = torch.arange(8, dtype=torch.float32)[::2]  # not contiguous: a copy, written back
    k(strided)
    assert strided.tolist() == [1.0, 5.0, 9.0, 13.0]
    with_grad = torch.ones(2, requires_grad=True)
    k(with_grad)
    assert with_grad.detach().tolist() == [3.0, 3.0]


def test_torch_dtype_without_a_quadrants_type_is_a_quadrants_error():
    torch = pytest.importorskip("torch")
    with pytest.raises(qd.QuadrantsRuntimeTypeError, match="bfloat16"):
        double_plus_one()(torch.ones(2, dtype=torch.bfloat16))


def test_torch_tensor_with_wrong_dtype_is_rejected_like_numpy():
    torch = pytest.importorskip("torch")
    with pytest.raises(ValueError, match="dtype"):
        double_plus_one()(torch.ones(2, dtype=torch.float64))


def test_from_dlpack_of_a_torch_tensor_shares_memory():
    torch = pytest.importorskip("torch")
    t = torch.zeros(3)
    nd = qd.from_dlpack(t)
    double_plus_one()(nd)
    assert t.tolist() == [1.0, 1.0, 1.0]
    back = torch.from_dlpack(nd)
    assert back.data_ptr() == t.data_ptr()


def test_to_torch_copy_false_without_a_device_shares_cuda_storage_on_its_device(monkeypatch):
    from quadrants.runtime import interop

    class FakeTorch:  # records what to_torch asks of torch; real torch needs a GPU for this path
        @staticmethod
        def from_dlpack(obj):
            return ("shared", obj)

    monkeypatch.setattr(interop, "import_torch", lambda: FakeTorch)
    a = qd.ndarray(qd.u1, (1,))
    a._storage = FakeCudaStorage(a._storage)
    assert a.to_torch(copy=False) == ("shared", a)  # upstream: the data's own device when none is asked for
    assert a.to_torch(copy=None) == ("shared", a)


def test_a_cuda_array_names_its_stream_to_the_backend():
    """``__cuda_array_interface__`` version 3 names the producer's stream (``None``: nothing to wait for); without the
    key the stream is unknown, and the backend waits for the whole device (runtime/external.py)."""
    import types

    from quadrants.runtime import external

    seen = []

    class Backend:
        def wrap_device_buffer(self, device_type, device_id, address, dtype, shape, owner, stream):
            seen.append(stream)
            return types.SimpleNamespace(dtype=dtype, shape=shape)

    class CudaArray:
        def __init__(self, **extra):
            self.__cuda_array_interface__ = {"shape": (4,), "typestr": "<f4", "data": (4096, False), **extra}

    for array in (CudaArray(version=3, stream=None), CudaArray(version=3, stream=0x1234), CudaArray(version=2)):
        external.external_array(array, Backend())
    assert seen == [None, 0x1234, external.STREAM_UNKNOWN]
