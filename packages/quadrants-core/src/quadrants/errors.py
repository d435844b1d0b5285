"""Exception and warning classes of docs/semantics.md §2, and how user-facing errors point at the user's code."""

from __future__ import annotations

from quadrants.ir.nodes import SrcLoc

__all__ = [
    "QuadrantsCompilationError",
    "QuadrantsSyntaxError",
    "QuadrantsNameError",
    "QuadrantsIndexError",
    "QuadrantsTypeError",
    "QuadrantsRuntimeError",
    "QuadrantsAssertionError",
    "QuadrantsRuntimeTypeError",
    "QuadrantsKeyError",
    "QuadrantsElementTypeError",
    "QuadrantsWarning",
    "located",
    "caller_loc",
    "with_loc",
    "at_call_site",
    "user_api",
    "warn_user",
    "compile_error_class",
    "API_ERRORS",
]


class _Located:
    """Mixin: an error that knows the user's source location and renders it with a caret."""

    loc: SrcLoc | None = None
    plain: str = ""
    calls: tuple = ()  # call sites of the @qd.func calls that led to ``loc``, outermost first

    def __init__(self, message: str = "", loc: SrcLoc | None = None):
        self.plain = message
        self.loc = loc
        super().__init__(self._render())

    def _render(self) -> str:
        """``File "...", line N, in f:``, the line and a caret, for each call site and then the error's line, on a
        new line after the class name (as upstream)."""
        if self.loc is None:
            return self.plain
        caret = self.loc.caret()
        if not caret:
            return f"{self.loc}: {self.plain}"
        sites = "".join(f"{c}:\n{c.caret()}\n" for c in self.calls)
        return f"\n{sites}{self.loc}:\n{caret}\n{self.plain}"

    def add_call_site(self, loc: SrcLoc | None) -> None:
        """Record that the error happened inside a @qd.func called at ``loc`` (the frontend adds one per level)."""
        if loc is None or self.loc is None or loc == self.loc or loc in self.calls:
            return
        self.calls = (loc, *self.calls)
        self.args = (self._render(),)
        if isinstance(self, SyntaxError):
            self.msg = self._render()

    def __str__(self) -> str:
        return self._render()


class QuadrantsCompilationError(_Located, Exception):
    """A kernel could not be compiled; the message names the user's file and line."""


class QuadrantsSyntaxError(QuadrantsCompilationError, SyntaxError):
    """An unsupported or invalid construct in kernel code."""

    def __init__(self, message: str = "", loc: SrcLoc | None = None):
        QuadrantsCompilationError.__init__(self, message, loc)
        if loc is not None:
            self.filename, self.lineno, self.offset, self.text = loc.file, loc.line, loc.col + 1, loc.text
        self.msg = self._render()

    def __str__(self) -> str:
        return self._render()


class QuadrantsNameError(QuadrantsCompilationError, NameError):
    """A name used in kernel code is not defined."""


class QuadrantsIndexError(QuadrantsCompilationError, IndexError):
    """A compile-time index is invalid (wrong number of indices, …)."""


class QuadrantsTypeError(QuadrantsCompilationError, TypeError):
    """An operation got operands of types it does not accept."""


class QuadrantsRuntimeError(_Located, RuntimeError):
    """An error detected while a kernel ran (bounds, division by zero under debug)."""


class QuadrantsAssertionError(QuadrantsRuntimeError, AssertionError):
    """A kernel ``assert`` failed under ``qd.init(debug=True)``."""


def out_of_bound_access(name: str, values: list, shape: tuple, loc: SrcLoc | None) -> QuadrantsAssertionError:
    """The error of an ndarray/field access outside its shape (every backend builds it here). Upstream raises a
    QuadrantsAssertionError whose message starts "Out of bound access"; the rest names axis, size and shape."""
    axis = next((a for a, (v, n) in enumerate(zip(values, shape)) if not 0 <= v < n), 0)
    where = ", ".join(str(v) for v in values)
    value = values[axis] if axis < len(values) else "?"
    size = shape[axis] if axis < len(shape) else "?"
    return QuadrantsAssertionError(
        f"Out of bound access to ndarray {name} with indices [{where}]: index {value} is out of bounds for axis "
        f"{axis} with size {size}: {name}[{where}] with shape {tuple(shape)}",
        loc,
    )


class QuadrantsRuntimeTypeError(QuadrantsRuntimeError, TypeError):
    """A kernel argument has a type the parameter cannot accept."""

    def __init__(self, message: str = "", loc: SrcLoc | None = None):
        QuadrantsRuntimeError.__init__(self, message, loc)


class QuadrantsKeyError(KeyError):
    """A ``KeyError`` located at the user's line (an unknown ``qd.init`` option): ``str()`` gives the message as text,
    where a plain ``KeyError`` shows the repr of its argument (newlines as ``\\n``)."""

    def __str__(self) -> str:
        return str(self.args[0]) if len(self.args) == 1 else super().__str__()


class QuadrantsElementTypeError(QuadrantsRuntimeTypeError, ValueError):
    """A vector/matrix ndarray parameter given an array of another element type (upstream raises ``ValueError``
    there, and ``TypeError`` for a scalar element type: this class is both)."""


class QuadrantsWarning(UserWarning):
    """Diagnostics that are not errors, such as a lossy implicit conversion."""


# The compile error for a Python exception raised while the frontend evaluates user code at compile time (upstream
# turns these into the matching Quadrants class: `1.5 & 2` is a QuadrantsTypeError).
_COMPILE_ERROR_OF = {TypeError: QuadrantsTypeError, IndexError: QuadrantsIndexError, NameError: QuadrantsNameError}


