"""The one place a CUDA driver status becomes a Python exception (``driver.check`` and the stream code use it; a
module of its own so that neither imports the other)."""

from __future__ import annotations

__all__ = ["raise_for"]


def raise_for(cu, err, call: str) -> None:
    """Raise ``RuntimeError`` naming ``call`` and the driver's name and text for status ``err`` (non-zero)."""
    _, name = cu.cuGetErrorName(err)
    _, text = cu.cuGetErrorString(err)
    raise RuntimeError(f"{call} failed: {name.decode() if name else err}: {text.decode() if text else ''}")
