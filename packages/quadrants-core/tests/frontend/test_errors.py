"""Compile errors point at the user's file and line with a caret, and never leak internal exceptions."""

from __future__ import annotations

import numpy as np
import pytest

import quadrants as qd

I1 = qd.types.NDArray[qd.i32, 1]


def test_syntax_error_names_file_line_and_caret(lower):
    @qd.kernel
    def k(x: I1):
        for _ in range(4):
            break  # the caret goes here

    with pytest.raises(qd.QuadrantsSyntaxError) as info:
        lower(k, np.zeros(4, np.int32))
    text = str(info.value)
    assert text.startswith(f'\nFile "{__file__}", line {info.value.lineno}, in k:\n')  # upstream's header line
    assert "break  # the caret goes here" in text
    caret_line = text.splitlines()[3]
    assert caret_line.strip() == "^^^^^"
    assert info.value.lineno == info.value.loc.line


@pytest.mark.parametrize(
    ("body", "cls", "fragment"),
    [
        ("x[0] = 2**31", qd.QuadrantsTypeError, "exceeded the range of default_ip: i32"),
        ("x[0] = a << 1.5", qd.QuadrantsTypeError, "unsupported operand type(s) for '<<'"),
        ("x[0] = not 1.5 + a", qd.QuadrantsTypeError, "'logic_not' takes integral inputs only"),
        ("x[0] = y", qd.QuadrantsNameError, 'Name "y" is not defined'),
        ("a = 1", qd.QuadrantsSyntaxError, 'Kernel argument "a" is immutable'),
        ("x[0, 1] = 1", qd.QuadrantsIndexError, "indexed with 2 index(es)"),
        ("x[0] = qd.static(a)", qd.QuadrantsCompilationError, "Input to qd.static must be compile-time constants"),
        ("x[0] = qd.sin(a)", qd.QuadrantsTypeError, "'sin' takes real inputs only"),
        ("x[0] = a is a", qd.QuadrantsSyntaxError, 'Operator "is" in Quadrants scope is not supported'),
        ("x[0] = a ** -2", qd.QuadrantsTypeError, "negative exponent"),
        ("x[0] = qd.bit_cast(a, qd.i64)", qd.QuadrantsTypeError, "same width"),
        # compile-time Python failures take the matching class, as upstream (issue 17)
        ("x[0] = 1.5 & 2", qd.QuadrantsTypeError, "unsupported operand type(s) for &: 'float' and 'int'"),
        ("x[0] = qd.Vector([1, 2, 3])[5]", qd.QuadrantsIndexError, "index 5 is out of range for a 3-component vector"),
        ("x[0] = qd.Matrix([[1, 2], [3, 4]])[0, 2]", qd.QuadrantsIndexError, "out of range for a 2x2 matrix"),
        ("x[0] = sorted([x[1], x[2]])[0]", qd.QuadrantsTypeError, "compile-time call of 'sorted' failed"),
        ("x[0] = [1][3]", qd.QuadrantsIndexError, "compile-time evaluation failed: IndexError"),
        ("if qd.Vector([1, 2]):\n        x[0] = 1", qd.QuadrantsTypeError, "if conditions must be an integer"),
        ("while qd.Vector([a, a]):\n        x[0] = 1", qd.QuadrantsTypeError, "while conditions must be an integer"),
        # upstream's fragments (issue 15)
        ("x[0] = (qd.Vector([1, 2]) * x)[0]", qd.QuadrantsTypeError, "unsupported operand type(s) for '*'"),
        ("x[0] = qd.math.ffs(qd.f32(a))", qd.QuadrantsTypeError, "'ffs' takes integral inputs only"),
        (
            "x[0] = qd.atomic_min([3, 2], qd.Vector([a, a]))[0]",
            qd.QuadrantsSyntaxError,
            "cannot use a non-writable target as the first operand of 'atomic_min'",
        ),
    ],
)
def test_user_errors_raise_documented_classes_at_the_line(lower, tmp_path, body, cls, fragment):
    source = f"import quadrants as qd\n\n@qd.kernel\ndef k(x: qd.types.NDArray[qd.i32, 1], a: qd.i32):\n    {body}\n"
    path = tmp_path / "user_kernel.py"
    path.write_text(source)
    namespace: dict = {"__name__": "user_kernel", "__file__": str(path)}
    exec(compile(source, str(path), "exec"), namespace)
    with pytest.raises(cls) as info:
        lower(namespace["k"], np.zeros(4, np.int32), 3)
    assert fragment in str(info.value)
    assert f'File "{path}", line 5' in str(info.value)


def test_return_annotation_that_is_no_return_type(lower, session):
    @qd.kernel
    def k(x: I1) -> qd.types.NDArray[qd.i32, 1]:
        return x

    with pytest.raises(qd.QuadrantsSyntaxError, match="invalid return annotation of kernel 'k'") as info:
        lower(k, np.zeros(1, np.int32))
    assert __file__ in str(info.value) and "is not a return type" in str(info.value)


def test_compile_time_python_failure_is_a_compilation_error(lower):
    def explode():
        raise RuntimeError("boom")

    @qd.kernel
    def k(x: I1):
        x[0] = explode()

    with pytest.raises(qd.QuadrantsCompilationError, match="boom"):
        lower(k, np.zeros(1, np.int32))


def test_func_called_from_python_scope_is_an_error():
    @qd.func
    def f():
        return 1

    with pytest.raises(qd.QuadrantsSyntaxError, match=r"can only be called from a @qd\.kernel or @qd\.func"):
        f()


