"""``@qd.pyfunc`` and ``@qd.real_func`` (``qd.experimental.real_func``): upstream's other function kinds.

* ``@qd.pyfunc``: one function for both scopes. Called from Python it runs as plain Python; called from a kernel it is
  inlined like a ``@qd.func``.
* ``@qd.real_func``: upstream compiles it as a real (non-inlined) function call with typed parameters and return. Here
  it is inlined with a real call's rules: its loops are serial, ``return`` may sit in run-time control flow
  (frontend/func_exits.py), ``qd.types.ref`` parameters are the caller's locals (frontend/funcs.py). Run-time
  recursion is not supported (the call raises ``qd.QuadrantsSyntaxError`` naming the recursive function). Its
  parameters must be annotated and a returned value needs a return annotation, as upstream. docs/misc-functions.md.
"""

from __future__ import annotations

import inspect

from quadrants.errors import QuadrantsSyntaxError, caller_loc
from quadrants.frontend.funcdef import Func

__all__ = ["PyFunc", "RealFunc", "pyfunc", "real_func"]


class PyFunc(Func):
    """A ``@qd.pyfunc``: inlined in kernels, a plain call in Python scope."""

    def __call__(self, *args, **kwargs):
        return self.fn(*args, **kwargs)


def pyfunc(fn):
    """Decorate a function usable both from Python and from kernels (where it is inlined like ``@qd.func``)."""
    return PyFunc(fn)


class RealFunc(Func):
    """A ``@qd.real_func``: inlined, with a real call's control flow and upstream's typing rules of a real function:
    every parameter is annotated (checked when it is decorated) and a returned value needs a return annotation
    (checked when the return is lowered, ``frontend/stmts.py``)."""

    is_real = True

    def __init__(self, fn):
        super().__init__(fn)
        for k, param in enumerate(self.signature.parameters.values()):
            if param.annotation is inspect.Parameter.empty and not (k == 0 and param.name == "self"):
                raise QuadrantsSyntaxError(
                    f"Quadrants kernels parameters must be type annotated: parameter '{param.name}' of "
                    f"@qd.real_func '{fn.__name__}' has no annotation",
                    caller_loc(),
                )


def real_func(fn):
    """Decorate a function that kernels call (upstream: a real call; here inlined like ``@qd.func``)."""
    return RealFunc(fn)
