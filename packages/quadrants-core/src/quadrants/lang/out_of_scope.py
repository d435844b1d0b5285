"""Upstream constructs that are out of scope (docs/semantics.md §1): using one raises ``NotImplementedError`` naming
it."""

from __future__ import annotations

__all__ = ["OUT_OF_SCOPE", "out_of_scope"]

# attribute of ``qd`` -> what it is, for the message
OUT_OF_SCOPE: dict[str, str] = {
    "stream_parallel": "streams (qd.stream_parallel)",
    "create_stream": "streams (qd.create_stream)",
    "sync_stream": "streams",
    "grad_replaced": "autodiff (qd.ad.grad_replaced)",
    "Tape": "autodiff (qd.ad.Tape)",
    "pointer": "sparse SNodes (pointer)",
    "bitmasked": "sparse SNodes (bitmasked)",
    "kernel_coverage": "kernel coverage",
}


def out_of_scope(name: str):
    """Raise the NotImplementedError for ``qd.<name>``, or AttributeError when the name is simply unknown."""
    if name in OUT_OF_SCOPE:
        raise NotImplementedError(f"qd.{name}: {OUT_OF_SCOPE[name]} is out of scope for this implementation")
    raise AttributeError(f"module 'quadrants' has no attribute '{name}'")
