"""Fastcache keys (docs/semantics.md §18.3): content hashes, never line numbers.

* **L1 key** = hash(``"l1"``, schema, Quadrants version, backend identity, compile config, kernel module, qualname,
  absolute source path, hash of the kernel's full decorated block). It names the entry holding the kernel's
  read-path set, the records of every function it reached and its do_while level table.
* **L2 key** = hash(``"l2"``, L1 key, narrow-args hash, schema). It names the entry of one compiled
  specialization; the narrow-args hash (:mod:`quadrants.fastcache.narrow`) covers only paths in the L1 set.

The backend identity is ``backend.cache_identity()`` when the backend offers it (toolchain versions and a hash of
the device capabilities), else its id plus a hash of its declared capabilities and its ``probe().device`` text.

Compile config: every ``qd.init`` option that can change what a compiled specialization does. That is
``CompileOptions`` in full — ``debug``, ``fast_math`` **and** ``lane_order`` / ``seed``: lane order only changes the
reference interpreter's execution, but its artifact bakes the options in, so a cached ``ref`` artifact compiled for
``ascending`` must not serve a ``shuffled`` session (on other backends the extra key bits only cost a recompile) —
plus ``default_ip`` / ``default_fp`` and the upstream-compatibility options such as ``opt_level`` when they differ
from their default. Excluded: the options :data:`quadrants.init_options.UNKEYED` lists (cache location and switches,
printing, logging, process-local runtime handles).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json

from quadrants.init_options import OPTIONS, UNKEYED

__all__ = ["SCHEMA_VERSION", "digest", "backend_identity", "compile_config", "l1_key", "l2_key"]

# Bump on any change of the entry/artifact format or of the key derivation: old entries are then never read.
SCHEMA_VERSION = "qd-fastcache-4"


def digest(parts) -> str:
    """sha256 of the canonical JSON of ``parts`` (lists, strings, numbers, bools, None)."""
    text = json.dumps(parts, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode()).hexdigest()


def backend_identity(backend) -> str:
    """``backend.cache_identity()`` if the backend offers it, else its id plus a hash of what it declares about itself.

    The default hashes the declared capabilities and the ``probe().device`` text, which names the toolchain and the
    device (``NumPy 2.4.6 reference interpreter``; ``znver3 (x86_64-unknown-linux-gnu), … LLVM 22.1.0``), so a cache
    directory shared between machines or toolchain versions does not serve one's artifacts to the other.
    """
    ident = getattr(backend, "cache_identity", None)
    if callable(ident):
        return f"{backend.id}:{ident()}"
    described = []
    caps = getattr(backend, "capabilities", None)
    if caps is not None:
        described += [
            sorted(t.name for t in caps.dtypes),
            sorted(t.name for t in caps.atomic_dtypes),
            sorted(caps.features),
            caps.max_ndim,
        ]
    probe = getattr(backend, "probe", None)
    if callable(probe):
        try:
            described.append(probe().device or "")
        except Exception:  # a probe that fails now cannot have produced artifacts either
            described.append("probe failed")
    return f"{backend.id}:{digest(described)[:16]}" if described else backend.id


def compile_config(session) -> dict:
    """The compile-relevant options of ``session`` as a JSON-able dict (see module docstring)."""
    config = dataclasses.asdict(session.options)
    config["default_ip"] = session.default_ip.name
    config["default_fp"] = session.default_fp.name
    for name, value in sorted(session.extra.items()):
        option = OPTIONS.get(name)
        if name in UNKEYED or (option is not None and value == option.default):
            continue  # a default given explicitly keys like an omitted one
        config[f"init.{name}"] = repr(value)
    return config


def l1_key(session, module: str, qualname: str, path: str, source_hash: str, version: str, identity: str) -> str:
    """The L1 key of a kernel in ``session`` (see module docstring)."""
    return digest(
        ["l1", SCHEMA_VERSION, version, identity, compile_config(session), module, qualname, path, source_hash]
    )


def l2_key(l1: str, narrow: str) -> str:
    """The L2 key of one specialization."""
    return digest(["l2", l1, narrow, SCHEMA_VERSION])
