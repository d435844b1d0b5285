"""Compatibility module: upstream's ``quadrants.lang.stream`` (streams, events, ``stream_parallel``); the names live in
:mod:`quadrants.runtime.streams` and :mod:`quadrants.frontend.parallel_blocks` (docs/streams.md)."""

from __future__ import annotations

from quadrants.frontend.parallel_blocks import stream_parallel
from quadrants.runtime.streams import Event, Stream, create_event, create_stream

__all__ = ["Stream", "Event", "create_stream", "create_event", "stream_parallel"]