def compile_error_class(exc: BaseException) -> type:
    """The located compile error class for ``exc`` (see ``_COMPILE_ERROR_OF``; others: QuadrantsCompilationError)."""
    for builtin, cls in _COMPILE_ERROR_OF.items():
        if isinstance(exc, builtin):
            return cls
    return QuadrantsCompilationError


def _project_dirs() -> tuple[str, ...]:
    """Real directories of the ``quadrants`` package and of the first-party backend packages imported so far.

    Backends not yet imported have no frames on the stack, so only ``sys.modules`` is consulted (nothing is imported
    here). ``quadrants_conformance`` is deliberately not one of them: its cases are user code.
    """
    import os
    import sys

    from quadrants.backend import FIRST_PARTY

    names = {__name__.partition(".")[0], *(target.partition(".")[0] for target in FIRST_PARTY.values())}
    dirs = []
    for name in sorted(names):
        for path in getattr(sys.modules.get(name), "__path__", None) or ():
            dirs.append(os.path.realpath(path))
    return tuple(dirs)


def is_project_file(filename: str, dirs: tuple[str, ...] | None = None) -> bool:
    """True when ``filename`` lies inside one of ``dirs`` (default: the project's package directories).

    The comparison is by whole path components of the real (symlink-resolved) paths: ``site-packages/quadrants_userlib``
    or ``site-packages/quadrants_conformance`` is not inside ``site-packages/quadrants``, although the strings share a
    prefix.
    """
    import os

    if dirs is None:
        dirs = _project_dirs()
    real = os.path.realpath(filename)
    return any(real == d or real.startswith(d.rstrip(os.sep) + os.sep) for d in dirs)


def caller_loc() -> SrcLoc | None:
    """The user's call site: the innermost frame outside quadrants and its backends (for host-side call errors)."""
    import linecache
    import sys

    dirs = _project_dirs()
    frame = sys._getframe(1)
    while frame is not None and is_project_file(frame.f_code.co_filename, dirs):
        frame = frame.f_back
    if frame is None:
        return None
    file, line = frame.f_code.co_filename, frame.f_lineno
    text = linecache.getline(file, line).rstrip("\n")
    col = len(text) - len(text.lstrip())
    return SrcLoc(file, line, col, max(len(text), col + 1), text, frame.f_code.co_name)


def warn_user(message: str, category: type[Warning] = UserWarning) -> None:
    """``warnings.warn`` attributed to the user's line: the innermost frame outside quadrants and its backends.

    A fixed ``stacklevel`` breaks as soon as an API call goes through one more layer (a :func:`user_api` wrapper, a
    subclass method calling ``super()``); this counts the project frames instead.
    """
    import sys
    import warnings

    dirs = _project_dirs()
    frame, level = sys._getframe(1), 1
    while frame.f_back is not None and is_project_file(frame.f_code.co_filename, dirs):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, category, stacklevel=level + 1)


def with_loc(exc: BaseException, loc: SrcLoc | None) -> BaseException:
    """Attach ``loc`` to a located Quadrants error that has none yet (so it points at the user's call)."""
    if isinstance(exc, _Located) and exc.loc is None and loc is not None:
        exc.loc = loc
        if isinstance(exc, SyntaxError):
            exc.filename, exc.lineno, exc.offset, exc.text = loc.file, loc.line, loc.col + 1, loc.text
            exc.msg = exc._render()
        exc.args = (exc._render(),)
    return exc


def located(exc_type: type, message: str, loc: SrcLoc | None):
    """Build ``exc_type(message)`` pointing at ``loc`` (works for built-in exception types too)."""
    if issubclass(exc_type, _Located):
        return exc_type(message, loc)
    if loc is None:
        return exc_type(message)
    if exc_type is KeyError:
        exc_type = QuadrantsKeyError  # a multi-line message must print as text, not as a repr
    caret = loc.caret()
    return exc_type(f"\n{loc}:\n{caret}\n{message}" if caret else f"{loc}: {message}")


# The built-in classes that the API's argument checks raise (upstream raises the same classes): TypeError for a
# wrong dtype, ValueError for a wrong ndim or shape, IndexError on host indexing, KeyError for an unknown qd.init
# option, MemoryError for an allocation past the machine, RuntimeError for a missing backend.
API_ERRORS = (TypeError, ValueError, IndexError, KeyError, MemoryError, RuntimeError)


def at_call_site(exc: BaseException) -> BaseException:
    """``exc`` pointing at the user's call site (the innermost frame outside quadrants and its backends).

    A located Quadrants error gets the location if it has none; a built-in error is rebuilt as the same class with
    ``File "...", line N:`` and the caret line in front of its message. An error that already names a location is
    returned as it is.
    """
    if isinstance(exc, _Located):
        return with_loc(exc, caller_loc())
    message = exc.args[0] if len(exc.args) == 1 and isinstance(exc.args[0], str) else str(exc)
    if message.lstrip("\n").startswith('File "'):
        return exc
    loc = caller_loc()
    if loc is None:
        return exc
    try:
        rebuilt = located(type(exc), message, loc)
    except Exception:  # a class whose constructor takes other arguments: keep the original
        return exc
    rebuilt.__cause__ = exc.__cause__
    return rebuilt


def user_api(fn):
    """Decorator for host API entry points: argument errors raised inside point at the user's call site."""
    import functools

    @functools.wraps(fn)
    def checked(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except API_ERRORS as exc:
            located_exc = at_call_site(exc)
            if located_exc is exc:
                raise
            raise located_exc from None

    return checked
