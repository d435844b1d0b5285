"""One kernel argument after conversion (the record every parameter converter returns; see ``runtime/args.py``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from quadrants.ir import nodes as ir

__all__ = ["Bound"]


@dataclass
class Bound:
    """One argument after conversion: key component, flat arg spec (None for templates) and launch value."""

    key: Any
    spec: ir.ArgSpec | None
    value: Any
    numpy_array: np.ndarray | None = None  # a NumPy array passed directly: written back after the launch
    element_shape: tuple[int, ...] = ()
    struct: bool = False  # a data_oriented object or dataclass instance: members extend the key
    after: Any = None  # called after the launch (copies a host copy of a torch tensor back into it)
    read_only: bool = False  # a NumPy array with flags.writeable False: a kernel that writes it is refused
    host: Any = None  # the qd.ndarray itself (kernels that read x.grad reach its gradient through it)
