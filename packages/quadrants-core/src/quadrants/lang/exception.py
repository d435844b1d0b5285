"""Compatibility module: upstream's ``quadrants.lang.exception``; every class is the one in :mod:`quadrants.errors`."""

from __future__ import annotations

from quadrants.errors import (
    QuadrantsAssertionError,
    QuadrantsCompilationError,
    QuadrantsIndexError,
    QuadrantsNameError,
    QuadrantsRuntimeError,
    QuadrantsRuntimeTypeError,
    QuadrantsSyntaxError,
    QuadrantsTypeError,
)

__all__ = [
    "QuadrantsCompilationError",
    "QuadrantsSyntaxError",
    "QuadrantsNameError",
    "QuadrantsIndexError",
    "QuadrantsTypeError",
    "QuadrantsRuntimeError",
    "QuadrantsAssertionError",
    "QuadrantsRuntimeTypeError",
]
