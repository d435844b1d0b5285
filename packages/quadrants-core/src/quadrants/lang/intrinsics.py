"""Compatibility module: upstream's ``quadrants.lang.intrinsics`` (``clock_counter``, ``clock_freq_hz``); forwards to
:mod:`quadrants.frontend.misc_api` and :mod:`quadrants.runtime.device_clock`."""

from __future__ import annotations

from quadrants.frontend.misc_api import clock_counter
from quadrants.runtime.device_clock import clock_freq_hz

__all__ = ["clock_counter", "clock_freq_hz"]
