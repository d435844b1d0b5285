"""Upstream-shaped adapters over this implementation, for the compatibility modules.

Programs and tests written for upstream Quadrants import a few of its internal paths (``quadrants.lang.impl``,
``quadrants.lang.misc``, ``quadrants.lang._fast_caching.args_hasher``, …). Those paths exist here as thin
compatibility modules (docs/upstream-compatibility.md lists them) that only re-export names. Where upstream's name
is an object with no direct counterpart here — the runtime handle ``impl.get_runtime()``, the fastcache hashers'
function signatures — the adapter lives in this package, written over the project's own runtime and fastcache: it
adds no behaviour of its own, and nothing in the project imports it except the compatibility modules.
"""
