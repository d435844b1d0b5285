"""Which Python parameter kinds kernels and funcs accept, checked when they are decorated (docs/semantics.md §7).

As upstream 1.3.3: every parameter is an ordinary "positional or keyword" one. ``*args``, ``**kwargs``, keyword-only
parameters (after ``*``) and positional-only ones (before ``/``) are a ``QuadrantsSyntaxError`` at decoration, for
kernels and funcs alike; a kernel parameter also has no default value (a func's may). Calls may still pass any
parameter by keyword. The messages start with upstream's text and add what to write instead.
"""

from __future__ import annotations

import inspect

from quadrants.errors import QuadrantsSyntaxError, caller_loc

__all__ = ["check_parameter_kinds"]

_P = inspect.Parameter

# parameter kind -> (upstream's message, how to fix it); checked in this order for each parameter, as upstream
_KIND_ERRORS = {
    _P.VAR_KEYWORD: (
        "Quadrants kernels do not support variable keyword parameters (i.e., **kwargs)",
        "list the parameters by name",
    ),
    _P.VAR_POSITIONAL: (
        "Quadrants kernels do not support variable positional parameters (i.e., *args)",
        "list the parameters by name",
    ),
}
_DEFAULT_ERROR = (
    "Quadrants kernels do not support default values for arguments",
    "remove the default and pass the value at every call (a @qd.func may have defaults)",
)
_LATE_KIND_ERRORS = {
    _P.KEYWORD_ONLY: (
        "Quadrants kernels do not support keyword parameters",
        "move it before the '*' (callers may still pass it by keyword)",
    ),
    _P.POSITIONAL_ONLY: (
        'Quadrants kernels only support "positional or keyword" parameters',
        "remove the '/' from the parameter list",
    ),
}


def check_parameter_kinds(fn, signature: inspect.Signature, is_kernel: bool) -> None:
    """Raise upstream's ``QuadrantsSyntaxError`` for the first parameter of ``fn`` that kernels (``is_kernel``) or
    funcs do not accept, located at the decoration."""
    what = "@qd.kernel" if is_kernel else "@qd.func"
    for param in signature.parameters.values():
        error = _KIND_ERRORS.get(param.kind)
        if error is None and is_kernel and param.default is not _P.empty:
            error = _DEFAULT_ERROR
        if error is None:
            error = _LATE_KIND_ERRORS.get(param.kind)
        if error is not None:
            message, fix = error
            raise QuadrantsSyntaxError(
                f"{message}: parameter '{param.name}' of {what} '{fn.__name__}'; {fix}", caller_loc()
            )
