"""Compatibility module: upstream's ``quadrants.lang._wrap_inspect`` (function source locations); forwards to
:mod:`quadrants.compat.source_hashing`, which reads sources with fastcache's block reader."""

from __future__ import annotations

from quadrants.compat.source_hashing import (
    FunctionSourceInfo,
    get_source_info_and_src,
    getsourcefile,
    getsourcelines,
)

__all__ = ["FunctionSourceInfo", "get_source_info_and_src", "getsourcefile", "getsourcelines"]
