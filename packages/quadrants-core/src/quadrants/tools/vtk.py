"""``qd.tools.write_vtk``: write a 2-d or 3-d scalar field (or ndarray) as a VTK rectilinear grid (needs ``pyevtk``)."""

from __future__ import annotations

import numpy as np

__all__ = ["write_vtk"]


def write_vtk(scalar_field, filename) -> None:
    """Write ``scalar_field`` (2-d or 3-d) to ``filename.vtr`` as point data named ``scalar``."""
    try:
        from pyevtk.hl import gridToVTK
    except ImportError:
        raise RuntimeError("Failed to import pyevtk. Please install it via `pip install pyevtk` first.") from None
    values = scalar_field.to_numpy()
    if values.ndim not in (2, 3):
        raise ValueError("The input field must be a 2D or 3D scalar field.")
    if values.ndim == 2:
        values = values[np.newaxis, :, :]
        coords = (np.arange(values.shape[1]), np.arange(values.shape[2]), np.array([0, 1]))
    else:
        coords = tuple(np.arange(s) for s in values.shape)
    gridToVTK(filename, *coords, pointData={"scalar": np.ascontiguousarray(values)})
