"""Compatibility module: upstream's ``quadrants.lang.runtime_ops`` (``sync``); forwards to
:mod:`quadrants.runtime.state`."""

from __future__ import annotations

from quadrants.runtime.state import sync

__all__ = ["sync"]
