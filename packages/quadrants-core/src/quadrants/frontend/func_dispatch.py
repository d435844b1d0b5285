"""Library functions whose kernel-language implementation is chosen at compile time from their arguments.

``qd.svd(A)`` runs a different ``@qd.func`` for a 2×2 and a 3×3 matrix, and its ``dt`` defaults to the session's
``default_fp``. A :class:`FuncDispatch` is the object users call: in kernel code the frontend calls its
``_qd_constructor`` hook (frontend/calls.py), which asks ``choose`` for the func and its arguments and inlines it like
any ``@qd.func`` call. The funcs themselves are written in the kernel language above the frontend
(lang/linalg_small.py).
"""

from __future__ import annotations

from collections.abc import Callable

from quadrants.errors import QuadrantsCompilationError, QuadrantsSyntaxError, QuadrantsTypeError, caller_loc

__all__ = ["FuncDispatch", "DispatchError", "static_shape"]


class DispatchError(Exception):
    """Raised by a ``choose`` function: the arguments have no implementation (reported at the call site).

    ``kind`` picks the error class: ``"compile"`` (QuadrantsCompilationError, what upstream raises for an unsupported
    size) or ``"type"`` (QuadrantsTypeError).
    """

    def __init__(self, message: str, kind: str = "compile"):
        super().__init__(message)
        self.kind = kind


_ERRORS = {"compile": QuadrantsCompilationError, "type": QuadrantsTypeError}


def static_shape(value) -> tuple | None:
    """The compile-time shape of a vector/matrix value in kernel code (``(n,)`` or ``(n, m)``), else ``None``."""
    shape = getattr(value, "shape", None)
    if isinstance(shape, tuple) and all(isinstance(s, int) for s in shape) and hasattr(value, "items"):
        return shape
    return None


class FuncDispatch:
    """A kernel-only function: ``choose(default_fp, *args, **kwargs) -> (func, args, kwargs)`` picks what to inline."""

    def __init__(self, name: str, choose: Callable, doc: str):
        self.__name__ = self.__qualname__ = name
        self.__doc__ = doc
        self._choose = choose

    def __repr__(self) -> str:
        return f"<quadrants function qd.{self.__name__}>"

    def __call__(self, *args, **kwargs):
        raise QuadrantsSyntaxError(
            f"qd.{self.__name__}() can only be called from a @qd.kernel or @qd.func", caller_loc()
        )

    def _qd_constructor(self, ctx, node, args, kwargs):
        from quadrants.frontend.funcs import inline

        try:
            func, f_args, f_kwargs = self._choose(ctx.default_fp, *args, **kwargs)
        except DispatchError as exc:
            raise _ERRORS[exc.kind](str(exc), ctx.loc(node)) from None
        except TypeError as exc:  # wrong arguments for the Python signature of choose
            raise QuadrantsTypeError(f"qd.{self.__name__}(): {exc}", ctx.loc(node)) from None
        return inline(ctx, func, node, list(f_args), dict(f_kwargs))
