"""Native 64-bit integer helpers (``shader-int64``): the WGSL ``i64``/``u64`` counterparts of the 32-bit ones.

With the feature, i64/u64 values are native and ``+ - * & | ^ ~ << >>``, comparisons and 64→32-bit truncation are
plain WGSL. What needs a helper is what needs one at 32 bits too: division and modulo (floor semantics, zero divisors,
signed operands on unsigned magnitudes — :mod:`.library`'s templates instantiated for ``i64``/``u64``), integer
``pow``, and the saturating float → int conversions. Bit counts (``countLeadingZeros`` & co.) are not used on 64-bit
operands: naga 29 panics on ``countLeadingZeros(i64)`` while writing SPIR-V (taking the whole process down) and
lavapipe gave ``countTrailingZeros(i64) == 64`` for an odd value; the emitter counts the two 32-bit halves instead.
"""

from __future__ import annotations

from quadrants_wgpu.wgsl.library import register, register_int_helpers

__all__ = ["INT64_HELPERS"]

register_int_helpers("i64", "u64", "li", "lu")

_SOURCES: list[tuple[str, str, tuple[str, ...]]] = [
    (
        "qd_f32_to_i64",
        """
fn qd_f32_to_i64(x: f32) -> i64 {
  // truncate, saturate, NaN -> 0 (SEMANTICS §5)
  if (qd_isnan_f32(x)) { return 0li; }
  if (x >= 9223372036854775808.0f) { return 9223372036854775807li; }
  if (x <= -9223372036854775808.0f) { return bitcast<i64>(0x8000000000000000lu); }
  return i64(x);
}""",
        ("qd_isnan_f32",),
    ),
    (
        "qd_f32_to_u64",
        """
fn qd_f32_to_u64(x: f32) -> u64 {
  if (!(x > -1.0f)) { return 0lu; }  // also NaN
  if (x >= 18446744073709551616.0f) { return 0xfffffffffffffffflu; }
  return u64(x);
}""",
        (),
    ),
]

for _name, _src, _deps in _SOURCES:
    register(_name, _src, _deps)

INT64_HELPERS: tuple[str, ...] = tuple(name for name, _, _ in _SOURCES)
