"""Vector swizzles (``v.x``, ``v.xy``, ``v.zyx``, ``v.rgb``, ``v.stp``, ``v.xyzw``), as in GLSL.

A swizzle is one to four letters of one group: ``xyzw``, ``rgba`` or ``stpq`` (letters may repeat: ``v.xx``). One
letter reads a component, several build a new vector. Assigning to a swizzle (``v.xy = w``) writes the named
components in order, so with a repeated letter the last write wins (``frontend/matrix_stores.py``).
"""

from __future__ import annotations

from quadrants.errors import QuadrantsIndexError, QuadrantsSyntaxError
from quadrants.frontend.values import MatrixValue

__all__ = ["GROUPS", "swizzle_indices", "read_swizzle"]

GROUPS = ("xyzw", "rgba", "stpq")
_MAX_LENGTH = 4


def _group(name: str) -> str | None:
    if not 1 <= len(name) <= _MAX_LENGTH:
        return None
    return next((g for g in GROUPS if all(c in g for c in name)), None)


def swizzle_indices(ctx, node, shape: tuple, name: str) -> list[int] | None:
    """Component indices named by swizzle ``name`` for a value of ``shape``; ``None`` if ``name`` is no swizzle."""
    group = _group(name)
    if group is None:
        return None
    if len(shape) != 1:
        raise QuadrantsIndexError(
            f"swizzle '.{name}' needs a vector; a matrix of shape {shape} is indexed m[i, j] (Expected 2 indices, "
            "got 1)",
            ctx.loc(node),
        )
    n = shape[0]
    valid = set(group[:n])
    if not set(name) <= valid:
        raise QuadrantsSyntaxError(
            f"vec{n} only has attributes={tuple(sorted(valid))}, got={tuple(name)}", ctx.loc(node)
        )
    return [group.index(c) for c in name]


def read_swizzle(ctx, node, m: MatrixValue, name: str):
    """``v.x`` (a scalar) or ``v.zyx`` (a vector); ``None`` when ``name`` is not a swizzle."""
    indices = swizzle_indices(ctx, node, m.shape, name)
    if indices is None:
        return None
    if len(indices) == 1:
        return m.items[indices[0]]
    return MatrixValue(tuple(m.items[i] for i in indices), (len(indices),))
