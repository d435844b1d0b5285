"""``qd.sparse``: upstream's sparse-grid helpers, ``grid(fields, shape)`` (a struct field placed on a ``bitmasked``
SNode) and ``usage(grid)`` (the fraction of active cells). Sparse SNodes are out of scope for this implementation
(docs/snodes.md), so both raise ``NotImplementedError`` naming what they need; the module exists so that programs and
tests that only mention ``qd.sparse`` still import."""

__all__ = ["grid", "usage"]

_WHY = "sparse SNodes (bitmasked) are out of scope for this implementation; use a dense qd.Struct.field instead"


def grid(field_dict, shape):
    """Upstream: a 2-D/3-D struct field on a ``bitmasked`` SNode. Raises ``NotImplementedError`` here."""
    raise NotImplementedError(f"qd.sparse.grid: {_WHY}")


def usage(x):
    """Upstream: the fraction of active cells of a sparse grid. Raises ``NotImplementedError`` here."""
    raise NotImplementedError(f"qd.sparse.usage: {_WHY}")
