"""The ``ref`` backend object registered under the ``quadrants.backends`` entry point (docs/writing-a-backend.md).

``compile`` keeps the program and options as a picklable artifact; ``load`` compiles every task into closures
(:mod:`quadrants_ref.compiler`) and returns a :class:`~quadrants_ref.executable.RefExecutable`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from quadrants.backend import Availability, Capabilities, CompileOptions
from quadrants.ir.dtypes import ALL_DTYPES, DataType, from_numpy_dtype
from quadrants.ir.nodes import Program
from quadrants_ref.array import RefArray
from quadrants_ref.executable import RefExecutable

__all__ = ["BACKEND", "RefBackend", "RefArtifact"]


@dataclass(frozen=True)
class RefArtifact:
    """What ``compile`` produces: the program itself (the interpreter needs nothing else) and the options."""

    program: Program
    options: CompileOptions


class RefBackend:
    """The NumPy reference interpreter: the executable definition of docs/semantics.md."""

    id = "ref"
    archs = ("ref", "python")
    capabilities = Capabilities(
        dtypes=frozenset(ALL_DTYPES),
        atomic_dtypes=frozenset(ALL_DTYPES),
        features=frozenset({"print", "assert", "lane_order", "f64", "i64", "f16", "subnormals", "clock", "recursion"}),
    )

    def probe(self) -> Availability:
        return Availability(True, device=f"NumPy {np.__version__} reference interpreter")

    def compile(self, program: Program, options: CompileOptions | None = None) -> RefArtifact:
        return RefArtifact(program, options or CompileOptions())

    def load(self, artifact: RefArtifact) -> RefExecutable:
        return RefExecutable(artifact.program, artifact.options)

    def allocate(self, dtype: DataType, shape: tuple[int, ...]) -> RefArray:
        """A zero-initialised array."""
        return RefArray(np.zeros(tuple(shape), dtype=dtype.np), dtype)

    def wrap_numpy(self, array: np.ndarray) -> RefArray:
        """Use ``array`` itself as storage when it is C-contiguous and writeable, so kernel writes land in it.

        Otherwise a contiguous copy is used, and :meth:`sync_back` copies the launch's writes into ``array``.
        """
        dtype = from_numpy_dtype(array.dtype)
        if dtype is None:
            raise TypeError(f"unsupported NumPy dtype {array.dtype}")
        usable = array.flags.c_contiguous and array.flags.writeable and array.dtype.isnative
        return RefArray(array if usable else np.ascontiguousarray(array, dtype=dtype.np).copy(), dtype)

    def sync_back(self, wrapped: RefArray, array: np.ndarray) -> None:
        """No-op when ``wrapped`` uses ``array`` directly; otherwise copy the contents back."""
        if wrapped.array is not array and array.flags.writeable:
            array[...] = wrapped.array


BACKEND = RefBackend()
