"""The one tolerance table of the conformance suite.

A case names a row with ``@case(tol="...")``; the row applies to every float observable of the case (integers and
bools always compare exactly). A float element of the backend run ``b`` matches the reference element ``r`` when

* both are NaN (any payload, any sign: NaNs compare by class), or
* both are not NaN and ``ulp_distance(r, b) <= ulps[dtype]``, or
* ``|r - b| <= atol[dtype] + rtol[dtype] * |r|`` (only for rows that give ``rtol``/``atol``).

``+0.0`` and ``-0.0`` are at ULP distance 0, so every row treats them as equal except ``"bitwise"``, where a case
opts in to checking the sign of zero (``@case(tol="bitwise")``). Rows with ``nonfinite_unspecified`` skip elements
whose reference value is NaN or ±Inf (``fast_math=True``: docs/semantics.md §4.4).

Budgets are per result dtype. Why these numbers:

* ``transcendental``: sin/cos/tan/exp/log/tanh/atan2/... CUDA libdevice documents ≤ 2 ULP for most single precision
  functions (``tanf``/``atan2f`` 3–4); WGSL only promises absolute error for sin/cos near 0, so an absolute floor of
  two ULPs-at-1 keeps results that cancel to near zero (``sin(pi)``) from failing on ULP distance alone.
* ``pow``: ``**`` with a float operand; GPUs compute it as ``exp2(y * log2(x))``, which loses a few more ULPs.
* ``reduction``: float sums whose order is unspecified (atomic adds in a parallel loop); relative tolerance.
* ``fast_math``: value-changing rewrites allowed (contraction, reassociation, approximate functions).
* ``simulation``: whole time-stepped programs (``quadrants_conformance.programs``) whose float sums run in an
  unspecified order (atomic scatters, parallel reductions) or that call transcendentals: a rounding difference of one
  ULP in one step is amplified by the dynamics over the few steps a case runs. The cases keep their observables of
  order one, so the absolute floor (1e-4 for f32) is a fraction of the observables' scale, not of each element's.

Only the rows above give budgets: ``+ - * /``, ``sqrt``, rounding functions and conversions are exact on every backend.
The reference side of every comparison is host-independent (f16/f32 transcendentals and ``**`` are evaluated in f64
and rounded once by ``quadrants.ir.numerics``; NumPy's f32 SIMD loops differ with and without AVX-512), so a budget
never has to absorb the reference's own variation between machines.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

__all__ = ["Tolerance", "TOLERANCES", "FLOAT_DTYPES", "lookup"]

FLOAT_DTYPES = ("f16", "f32", "f64")


def _per_dtype(f16: float, f32: float, f64: float) -> Mapping[str, float]:
    return MappingProxyType({"f16": f16, "f32": f32, "f64": f64})


_ZERO = _per_dtype(0, 0, 0)
# Two units in the last place of 1.0 (2 * machine epsilon) per dtype: the absolute floor of approximate rows.
_TWO_ULP_AT_ONE = _per_dtype(2.0**-9, 2.0**-22, 2.0**-51)


@dataclass(frozen=True)
class Tolerance:
    """One row of the tolerance table: budgets per float dtype name (``"f16"``, ``"f32"``, ``"f64"``)."""

    name: str
    ulps: Mapping[str, float] = field(default_factory=lambda: _ZERO)
    rtol: Mapping[str, float] = field(default_factory=lambda: _ZERO)
    atol: Mapping[str, float] = field(default_factory=lambda: _ZERO)
    signed_zeros: bool = False
    nonfinite_unspecified: bool = False

    @property
    def exact(self) -> bool:
        """True when the row allows no difference at all (beyond NaN classes and, maybe, the sign of zero)."""
        return not any(self.ulps.values()) and not any(self.rtol.values()) and not any(self.atol.values())

    def describe(self, dtype: str) -> str:
        """A short text of the budget for ``dtype``, for failure messages."""
        if self.exact:
            return f"{self.name} (exact{', sign of zero checked' if self.signed_zeros else ''})"
        parts = [f"{self.ulps.get(dtype, 0):g} ulp"]
        if self.rtol.get(dtype, 0) or self.atol.get(dtype, 0):
            parts.append(f"rtol={self.rtol.get(dtype, 0):g} atol={self.atol.get(dtype, 0):g}")
        return f"{self.name} ({', '.join(parts)} for {dtype})"


TOLERANCES: Mapping[str, Tolerance] = MappingProxyType(
    {
        "exact": Tolerance("exact"),
        "bitwise": Tolerance("bitwise", signed_zeros=True),
        "transcendental": Tolerance("transcendental", ulps=_per_dtype(2, 4, 4), atol=_TWO_ULP_AT_ONE),
        "pow": Tolerance("pow", ulps=_per_dtype(2, 8, 8), atol=_TWO_ULP_AT_ONE),
        "reduction": Tolerance(
            "reduction", ulps=_per_dtype(2, 4, 4), rtol=_per_dtype(1e-2, 1e-5, 1e-12), atol=_TWO_ULP_AT_ONE
        ),
        "simulation": Tolerance(
            "simulation",
            ulps=_per_dtype(4, 16, 16),
            rtol=_per_dtype(1e-1, 1e-3, 1e-9),
            atol=_per_dtype(1e-2, 1e-4, 1e-10),
        ),
        "fast_math": Tolerance(
            "fast_math",
            ulps=_per_dtype(4, 16, 16),
            rtol=_per_dtype(1e-2, 1e-4, 1e-10),
            atol=_per_dtype(2.0**-8, 2.0**-20, 2.0**-48),
            nonfinite_unspecified=True,
        ),
    }
)


def lookup(name: str) -> Tolerance:
    """The row called ``name``; an unknown name is a bug in the case, reported with the known names."""
    try:
        return TOLERANCES[name]
    except KeyError:
        raise KeyError(f"unknown tolerance row {name!r}; known rows: {', '.join(TOLERANCES)}") from None
