"""Members of compound arguments at launch time: specialization-key components and flat launch values.

The compiler records, per kernel parameter and class, which member paths a kernel reads and what it found there
(``ctx.member_reads``). Each call walks only those paths (pruning: unread members cost nothing), so the key and the
launch values follow rebinds without recompiling and change exactly when docs/semantics.md §19 says they must.
"""

from __future__ import annotations

import numpy as np

from quadrants.errors import QuadrantsRuntimeError, QuadrantsRuntimeTypeError
from quadrants.frontend.host_values import describe_array, primitive_key
from quadrants.ir import nodes as ir
from quadrants.runtime.args import _wrap
from quadrants.runtime.ndarray import Ndarray
from quadrants.runtime.random_state import random_state_storage
from quadrants.runtime.simt_scratch import scratch_storage

__all__ = ["resolve_path", "member_key", "source_value", "scalar_member"]


def resolve_path(obj, path: tuple):
    """``obj.a.b`` for ``path == ("a", "b")``; a deleted member raises ``AttributeError``.

    A tuple in the path indexes a vector/matrix component (a leaf of a struct argument: ``("v", (1,))``).
    """
    for attr in path:
        obj = obj[attr] if isinstance(attr, tuple) else getattr(obj, attr)
    return obj.item() if isinstance(obj, np.generic) else obj


def member_key(obj, reads: dict) -> tuple:
    """The key component of the read members of ``obj`` (sorted by path, so it is deterministic)."""
    out = []
    for path, what in sorted(reads.items()):
        value = resolve_path(obj, path)
        kind = what[0]
        if kind == "nd":
            out.append((path, "nd", *_array_key(value, describe_array)))
        elif kind == "field":
            out.append((path, "field", id(value)))
        elif kind == "value":
            out.append((path, "value", primitive_key(value)))
        else:  # a run-time scalar member: its type was fixed at the first compile
            out.append((path, "scalar", what[1]))
    return tuple(out)


def _array_key(value, describe_array):
    try:
        dtype, ndim, elem = describe_array(value)
    except TypeError:
        return ("not-an-array", type(value).__name__)
    return (repr(dtype), ndim, elem)


def source_value(source: tuple, bound: list, session, spec, numpy_syncs: list):
    """The launch value of one flat argument (see ``CompileCtx.arg_sources``)."""
    kind = source[0]
    if kind == "param":
        return bound[source[1]].value
    if kind == "field":
        return source[1].storage()
    if kind == "random_state":
        return random_state_storage(session)
    if kind == "simt_scratch":
        return scratch_storage(session, source, spec.dtype)
    if kind == "companion":  # x.grad / x.dual of an ndarray parameter read in kernel code (frontend/exprs.py)
        return _companion_storage(bound[source[1]], source[2])
    obj = resolve_path(bound[source[1]].value, source[2])
    if isinstance(spec, ir.NdarrayArg):
        if isinstance(obj, Ndarray):
            return obj.storage()
        wrapped = session.backend.wrap_numpy(obj)
        numpy_syncs.append((wrapped, obj))
        return wrapped
    return scalar_member(obj, spec, source[2])


def _companion_storage(bound, attr: str):
    companion = getattr(bound.host, attr, None)
    if companion is None:
        raise QuadrantsRuntimeError(
            f"the kernel reads .{attr} of an ndarray argument that has none: allocate it with "
            f"qd.ndarray(..., needs_{attr}=True)"
        )
    return companion.storage()


def scalar_member(value, spec, path):
    """The launch value of a run-time scalar member (``template_primitives=False``), checked against its dtype."""
    dtype = spec.dtype
    if isinstance(value, bool):
        value = int(value)
    if dtype.is_float:
        if not isinstance(value, (int, float)):
            raise QuadrantsRuntimeTypeError(f"member '{'.'.join(path)}' must be a number, got {type(value).__name__}")
        return float(value)
    if isinstance(value, float):
        raise TypeError(
            f"Primitive member '{path[-1]}' of a @qd.data_oriented(template_primitives=False) object was lifted as an "
            f"integer kernel argument ({dtype}), but is now a float ({value!r}); coercing it would truncate. Keep the "
            "member's type stable across launches, or use the default template_primitives=True"
        )
    if not isinstance(value, int):
        raise QuadrantsRuntimeTypeError(f"member '{'.'.join(path)}' must be an int, got {type(value).__name__}")
    return _wrap(value, dtype)
