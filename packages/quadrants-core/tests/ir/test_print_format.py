"""Kernel print text: printf specs merged with each dtype's default and rendered on the host (ir/print_format.py)."""

from __future__ import annotations

import pytest

from quadrants.ir import dtypes as T, nodes as N
from quadrants.ir.print_format import PrintLayout, PrintSpecError, default_spec, format_value, merge_spec


@pytest.mark.parametrize(
    ("dtype", "spec"),
    [
        (T.i32, "%d"),
        (T.i8, "%d"),
        (T.u1, "%d"),
        (T.u8, "%u"),
        (T.u64, "%u"),
        (T.f16, "%f"),
        (T.f32, "%f"),
        (T.f64, "%.12f"),
    ],
)
def test_default_specs(dtype, spec):
    assert default_spec(dtype) == spec


@pytest.mark.parametrize(
    ("user", "dtype", "merged"),
    [
        (None, T.f32, "%f"),
        (".2f", T.f32, "%.2f"),
        (".2", T.f32, "%.2f"),  # no conversion: the dtype's
        ("e", T.f64, "%.12e"),  # no precision: the dtype's (f64 prints 12 digits)
        ("-+10lf", T.f64, "%-+10.12f"),  # the length modifier is the dtype's, not the user's
        (".10d", T.i32, "%.10d"),
        ("x", T.u32, "%x"),  # a conversion of the dtype's group is kept
        ("#o", T.u8, "%#o"),
        ("", T.i64, "%d"),
        ("%5", T.i32, "%5d"),
    ],
)
def test_merge_keeps_the_users_flags_width_precision_and_conversion(user, dtype, merged):
    assert merge_spec(user, dtype) == merged


@pytest.mark.parametrize(
    ("user", "dtype", "message", "kind"),
    [
        (".2d", T.f32, "'.2d' doesn't match 'f32'.", "type"),
        ("e", T.i32, "'e' doesn't match 'i32'.", "type"),
        ("x", T.i32, "'x' doesn't match 'i32'.", "type"),  # hex is for unsigned types
        ("d", T.u32, "'d' doesn't match 'u32'.", "type"),
        ("s", T.i32, "conversion 's' is not supported.", "type"),
        ("<5", T.i32, "<5 is not a valid printf specifier.", "syntax"),
        ("*d", T.i32, "The *d printf specifier is not supported", "syntax"),
    ],
)
def test_specs_that_cannot_print_the_dtype(user, dtype, message, kind):
    with pytest.raises(PrintSpecError) as info:
        merge_spec(user, dtype)
    assert str(info.value) == message and info.value.kind == kind


@pytest.mark.parametrize(
    ("spec", "value", "dtype", "text"),
    [
        ("%f", 233.3000030517578, T.f32, "233.300003"),
        ("%.12f", 0.1, T.f64, "0.100000000000"),
        ("%.10d", 3, T.i32, "0000000003"),
        ("%5.3d", -5, T.i32, " -005"),
        ("%e", -0.004286326, T.f32, "-4.286326e-03"),
        ("%#.3g", 2.5, T.f32, "2.50"),
        ("%.0f", 2.5, T.f32, "2"),  # round half to even, as C
        ("%#o", 7, T.u8, "07"),  # C's alternate octal form, not Python's 0o7
        ("%#x", 7, T.u8, "0x7"),
        ("%u", 2**64 - 1, T.u64, "18446744073709551615"),
        ("%a", 2.5, T.f32, "0x1.4p+1"),
        ("%.12A", 3.25, T.f64, "0X1.A00000000000P+1"),
        ("%.3a", 2.5, T.f32, "0x1.400p+1"),
        ("%.1a", 1.97, T.f64, "0x2.0p+0"),
        ("%a", 0.0, T.f32, "0x0p+0"),
        ("%d", True, T.u1, "1"),
    ],
)
def test_values_render_as_c_printf(spec, value, dtype, text):
    assert format_value(spec, value, dtype) == text


def test_layout_joins_parts_with_sep_and_appends_end():
    x, y = N.Const(1, T.i32), N.Const(0.5, T.f32)
    assert PrintLayout.of(N.Print(("a =", x, y))).render([7, 0.25]) == "a = 7 0.250000\n"
    layout = PrintLayout.of(N.Print(("<", x, "|", y, ">"), specs=("%03d", "%.1e"), sep="", end=""))
    assert layout.dtypes == (T.i32, T.f32)
    assert layout.render([7, 0.25]) == "<007|2.5e-01>"
