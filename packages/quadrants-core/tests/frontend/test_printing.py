"""print, f-strings and str.format in kernel code lower to one Print with a printf spec per value
(frontend/printing.py)."""

from __future__ import annotations

import numpy as np
import pytest

import quadrants as qd
from quadrants.ir import nodes as N
from quadrants.ir.walk import iter_stmts, iter_tasks

I1 = qd.types.NDArray[qd.i32, 1]
F1 = qd.types.NDArray[qd.f32, 1]


def _prints(program) -> list[N.Print]:
    return [s for t in iter_tasks(program.items) for s in iter_stmts(t.body) if isinstance(s, N.Print)]


def _shape(p: N.Print) -> list:
    return [part if isinstance(part, str) else part.dtype.name for part in p.parts]


def test_plain_print_joins_arguments_with_spaces_and_uses_dtype_defaults(lower):
    @qd.kernel
    def k(x: I1, f: F1):
        print("a =", x[0], f[0], 1.5, True)

    (p,) = _prints(lower(k, np.zeros(1, np.int32), np.zeros(1, np.float32)))
    assert _shape(p) == ["a = ", "i32", " ", "f32", " ", "f32", " ", p.parts[-1].dtype.name]
    assert p.specs[:3] == ("%d", "%f", "%f") and p.sep == "" and p.end == "\n"


def test_fstring_and_format_fields_carry_merged_specs(lower):
    @qd.kernel
    def k(x: I1, f: F1):
        print(f"x={x[0]:.3d} f={f[0]:e} {True} {1.25}", "{1:.2} {0}".format(x[0], f[0]), sep="|", end="")  # noqa: UP030, UP032 (kernel code under test)

    (p,) = _prints(lower(k, np.zeros(1, np.int32), np.zeros(1, np.float32)))
    assert _shape(p) == ["x=", "i32", " f=", "f32", " True 1.25|", "f32", " ", "i32"]
    assert p.specs == ("%.3d", "%e", "%.2f", "%d") and p.end == ""


def test_vectors_and_lists_print_in_brackets(lower):
    @qd.kernel
    def k(f: F1):
        m = qd.Matrix([[f[0], 2.0], [3.0, 4.0]])
        print(m, [1, (2, 3)], ())

    (p,) = _prints(lower(k, np.zeros(1, np.float32), optimize=False))
    text = "".join(part if isinstance(part, str) else "#" for part in p.parts)
    assert text == "[[#, #], [#, #]] [#, [#, #]] []"


def test_compile_time_fields_format_at_compile_time(lower):
    @qd.kernel
    def k(x: I1):
        print("{} {:.1} {name:>4}".format(2.5, 3, name="ab"), f"{7:03d}")

    (p,) = _prints(lower(k, np.zeros(1, np.int32)))
    assert p.parts == ("2.5 3   ab 007",)  # {:.1} on an int is printf's %.1d; '>4' is Python's


def _kernels():
    @qd.kernel
    def float_spec_on_int(x: I1):
        print(f"{x[0]:.2f}")

    @qd.kernel
    def hex_on_signed(x: I1):
        print("{:x}".format(x[0]))  # noqa: UP032 (kernel code under test)

    @qd.kernel
    def string_conversion(x: I1):
        print(f"{x[0]:s}")

    @qd.kernel
    def python_spec(x: I1):
        print(f"{x[0]:<5}")

    @qd.kernel
    def too_few(x: I1):
        print("{0} {1}".format(x[0]))  # noqa: F524, UP030 (kernel code under test)

    @qd.kernel
    def keyword_missing(x: I1):
        print("{k}".format())  # noqa: F524 (kernel code under test)

    @qd.kernel
    def keyword_unused(x: I1):
        print("".format(k=x[0]))  # noqa: F522, UP032 (kernel code under test)

    @qd.kernel
    def file_option(x: I1):
        print(x[0], file=None)

    @qd.kernel
    def runtime_sep(x: I1):
        print(x[0], sep=x[0])

    return [
        (float_spec_on_int, qd.QuadrantsTypeError, "'.2f' doesn't match 'i32'."),
        (hex_on_signed, qd.QuadrantsTypeError, "'x' doesn't match 'i32'."),
        (string_conversion, qd.QuadrantsTypeError, "conversion 's' is not supported."),
        (python_spec, qd.QuadrantsSyntaxError, "<5 is not a valid printf specifier."),
        (too_few, qd.QuadrantsSyntaxError, r"Expected 2 positional argument\(s\), but received 1 instead."),
        (keyword_missing, qd.QuadrantsSyntaxError, "Keyword 'k' not found."),
        (keyword_unused, qd.QuadrantsSyntaxError, "Keyword 'k' not used."),
        (file_option, qd.QuadrantsSyntaxError, "takes only sep= and end="),
        (runtime_sep, qd.QuadrantsSyntaxError, "sep= must be a compile-time string"),
    ]


@pytest.mark.parametrize("index", range(9))
def test_format_errors_name_the_spec_and_dtype(lower, index):
    kernel, cls, message = _kernels()[index]
    with pytest.raises(cls, match=message) as info:
        lower(kernel, np.zeros(1, np.int32))
    assert info.value.loc is not None  # located at the user's print
