"""``qd.tools``: helpers that need no window: ``PLYWriter`` (PLY export), ``write_vtk`` (VTK export, needs pyevtk),
``diagnose`` (environment report). docs/tools.md."""

from __future__ import annotations

from quadrants.tools import diagnose, np2ply, vtk
from quadrants.tools.np2ply import PLYWriter
from quadrants.tools.vtk import write_vtk

__all__ = ["PLYWriter", "write_vtk", "diagnose", "np2ply", "vtk"]
