"""Compatibility module: upstream's ``quadrants.lang.buffer_view`` (``BufferView``); forwards to
:mod:`quadrants.runtime.buffer_view` (docs/buffer-views.md)."""

from __future__ import annotations

from quadrants.runtime.buffer_view import BufferView

__all__ = ["BufferView"]
