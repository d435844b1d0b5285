"""Fastcache: keys, storage and entries of the persistent kernel cache (docs/fastcache.md)."""
