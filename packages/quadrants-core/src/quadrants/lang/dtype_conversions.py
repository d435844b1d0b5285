"""Conversions between Quadrants scalar types and NumPy, PyTorch and Python types (upstream's ``lang.util`` helpers).

``to_quadrants_type`` accepts what upstream accepts: a Quadrants type, an ``id()`` of one (``MAP_TYPE_IDS``), a NumPy
dtype or scalar type, or a torch dtype; ``to_pytorch_type`` / ``dtype_to_torch_dtype`` go the other way. PyTorch is
imported only by the torch conversions (it is an optional extra). The NumPy name of a type is also its torch name
(``float32``, ``int64``, ``uint8``, ``bool``), which is how the two are matched.
"""

from __future__ import annotations

import numpy as np

from quadrants.ir.dtypes import DataType, f16, f32, f64, from_numpy_dtype, i8, i16, i32, i64, u1, u8, u16, u32, u64

__all__ = ["all_types", "MAP_TYPE_IDS", "cook_dtype", "to_quadrants_type", "to_pytorch_type", "dtype_to_torch_dtype"]

# upstream's set of every scalar type, the Python types included (the same set as qd.types.primitive_types.all_types,
# which this layer may not import; a unit test keeps the two equal)
all_types = {f16, f32, f64, float, i8, i16, i32, i64, u1, u8, u16, u32, u64, int, bool}
# id(type) -> type for every type of ``all_types`` (upstream passes type ids through its C++ layer)
MAP_TYPE_IDS: dict[int, object] = {id(t): t for t in all_types}


def cook_dtype(dtype) -> DataType:
    """A Quadrants type for ``dtype``: itself, or the current session's ``default_fp`` / ``default_ip`` for ``float``
    / ``int``, ``u1`` for ``bool``; ``ValueError`` for anything else."""
    if isinstance(dtype, DataType):
        return dtype
    if dtype is float or dtype is int:
        from quadrants.runtime.state import current_session

        session = current_session()
        return session.default_fp if dtype is float else session.default_ip
    if dtype is bool:
        return u1
    raise ValueError(f"Invalid data type {dtype}")


def _torch_name(dt) -> str | None:
    text = str(dt)
    return text[len("torch.") :] if text.startswith("torch.") else None


def to_quadrants_type(dt) -> DataType:
    """The Quadrants type of a type id, a NumPy dtype or a torch dtype (a Quadrants type is returned as is)."""
    if isinstance(dt, DataType):
        return dt
    if type(dt) is int:
        return MAP_TYPE_IDS[dt]
    name = _torch_name(dt)
    found = from_numpy_dtype(name if name is not None else dt)
    if found is None:
        raise TypeError(f"Unknown type {dt}: to_quadrants_type takes a Quadrants, NumPy or torch scalar type")
    return found


def to_pytorch_type(dt):
    """The torch dtype of Quadrants type ``dt`` (``qd.f32`` -> ``torch.float32``); a torch dtype is returned as is."""
    from quadrants.runtime.interop import import_torch

    torch = import_torch()
    if isinstance(dt, torch.dtype):
        return dt
    dtype = cook_dtype(dt)
    found = getattr(torch, np.dtype(dtype.np).name, None)
    if not isinstance(found, torch.dtype):
        raise RuntimeError(f"PyTorch doesn't support {dtype} data type.")
    return found


def dtype_to_torch_dtype(dtype):
    """Upstream's short table: ``float``/``qd.f32``, ``int``/``qd.i32``, ``qd.i64``, ``qd.f64``, ``bool``/``qd.u1`` to
    their torch dtypes (Python ``float``/``int`` are 32-bit here, whatever the session's defaults)."""
    table = {float: f32, int: i32, bool: u1, f32: f32, i32: i32, i64: i64, f64: f64, u1: u1}
    if dtype not in table:
        raise KeyError(dtype)
    return to_pytorch_type(table[dtype])
