"""Public constants of fastcache (SEMANTICS.md §18.4) that user code imports by this path (upstream compatible)."""

from __future__ import annotations

__all__ = ["FIELD_METADATA_CACHE_VALUE"]

# ``dataclasses.field(metadata={FIELD_METADATA_CACHE_VALUE: True})``: the member stays a run-time scalar, but its
# value is added to the fastcache key (the specialization key is unaffected).
FIELD_METADATA_CACHE_VALUE = "add_value_to_cache_key"
