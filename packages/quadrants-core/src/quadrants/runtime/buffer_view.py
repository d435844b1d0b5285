"""``qd.BufferView``: a view ``[offset, offset + size)`` of a 1-D ndarray, passed to kernels (docs/buffer-views.md).

Made by slicing an ndarray (``data[8:24]``), by ``qd.BufferView(data, offset, size)`` or by ``view.subview(o, n)`` /
``view[a:b]`` (offsets relative to the view). A kernel parameter annotated ``qd.BufferView[qd.f32]`` (or plain
``qd.BufferView``) receives the ndarray by reference and ``offset`` / ``size`` as run-time integers, so views of
different ranges share one compiled kernel; kernel code indexes the view from 0 (``frontend/buffer_views.py``).
The bounds are checked here when a view is made, and in kernels under ``qd.init(debug=True)``.
"""

from __future__ import annotations

__all__ = ["BufferView", "slice_ndarray"]


class BufferView:
    """A view into the sub-range ``[offset, offset + size)`` of a 1-D ndarray.

    ``data[8:24]`` is ``qd.BufferView(data, offset=8, size=16)``; ``view.subview(4, 8)`` starts 4 elements into the
    view. Annotate kernel and func parameters ``v: qd.BufferView[qd.f32]`` and index ``v[0]`` … ``v[v.size - 1]``.
    """

    _is_quadrants_class = True
    _qd_buffer_view = True  # how the frontend recognises a view argument (frontend/buffer_views.py)

    def __class_getitem__(cls, dtype):
        """``qd.BufferView[qd.f32]``: the annotation of a view parameter (any element type for a plain
        ``qd.BufferView``)."""
        from quadrants.frontend.buffer_views import BufferViewType

        return BufferViewType(*dtype) if isinstance(dtype, tuple) else BufferViewType(dtype)

    def __init__(self, arr, offset, size):
        offset, size = int(offset), int(size)
        if isinstance(arr, BufferView):
            raise TypeError("Cannot nest BufferView(view, ...); use view.subview(offset, size) instead")
        if getattr(arr, "grad", None) is not None:
            raise TypeError("BufferView does not support ndarrays with gradients (needs_grad=True)")
        shape = tuple(getattr(arr, "shape", ()))
        if len(shape) != 1:
            raise TypeError(f"BufferView requires a 1D ndarray, got shape {shape}")
        if offset < 0 or size < 0 or offset + size > shape[0]:
            raise ValueError(f"BufferView out of range: offset={offset}, size={size}, ndarray length={shape[0]}")
        self.arr = arr
        self.offset = offset
        self.size = size

    @property
    def shape(self) -> tuple[int]:
        """``(size,)``."""
        return (self.size,)

    def subview(self, offset, size) -> BufferView:
        """The view of ``[offset, offset + size)`` of this view (offsets relative to its start)."""
        offset, size = int(offset), int(size)
        if offset < 0 or size < 0 or offset + size > self.size:
            raise ValueError(f"subview out of range: offset={offset}, size={size}, parent size={self.size}")
        return BufferView(self.arr, self.offset + offset, size)

    def __getitem__(self, key) -> BufferView:
        """``view[2:6]``: a subview (in Python scope only slices are allowed; elements are read in kernels or through
        ``view.arr``)."""
        if not isinstance(key, slice):
            raise TypeError(f"BufferView host-side indexing requires a slice, got {type(key).__name__}")
        start, stop, step = key.indices(self.size)
        if step != 1:
            raise ValueError(f"BufferView slice requires step=1, got step={step}")
        return self.subview(start, max(stop - start, 0))

    def get_ndarray(self):
        """The viewed ndarray."""
        return self.arr

    def to_numpy(self):
        """A NumPy copy of the viewed elements."""
        return self.arr.to_numpy()[self.offset : self.offset + self.size]

    def __repr__(self) -> str:
        return f"BufferView(offset={self.offset}, size={self.size}, of {self.arr!r})"


def slice_ndarray(arr, key: slice) -> BufferView:
    """``data[a:b]`` of a 1-D ndarray (upstream's slicing: Python's clamping of the ends, step 1 only)."""
    shape = tuple(arr.shape)
    if len(shape) != 1:
        raise TypeError(f"ndarray slice to BufferView requires a 1D array, got shape {shape}")
    start, stop, step = key.indices(shape[0])
    if step != 1:
        raise ValueError(f"BufferView slice requires step=1, got step={step}")
    return BufferView(arr, start, max(stop - start, 0))
