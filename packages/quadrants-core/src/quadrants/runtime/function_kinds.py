"""``@qd.pyfunc`` and ``@qd.real_func`` (``qd.experimental.real_func``): upstream's other function kinds.

* ``@qd.pyfunc``: one function for both scopes. Called from Python it runs as plain Python; called from a kernel it is
  inlined like a ``@qd.func``.
* ``@qd.real_func``: upstream compiles it as a real (non-inlined) function call with typed parameters and return. Here
  it is inlined like a ``@qd.func``, which gives the same results; the difference is that recursion is not supported
  (the call raises ``qd.QuadrantsSyntaxError`` naming the recursive function). docs/misc-functions.md.
"""

from __future__ import annotations

from quadrants.frontend.funcdef import Func

__all__ = ["PyFunc", "pyfunc", "real_func"]


class PyFunc(Func):
    """A ``@qd.pyfunc``: inlined in kernels, a plain call in Python scope."""

    def __call__(self, *args, **kwargs):
        return self.fn(*args, **kwargs)


def pyfunc(fn):
    """Decorate a function usable both from Python and from kernels (where it is inlined like ``@qd.func``)."""
    return PyFunc(fn)


def real_func(fn):
    """Decorate a function that kernels call (upstream: a real call; here inlined like ``@qd.func``)."""
    return Func(fn)
