"""The backend object registered under the ``quadrants.backends`` entry point as ``template``.

What it shows, one protocol member at a time (docs/writing-a-backend.md):

* ``capabilities``: data, not code. This template declares that it has no ``f16`` (a declared gap: the conformance
  suite reports the f16 cases as ``unsupported: f16``, never as passes) and no reference-only lane orders.
* ``compile`` returns **bytes** (a pickled program), as a backend whose artifacts fastcache stores on disk must;
  ``load`` turns those bytes into launch primitives. Here the launch primitives are the reference interpreter's: swap
  in your code generator and executor.
* ``allocate``/``wrap_numpy``/``sync_back``: ndarrays live in memory the backend owns
  (:mod:`quadrants_template.memory`); NumPy arrays passed straight to a kernel are uploaded before the launch and
  copied back after it, as on a GPU.
"""

from __future__ import annotations

import pickle

import numpy as np

from quadrants.backend import Availability, Capabilities, CompileOptions
from quadrants.ir.dtypes import ALL_DTYPES, DataType, f16, from_numpy_dtype
from quadrants.ir.nodes import Program
from quadrants_ref.backend import BACKEND as REFERENCE
from quadrants_template.memory import DeviceBuffer, allocate, upload

__all__ = ["BACKEND", "TemplateBackend"]

_DTYPES = frozenset(ALL_DTYPES) - {f16}


class TemplateBackend:
    """A host backend that executes through the reference interpreter, with its own memory and artifacts."""

    id = "template"
    archs = ("template",)
    capabilities = Capabilities(
        dtypes=_DTYPES,
        atomic_dtypes=_DTYPES,
        features=REFERENCE.capabilities.features - {"f16", "lane_order"},
    )

    def probe(self) -> Availability:
        """Always available: it needs nothing but NumPy. A device backend says here why it cannot run."""
        return Availability(True, device=f"template backend (NumPy {np.__version__}, host memory)")

    def compile(self, program: Program, options: CompileOptions | None = None) -> bytes:
        """The artifact: the program and options as bytes (what a code generator would return as machine code)."""
        options = options or CompileOptions()
        if options.lane_order != "ascending":
            raise ValueError(f"the template backend runs lanes in ascending order only, not {options.lane_order!r}")
        return pickle.dumps(REFERENCE.compile(program, options), protocol=pickle.HIGHEST_PROTOCOL)

    def load(self, artifact: bytes):
        """Launch primitives for an artifact (fresh from ``compile`` or read back from the fastcache)."""
        return REFERENCE.load(pickle.loads(artifact))

    def allocate(self, dtype: DataType, shape: tuple[int, ...]) -> DeviceBuffer:
        return allocate(dtype, shape)

    def wrap_numpy(self, array: np.ndarray) -> DeviceBuffer:
        """Upload a NumPy array passed to a kernel; ``sync_back`` copies the kernel's writes back after the launch."""
        dtype = from_numpy_dtype(array.dtype)
        if dtype is None or dtype not in _DTYPES:
            raise TypeError(f"the template backend has no element type for NumPy dtype {array.dtype}")
        return upload(dtype, array)

    def sync_back(self, wrapped: DeviceBuffer, array: np.ndarray) -> None:
        if array.flags.writeable:
            array[...] = wrapped.array


BACKEND = TemplateBackend()
