"""``qd.profiler.kernel_metrics``: upstream's CUPTI hardware counters. Not collected here (docs/profiler.md): the
functions accept their arguments and the metric lists are empty."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CuptiMetric", "default_cupti_metrics", "get_predefined_cupti_metrics"]


@dataclass(frozen=True)
class CuptiMetric:
    """A CUPTI metric description (name, header, format, scale), as upstream defines it."""

    name: str = ""
    header: str = ""
    val_format: str = "{:8.0f}"
    scale: float = 1.0


default_cupti_metrics: list = []


def get_predefined_cupti_metrics(name: str = "") -> list:
    """Upstream's predefined CUPTI metric sets; hardware counters are not collected here, so: ``[]``."""
    return []
