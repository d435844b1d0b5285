"""frontend/param_kinds.py: kernels and funcs take ordinary parameters only, checked at decoration as upstream."""

from __future__ import annotations

import pytest

import quadrants as qd
from quadrants.errors import QuadrantsSyntaxError


def _kwonly(a, *, c=3):
    return a + c


def _varargs(a, *rest):
    return a


def _varkw(a, **options):
    return a


def _posonly(a, /, b):
    return a + b


def _kernel_default(a: qd.i32, b: qd.i32 = 3):
    pass


def _kernel_kwonly(a: qd.i32, *, b: qd.i32):
    pass


@pytest.mark.parametrize(
    ("decorator", "fn", "fragment", "param"),
    [
        (qd.func, _kwonly, "do not support keyword parameters", "c"),
        (qd.func, _varargs, "variable positional parameters (i.e., *args)", "rest"),
        (qd.func, _varkw, "variable keyword parameters (i.e., **kwargs)", "options"),
        (qd.func, _posonly, 'only support "positional or keyword" parameters', "a"),
        (qd.pyfunc, _kwonly, "do not support keyword parameters", "c"),
        (qd.kernel, _kernel_default, "do not support default values for arguments", "b"),
        (qd.kernel, _kernel_kwonly, "do not support keyword parameters", "b"),
        (qd.kernel, _varargs, "variable positional parameters", "rest"),
    ],
)
def test_rejected_at_decoration_naming_the_parameter(decorator, fn, fragment, param):
    with pytest.raises(QuadrantsSyntaxError, match=r"Quadrants kernels") as info:
        decorator(fn)
    message = str(info.value)
    assert fragment in message and f"parameter '{param}' of @qd." in message
    assert "test_param_kinds.py" in message  # located at the decoration, in this file


def test_func_defaults_are_accepted():
    def f(a, b: qd.i32 = 2):
        return a + b

    assert isinstance(qd.func(f), qd.Func)
