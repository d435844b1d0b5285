"""The purity check of fastcache kernels (docs/semantics.md §18.2): a pure function over the frontend's captured reads.

``ctx.global_reads`` lists ``(name, value, inside qd.static, SrcLoc)`` for every module-global or closure name that
the kernel and the funcs it reached looked up. A fastcache kernel promises that its result depends only on its
arguments and its source, so a captured *variable* breaks the promise:

==============================================  =========================================================
captured value                                  result
==============================================  =========================================================
a lowercase variable (number, array, field, …)  ``QuadrantsCompilationError("[PURE.VIOLATION] … Accessing
                                                global variable lower_const")``
an UPPERCASE variable, or an UPPERCASE         ``UserWarning("[PURE.VIOLATION] …")``, still cached unless
attribute of a captured object (``cfg.SIZE``)   it is a field (then fastcache is off for the kernel)
any variable inside ``qd.static(...)``          ``UserWarning`` only, still cached
``E.A`` (an enum member)                        allowed; ``E.A.value`` is a global access (error)
modules, functions, funcs, classes, dtypes      allowed (``math.pi``, ``qd.f32``, helper funcs)
==============================================  =========================================================
"""

from __future__ import annotations

import enum
import math
import re
import types
import warnings

import numpy as np

from quadrants.errors import QuadrantsCompilationError

__all__ = ["check_purity", "is_variable"]

# float constants imported by name (``from math import pi``) are the very objects of their modules
_CONSTANT_IDS = frozenset(id(v) for v in (math.pi, math.e, math.tau, math.inf, math.nan, np.pi, np.e, np.inf, np.nan))
_ENUM_VALUE = re.compile(r"\s*\.\s*[A-Za-z_]\w*\s*\.\s*(value|_value_)\b")
_ATTRIBUTES = re.compile(r"(?:\s*\.\s*[A-Za-z_]\w*)+")


def is_variable(value) -> bool:
    """True for captured *data* (numbers, arrays, fields, containers, objects); False for code-like values."""
    if getattr(value, "_is_quadrants_field", False) or _is_ndarray(value):
        return True
    if isinstance(value, (types.ModuleType, type, enum.Enum)) or callable(value):
        return False
    if isinstance(value, float) and id(value) in _CONSTANT_IDS:
        return False
    # annotation and type objects (qd.types.NDArray[...], vector types, …) are not data
    return not (type(value).__module__ or "").startswith("quadrants.")


def _is_ndarray(value) -> bool:
    from quadrants.frontend.host_values import is_ndarray

    return is_ndarray(value)


def _is_upper(name: str) -> bool:
    return name.isupper()


def _enum_value_access(value, loc) -> bool:
    """``E.A.value``: the source after the name reads a member's ``.value``."""
    if not (isinstance(value, type) and issubclass(value, enum.Enum)) or loc is None or not loc.text:
        return False
    return _ENUM_VALUE.match(loc.text, loc.end_col) is not None


def _attribute_read(name: str, loc) -> str:
    """``cfg.SIZE`` when the source reads an attribute chain of the captured ``name`` there, else ``name``."""
    if loc is None or not loc.text:
        return name
    chain = _ATTRIBUTES.match(loc.text, loc.end_col)
    return name + "".join(chain.group(0).split()) if chain else name


def check_purity(kernel_name: str, global_reads: list, warned: set) -> None:
    """Raise for forbidden captures, warn for tolerated ones (once per site in ``warned``).

    A tolerated field capture needs no flag here: every field a kernel uses becomes a ``("field", …)`` argument
    source, which the store step refuses to cache (docs/semantics.md §18.1).
    """
    for name, value, in_static, loc in global_reads:
        enum_value = _enum_value_access(value, loc)
        if not (enum_value or is_variable(value)):
            continue
        what = f"{name}.….value" if enum_value else _attribute_read(name, loc)
        if in_static:
            _warn(kernel_name, what, "inside qd.static(); its value is assumed never to change", loc, warned)
        elif _is_upper(what.rsplit(".", 1)[-1]) and not enum_value:  # as upstream: the name read last decides
            _warn(kernel_name, what, "an UPPERCASE global is assumed to be a constant", loc, warned)
        else:
            raise QuadrantsCompilationError(
                f"[PURE.VIOLATION] Kernel '{kernel_name}' is marked fastcache=True but reads global state. "
                f"Accessing global variable {what} is not allowed in a pure kernel; pass it as a parameter "
                "(a qd.template() for compile-time values), or name it in UPPERCASE if it is a true constant",
                loc,
            )


def _warn(kernel_name: str, what: str, why: str, loc, warned: set) -> None:
    message = f"[PURE.VIOLATION] Kernel '{kernel_name}' (fastcache=True) reads the global {what}: {why}"
    key = ("pure", loc.file, loc.line, loc.col, what) if loc is not None else ("pure", kernel_name, what)
    if key in warned:
        return
    warned.add(key)
    if loc is None:
        warnings.warn(message, UserWarning, stacklevel=2)
    else:
        warnings.warn_explicit(message, UserWarning, loc.file, loc.line)
