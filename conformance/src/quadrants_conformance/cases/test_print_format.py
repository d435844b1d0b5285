"""Kernel print text as upstream writes it: printf defaults per dtype, f-string and str.format fields with printf
specs, sep=/end=, vectors, matrices and lists in brackets (docs/language.md, "Printing in kernels"). Every expected
text here is what upstream 1.3.3 prints on qd.cpu."""

import quadrants as qd
from quadrants_conformance import case

I32_1 = qd.types.NDArray[qd.i32, 1]


@case(section="13", requires=("print",), stdout="3 2.500000 200 1 -7 1.500000\n")
def print_uses_printf_defaults_per_dtype():
    @qd.kernel
    def k(a: qd.i32, f: qd.f32, u: qd.u8):
        print(a, f, u, f > 1.0, -7, 1.5)

    k(3, 2.5, 200)


@case(section="13", requires=("print", "f64"), stdout="0.100000000000 100000000000000000000.000000000000\n")
def print_f64_with_twelve_digits():
    @qd.kernel
    def k(d: qd.f64):
        print(d, d * 0.0 + qd.f64(1e20))

    k(0.1)


@case(
    section="13",
    requires=("print",),
    stdout="[   -5|2.50|2.500000e+00|ee6b2800|035632624000|-5|-005|2.5]\n",
)
def print_fstring_with_printf_specs():
    @qd.kernel
    def k(i: qd.i32, f: qd.f32, u: qd.u32):
        print(f"[{i:5d}|{f:.2f}|{f:e}|{u:x}|{u:#o}|{i:+d}|{i:.3d}|{f:g}]")

    k(-5, 2.5, 4000000000)


@case(section="13", requires=("print",), stdout="3 1 2 233.3 3 02 0000000003\n")
def print_str_format_positional_keyword_and_specs():
    @qd.kernel
    def k(x: qd.f32):
        print("{2} {} {1} {k:.1f}".format(1, 2, 3, k=x), "{0:d} {1:.2} {:.10}".format(3, 2))  # noqa: F525 (kernel code under test)

    k(233.3)


@case(section="13", requires=("print",), stdout="a,1b!\n  x-7-2.000000.\n")
def print_sep_and_end():
    @qd.kernel
    def k(a: qd.i32, f: qd.f32):
        print("a", a, sep=",", end="")
        print("b", end="!\n")
        print("  x", a * 7, f, sep="-", end=".\n")

    k(1, 2.0)


@case(
    section="13",
    requires=("print",),
    stdout="[[1, 2], [3, 4]] [0.500000, 1.500000] [7, [1, 2]] []\nv = [0.5, 1.5] m=[[  1,   2], [  3,   4]]\n",
)
def print_vectors_matrices_and_lists_in_brackets():
    @qd.kernel
    def k(a: qd.i32, f: qd.f32):
        m = qd.Matrix([[a, 2], [3, 4]])
        v = qd.Vector([f, f + 1.0])
        print(m, v, [a * 7, (1, 2)], ())
        print(f"{v = :.1f} m={m:3d}")

    k(1, 0.5)


@case(section="13", requires=("print",), stdout="i=5 f = 2.5 True 1.23 x\n")
def print_self_documenting_fields_and_compile_time_values():
    @qd.kernel
    def k(i: qd.i32, f: qd.f32):
        print(f"{i=} {f = :.1f} {True} {1.23} {'x'}")

    k(5, 2.5)


@case(section="13", requires=("print",), stdout="x[0] = 0000000007\nx[1] = 0000000008\n")
def print_formatted_fields_in_a_serialized_loop():
    @qd.kernel
    def k(x: I32_1):
        qd.loop_config(serialize=True)
        for i in range(x.shape[0]):
            print(f"x[{i}] = {x[i]:.10d}")

    x = qd.ndarray(qd.i32, shape=(2,))
    x.from_numpy(__import__("numpy").array([7, 8], dtype="int32"))
    k(x)


@case(section="13", requires=("print",), raises=(qd.QuadrantsTypeError, "'.2d' doesn't match 'f32'."))
def print_spec_of_the_wrong_type_is_a_type_error():
    @qd.kernel
    def k(f: qd.f32):
        print(f"{f:.2d}")

    k(1.0)


@case(section="13", requires=("print",), raises=(qd.QuadrantsTypeError, "'d' doesn't match 'u32'."))
def print_signed_conversion_of_an_unsigned_value_is_a_type_error():
    @qd.kernel
    def k(u: qd.u32):
        print("{:d}".format(u))  # noqa: UP032 (kernel code under test)

    k(1)


@case(
    section="13",
    requires=("print",),
    raises=(qd.QuadrantsSyntaxError, "Expected 3 positional argument(s), but received 2 instead."),
)
def str_format_with_too_few_arguments_is_a_syntax_error():
    @qd.kernel
    def k(a: qd.i32):
        print("{0} {1} {2}".format(a, 2))  # noqa: F524, UP030 (kernel code under test)

    k(1)


@case(section="13", requires=("print",), raises=(qd.QuadrantsSyntaxError, "Keyword 'k' not used."))
def str_format_with_an_unused_keyword_is_a_syntax_error():
    @qd.kernel
    def k(a: qd.i32):
        print("{}".format(a, k=a))  # noqa: F522, UP032 (kernel code under test)

    k(1)
