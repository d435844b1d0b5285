"""Compatibility module: upstream's ``quadrants.lang._template_mapper`` (its kernel-argument mapper).

Nothing here maps arguments (the launcher does, runtime/args.py); the module exists because programs reach it by
name: Genesis writes ``qd.lang._template_mapper.__builtins__["__debug__"]``, which is this module's builtins.
"""

from __future__ import annotations

__all__: list[str] = []
