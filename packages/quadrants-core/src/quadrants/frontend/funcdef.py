"""The objects behind ``@qd.func`` and the source-backed base shared with kernels (docs/semantics.md §7).

They live in the frontend because the frontend inlines funcs; the runtime's ``Kernel`` derives from
:class:`SourceBacked`, and the frontend recognises a kernel only by its ``_is_quadrants_kernel`` attribute.
"""

from __future__ import annotations

import functools
import inspect

from quadrants.errors import QuadrantsSyntaxError, caller_loc
from quadrants.frontend.param_kinds import check_parameter_kinds
from quadrants.frontend.source import ParsedFunction, closure_values, parse_function

__all__ = ["SourceBacked", "Func"]


class SourceBacked:
    """Shared by kernels and funcs: lazily parsed source and closure values."""

    def __init__(self, fn):
        self.fn = fn
        self._parsed: ParsedFunction | None = None
        self._resolved: inspect.Signature | None = None
        functools.update_wrapper(self, fn)

    def parsed(self) -> ParsedFunction:
        if self._parsed is None:
            self._parsed = parse_function(self.fn)
        return self._parsed

    def closure(self) -> dict:
        return closure_values(self.fn)

    def resolved_signature(self) -> inspect.Signature:
        """The signature with string annotations (``from __future__ import annotations``) evaluated."""
        if self._resolved is None:
            try:
                self._resolved = inspect.signature(
                    self.fn, globals=self.fn.__globals__, locals=self.closure(), eval_str=True
                )
            except Exception as exc:
                raise QuadrantsSyntaxError(
                    f"cannot evaluate the annotations of '{self.fn.__qualname__}': {type(exc).__name__}: {exc}"
                ) from None
        return self._resolved

    def check_annotation_names(self) -> None:
        """At decoration, as upstream: a string annotation naming nothing (``x: "bar"``) is a QuadrantsSyntaxError.
        Methods are left to their first call (their class may not exist yet); other failures surface there too."""
        parts = self.fn.__qualname__.split(".")
        if len(parts) > 1 and parts[-2] != "<locals>":
            return
        try:
            inspect.signature(self.fn, globals=self.fn.__globals__, locals=self.closure(), eval_str=True)
        except NameError as exc:
            raise QuadrantsSyntaxError(
                f"Invalid type annotation in `{self.fn.__qualname__}`: {exc}", caller_loc()
            ) from None
        except Exception:  # reported, with its cause, when the signature is first needed
            return

    @property
    def return_annotation(self):
        ann = self.resolved_signature().return_annotation
        return None if ann is inspect.Signature.empty else ann


class Func(SourceBacked):
    """A ``@qd.func``: inlined at every call site in kernel code; not callable from Python scope."""

    def __init__(self, fn, *, requires_top_level: bool = False):
        super().__init__(fn)
        self.requires_top_level = requires_top_level
        self.signature = inspect.signature(fn)
        check_parameter_kinds(fn, self.signature, is_kernel=False)
        self.check_annotation_names()

    def __call__(self, *args, **kwargs):
        raise QuadrantsSyntaxError(
            f"@qd.func '{self.fn.__name__}' can only be called from a @qd.kernel or @qd.func, not from Python scope",
            caller_loc(),
        )

    def __get__(self, instance, owner=None):
        """``obj.method`` of a ``@qd.func`` defined in a class: bound to ``obj`` like a Python method, so that kernel
        code can call it however it reached it (``obj.method()`` on a global object, ``self.funcs[i]()`` from a list
        of bound methods), as upstream. On the class itself it is the function."""
        if instance is None:
            return self
        from quadrants.frontend.values import BoundFunc

        return BoundFunc(self, instance)
