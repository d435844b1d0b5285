"""``qd.types.buffer_view_type``: upstream's module of ``BufferViewType``, the annotation ``qd.BufferView[dtype]``
builds; the class lives in :mod:`quadrants.frontend.buffer_views` (docs/buffer-views.md)."""

from __future__ import annotations

from quadrants.frontend.buffer_views import BufferViewType

__all__ = ["BufferViewType"]
