"""The Quadrants conformance suite: a pytest plugin, the case vocabulary and the comparison rules."""

from quadrants_conformance.case import REGISTRY, Case, case

__all__ = ["case", "Case", "REGISTRY"]