def test_recursive_func_is_an_error(lower):
    @qd.func
    def f(n):
        return f(n - 1)

    @qd.kernel
    def k(x: I1):
        x[0] = f(3)

    with pytest.raises(qd.QuadrantsSyntaxError, match=r"Recursive @qd\.func call"):
        lower(k, np.zeros(1, np.int32))


def test_checkpoints_without_graph_fails_at_decoration():
    with pytest.raises(qd.QuadrantsSyntaxError, match=r"checkpoints=True\) requires graph=True"):

        @qd.kernel(checkpoints=True)
        def k():
            pass


def test_error_in_a_func_shows_each_call_site(lower):
    @qd.func
    def inner():
        return undefined_name  # noqa: F821 - the error under test

    @qd.func
    def outer():
        return inner()

    @qd.kernel
    def k(x: I1):
        x[0] = outer()

    with pytest.raises(qd.QuadrantsNameError) as info:
        lower(k, np.zeros(1, np.int32))
    text = str(info.value)
    headers = [line for line in text.splitlines() if line.startswith('File "')]
    assert [h.rpartition(", in ")[2] for h in headers] == ["k:", "outer:", "inner:"]  # outermost first
    assert text.endswith('Name "undefined_name" is not defined')
    assert info.value.loc.func == "inner" and [c.func for c in info.value.calls] == ["k", "outer"]


def test_real_func_needs_parameter_and_return_annotations(lower):
    with pytest.raises(qd.QuadrantsSyntaxError, match="must be type annotated: parameter 'a'") as info:

        @qd.real_func
        def bad(a, b: qd.i32) -> qd.i32:
            return a + b

    assert __file__ in str(info.value)

    @qd.real_func
    def unannotated_return(a: qd.i32):
        return a + 1

    @qd.real_func
    def no_value(x: I1):
        x[0] = 1

    @qd.kernel
    def k(x: I1):
        x[1] = unannotated_return(x[0])

    @qd.kernel
    def fine(x: I1):
        no_value(x)

    with pytest.raises(qd.QuadrantsSyntaxError, match="with a return value must be annotated with a return type"):
        lower(k, np.zeros(2, np.int32))
    lower(fine, np.zeros(2, np.int32))


VEC3 = qd.types.vector(3, qd.f32)


def test_func_parameters_check_vector_shape_and_ndarray_element_type(lower):
    @qd.func
    def takes_vec3(a: VEC3) -> qd.f32:
        return a[0]

    @qd.func
    def takes_f32_array(a: qd.types.ndarray(dtype=qd.f32, ndim=1)):
        a[0] = 1.0

    @qd.kernel
    def short_vector(x: I1):
        x[0] = qd.i32(takes_vec3(qd.Vector([1.0, 2.0])))

    @qd.kernel
    def int_array(x: qd.types.ndarray(ndim=1)):
        takes_f32_array(x)

    with pytest.raises(qd.QuadrantsSyntaxError, match=r"Argument a of type .* with n 3, but got 2\."):
        lower(short_vector, np.zeros(1, np.int32))
    with pytest.raises(qd.QuadrantsCompilationError, match="argument a: expected f32 elements, got i32"):
        lower(int_array, np.zeros(1, np.int32))
    lower(int_array, np.zeros(1, np.float32))


def test_ndarray_captured_from_python_scope_cannot_go_to_a_func(lower):
    class Captured:  # a host ndarray as the frontend sees one (the runtime's ndarrays carry this marker)
        _is_quadrants_ndarray = True

    held = Captured()

    @qd.func
    def f(w: qd.types.NDArray[qd.f32, 1]) -> qd.f32:
        return w[1]

    @qd.kernel
    def k(x: I1):
        x[0] = qd.i32(f(held))

    with pytest.raises(qd.QuadrantsTypeError, match="Expected ndarray in the kernel argument for argument w"):
        lower(k, np.zeros(1, np.int32))


@qd.func
def _three(a: qd.i32, b: qd.i32, c: qd.i32) -> qd.i32:
    return a * 100 + b * 10 + c


def test_starred_func_arguments_must_come_last(lower):
    rest, first = (2, 3), (1,)

    @qd.kernel
    def last(x: I1):
        x[0] = _three(1, *rest)

    @qd.kernel
    def before_keyword(x: I1):
        x[0] = _three(*first, b=2, c=3)

    lower(last, np.zeros(1, np.int32))
    with pytest.raises(qd.QuadrantsSyntaxError, match="error code: STARNOTLAST"):
        lower(before_keyword, np.zeros(1, np.int32))


def test_starred_items_in_displays(lower, lower_text):
    t = (0, 1)

    @qd.kernel
    def splices(x: I1):
        v = qd.Vector([7, 8])
        row = [*t, 5]
        a, b, c = (*v, 9)
        x[0] = row[0] + row[1] * 10 + row[2] * 100 + a * 1000 + b * 10000 + c * 100000

    @qd.kernel
    def runtime_value(x: I1):
        n = x[0]
        y = (*n, 1)  # noqa: F841
        x[0] = 0

    text = lower_text(splices, np.zeros(1, np.int32))
    # [*t, 5] is 0 + 10 + 500 and (*v, 9) is (7, 8, 9): the whole sum folds once a, b, c are recomputed at their read
    assert "store x[i32 0] = i32 987510" in text
    with pytest.raises(qd.QuadrantsSyntaxError, match=r"\*s in a tuple or list must be a compile-time sequence"):
        lower(runtime_value, np.zeros(1, np.int32))
