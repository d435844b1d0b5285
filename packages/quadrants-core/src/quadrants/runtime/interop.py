"""NumPy, DLPack, CUDA-array-interface and PyTorch conversions of ``qd.ndarray`` and ``qd.field`` (docs/interop.md).

Where the data of an ndarray lives decides what can be shared without a copy. A backend says it through two optional
members of its :class:`~quadrants.backend.DeviceArray`:

* ``host_view()`` — the storage itself as a NumPy array (``ref``, ``llvm-cpu``: kernels address that buffer), so
  ``np.asarray(x, copy=False)``, ``__dlpack__`` and ``to_torch(copy=False)`` share it;
* ``device_buffer()`` — ``(DLPack device type, device id, address)`` of device memory (``llvm-cuda``), after the
  device's queued work is done, so ``__dlpack__`` and ``__cuda_array_interface__`` hand out the device pointer.

Storage with neither (``wgpu``: GPU buffers no other library can address) is exported as a host copy, and a request
that forbids copying (``copy=False``) raises. PyTorch is imported only when a torch method is called.
"""

from __future__ import annotations

import numpy as np

from quadrants.runtime import dlpack

__all__ = ["ArrayInterop", "host_view", "device_buffer", "import_torch"]


def host_view(storage) -> np.ndarray | None:
    """The NumPy array that *is* ``storage`` (no copy), or ``None`` when the data is not in host memory."""
    get = getattr(storage, "host_view", None)
    return get() if get is not None else None


def device_buffer(storage) -> tuple[int, int, int] | None:
    """``(device type, device id, address)`` of device storage, synchronised; ``None`` for other storage."""
    get = getattr(storage, "device_buffer", None)
    return get() if get is not None else None


def import_torch():
    """``torch``, or an ``ImportError`` that says how to get it (it is an optional extra)."""
    try:
        import torch
    except ImportError as exc:
        raise ImportError(
            "PyTorch interop needs torch: pip install torch (or the extra: pip install 'quadrants-core[torch]')"
        ) from exc
    return torch


class ArrayInterop:
    """Mixed into :class:`~quadrants.runtime.ndarray.Ndarray` (and so :class:`~quadrants.runtime.field.Field`).

    Relies on the host methods of the class: ``storage()``, ``to_numpy()``, ``from_numpy()``, ``shape``,
    ``element_shape`` and ``scalar_dtype``.
    """

    def _full_shape(self) -> tuple[int, ...]:
        return tuple(self.shape) + tuple(self.element_shape)

    # -------------------------------------------------------------------------------------------------- NumPy
    def __array__(self, dtype=None, copy=None):
        """``np.asarray(x)``: a copy of the contents; ``copy=False`` shares host storage or raises ``ValueError``."""
        if copy is False:
            out = host_view(self.storage())
            if out is None:
                raise ValueError(f"{self!r} is in device memory: np.asarray(..., copy=False) cannot share it")
        else:
            out = self.to_numpy()
        if dtype is not None and np.dtype(dtype) != out.dtype:
            if copy is False:
                raise ValueError(f"copy=False cannot convert {out.dtype} to {np.dtype(dtype)}")
            out = out.astype(dtype)
        return out

    # ------------------------------------------------------------------------------------------------- DLPack
    def __dlpack_device__(self) -> tuple[int, int]:
        """Where ``__dlpack__`` exports: the device of device storage, else the host (``(kDLCPU, 0)``)."""
        buffer = device_buffer(self.storage())
        return (buffer[0], buffer[1]) if buffer is not None else (dlpack.DEVICE_CPU, 0)

    def __dlpack__(self, *, stream=None, max_version=None, dl_device=None, copy=None):
        """Export as DLPack: the storage itself on host and CUDA backends, a host copy where no consumer can read it.

        ``copy=False`` raises ``BufferError`` when sharing is impossible; ``copy=True`` always exports a host copy.
        On ``llvm-cuda`` the launches queued before are finished first, so any consumer stream sees their results.
        """
        storage = self.storage()
        wants_host = dl_device is not None and tuple(dl_device) == (dlpack.DEVICE_CPU, 0)
        if not copy and not wants_host:
            buffer = device_buffer(storage)
            if buffer is not None:
                kind, device_id, address = buffer
                return dlpack.export(address, self._full_shape(), self.scalar_dtype.np, kind, device_id, storage)
        host = None if copy else host_view(storage)
        if host is None:
            if copy is False:
                raise BufferError(f"{self!r} cannot be shared without a copy (its memory is not host memory)")
            host = self.to_numpy()
        try:
            return host.__dlpack__(max_version=max_version)
        except TypeError:  # NumPy < 2.1 knows only `stream`
            return host.__dlpack__()

    def to_dlpack(self, versioned: bool = False):
        """A DLPack capsule of the contents (upstream's API): ``versioned=True`` asks for a DLPack 1.x capsule."""
        return self.__dlpack__(max_version=(1, 0) if versioned else None)

    @property
    def __cuda_array_interface__(self) -> dict:
        """The CUDA Array Interface (v3) of device storage on ``llvm-cuda``; ``AttributeError`` elsewhere."""
        buffer = device_buffer(self.storage())
        if buffer is None or buffer[0] != dlpack.DEVICE_CUDA:
            raise AttributeError(f"{type(self).__name__} has no __cuda_array_interface__ outside llvm-cuda")
        return {
            "shape": self._full_shape(),
            "typestr": self.scalar_dtype.np.str,
            "data": (buffer[2], False),
            "strides": None,  # C-contiguous
            "stream": None,  # device_buffer() synchronised: no further synchronisation needed
            "version": 3,
        }

    # ------------------------------------------------------------------------------------------------- torch
    def to_torch(self, device=None, *, copy=True):
        """A torch tensor of the contents (on ``device``; a copy goes to the CPU by default).

        ``copy=True`` (default) returns an independent tensor; ``copy=False`` shares the storage (host storage to a
        CPU tensor, ``llvm-cuda`` storage to a CUDA tensor on its own device, as upstream, when ``device`` is not
        given) or raises ``ValueError``; ``copy=None`` shares when it can.
        """
        torch = import_torch()
        if copy is not True:
            shared = self._torch_view(torch, device)
            if shared is not None:
                return shared
            if copy is False:
                raise ValueError(f"{self!r} cannot be shared with a torch tensor on {device or 'cpu'} without a copy")
        tensor = torch.from_numpy(self.to_numpy())
        return tensor.to(device) if device is not None else tensor

    def _torch_view(self, torch, device):
        storage = self.storage()
        target = torch.device(device) if device is not None else None
        view = host_view(storage)
        if view is not None and (target is None or target.type == "cpu"):
            return torch.from_numpy(view)
        if target is not None and target.type != "cuda":
            return None
        # device memory is shared on its own device: with no device asked for (as upstream: the data's device), or
        # with that CUDA device asked for
        buffer = device_buffer(storage)
        if buffer is None or buffer[0] != dlpack.DEVICE_CUDA:
            return None
        if target is None or (target.index or 0) == buffer[1]:
            return torch.from_dlpack(self)
        return None

    def from_torch(self, arr) -> None:
        """Copy a torch tensor in (any device); the shape must match, values are converted like ``from_numpy``."""
        self.from_numpy(arr.detach().resolve_conj().resolve_neg().cpu().numpy())
