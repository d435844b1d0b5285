"""Kernel parameters annotated with a vector or matrix type (``v: qd.types.vector(3, qd.f32)``, ``m: qd.math.mat2``).

The argument (a ``qd.Vector``/``qd.Matrix``, a NumPy array, or for a vector a list, of the annotated shape; as
upstream, not a nested list for a matrix and no float components for an integer type) is passed by value: one
run-time scalar argument per component, converted to the annotated type by docs/semantics.md §5. The frontend
reads them through ``("member", position, (component,))`` sources (``frontend/matrix.py`` :func:`param_matrix`) and
copies them into a local vector, so the kernel may assign its components.
"""

from __future__ import annotations

import numpy as np

from quadrants.errors import QuadrantsRuntimeTypeError
from quadrants.frontend.compound_types import MatrixType
from quadrants.ir import numerics
from quadrants.runtime.bound import Bound

__all__ = ["MatrixParam"]


class MatrixParam:
    """The converter of one vector/matrix parameter (see ``runtime/args.py`` ``Param``)."""

    kind = "matrix"

    def __init__(self, name: str, mtype: MatrixType, session=None):
        self.name = name
        self.mtype = mtype.resolved(session.default_fp) if session is not None else mtype
        self.key = ("qm", self.mtype)

    def convert(self, value, session):
        mtype = self.mtype if self.mtype.dtype is not None else self.mtype.resolved(session.default_fp)
        try:
            array = np.asarray(value)
        except (TypeError, ValueError):
            array = None
        if array is None or array.shape != mtype.shape or array.dtype.kind not in "biuf":
            shape = getattr(array, "shape", None)
            raise QuadrantsRuntimeTypeError(
                f"Argument {self.name} ({type(value).__name__}{f' of shape {shape}' if shape else ''}) cannot be "
                f"converted into required type {mtype}: pass a qd.Vector/qd.Matrix, a list or a NumPy array of shape "
                f"{mtype.shape}"
            )
        if isinstance(value, list) and len(mtype.shape) == 2:  # as upstream, which reads a matrix argument as m[i, j]
            raise TypeError(
                f"list indices must be integers or slices, not tuple: matrix argument {self.name} is read as "
                f"{self.name}[i, j]; pass a qd.Matrix or a NumPy array of shape {mtype.shape}, not a nested list"
            )
        if not mtype.dtype.is_float and array.dtype.kind == "f":  # as upstream: no float -> int conversion here
            raise QuadrantsRuntimeTypeError(
                f"Argument {self.name} cannot be converted into required type {mtype.dtype}: its components are "
                f"floats ({array.dtype}); convert them first (np.asarray(v).astype(np.{np.dtype(mtype.dtype.np).name}))"
            )
        return Bound(("qm", mtype), None, numerics.convert(array, mtype.dtype))
