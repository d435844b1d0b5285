"""Host-side predicates and helpers that upstream keeps in ``quadrants.lang.util`` (which forwards here).

* Scope: :func:`in_quadrants_scope` is True while a kernel is being lowered (``frontend/scope.py``), which is when
  Python code called from kernel code runs here; the ``python_scope`` / ``quadrants_scope`` decorators assert one or
  the other, with upstream's messages.
* Classes: which objects are Quadrants vectors/matrices, structs, data-oriented objects or dataclass instances. The
  class checks walk the MRO's ``__dict__`` instead of calling ``getattr`` on the class, so a metaclass with a
  ``__getattr__`` of its own (Pydantic's) is never asked for a missing name.
* Diagnostics: :func:`get_traceback`, :func:`warning`, and the file/module tests upstream uses to tell its own code
  from the user's.
* ``clang++``: upstream looks for ``clang++-10`` to compile external C++ functions (``qd.extension.extfunc``), which
  this implementation does not support, so none is looked for: :func:`get_clangpp` is ``None``.
"""

from __future__ import annotations

import functools
import os
import traceback
import types
import warnings

from quadrants.frontend.annotations import Template, TemplateType
from quadrants.frontend.scope import in_kernel_scope
from quadrants.log_levels import is_logging_effective

__all__ = [
    "in_quadrants_scope",
    "in_python_scope",
    "python_scope",
    "quadrants_scope",
    "is_quadrants_class",
    "is_matrix_class",
    "is_data_oriented",
    "is_dataclass_instance",
    "wants_runtime_primitives",
    "is_qd_template",
    "is_from_quadrants_module",
    "is_quadrants_internal_file",
    "get_traceback",
    "warning",
    "get_clangpp",
    "has_clangpp",
]

_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))


# ------------------------------------------------------------------------------------------------------ scope
def in_quadrants_scope() -> bool:
    """True while kernel code is being compiled (the Python code it calls on compile-time values runs then)."""
    return in_kernel_scope()


def in_python_scope() -> bool:
    """True outside kernel compilation: ordinary Python code."""
    return not in_kernel_scope()


def python_scope(func):
    """Decorate a function that may only be called from Python scope (``AssertionError`` otherwise, as upstream)."""

    @functools.wraps(func)
    def wrapped(*args, **kwargs):
        assert in_python_scope(), f"{func.__name__} cannot be called in Quadrants-scope"
        return func(*args, **kwargs)

    return wrapped


def quadrants_scope(func):
    """Decorate a function that may only be called while a kernel is compiled (``AssertionError`` otherwise)."""

    @functools.wraps(func)
    def wrapped(*args, **kwargs):
        assert in_quadrants_scope(), f"{func.__name__} cannot be called in Python-scope"
        return func(*args, **kwargs)

    return wrapped


# ---------------------------------------------------------------------------------------------------- classes
def _class_flag(obj, name: str):
    """``name`` from the first class of ``obj``'s MRO (``obj`` itself when it is a class) that defines it."""
    cls = obj if isinstance(obj, type) else type(obj)
    for klass in cls.__mro__:
        if name in klass.__dict__:
            return klass.__dict__[name]
    return None


def is_matrix_class(obj) -> bool:
    """``qd.Vector`` / ``qd.Matrix`` and their values (upstream's ``_is_matrix_class``)."""
    return bool(_class_flag(obj, "_is_quadrants_matrix"))


def is_quadrants_class(obj) -> bool:
    """Quadrants value classes and their instances: vectors/matrices and struct values (not fields or types)."""
    return bool(_class_flag(obj, "_is_quadrants_class")) or is_matrix_class(obj)


def is_data_oriented(obj) -> bool:
    """An instance of a ``@qd.data_oriented`` class."""
    return not isinstance(obj, type) and bool(_class_flag(obj, "_qd_data_oriented"))


def is_dataclass_instance(obj) -> bool:
    """An instance (not the class) of a ``dataclasses.dataclass``."""
    return not isinstance(obj, type) and _class_flag(obj, "__dataclass_fields__") is not None


def wants_runtime_primitives(obj) -> bool:
    """An instance of a ``@qd.data_oriented(template_primitives=False)`` class: its int/float/bool members are
    run-time kernel arguments instead of compile-time constants."""
    return not isinstance(obj, type) and _class_flag(obj, "_qd_template_primitives") is False


def is_qd_template(annotation) -> bool:
    """``qd.template()`` / ``qd.Template``."""
    return annotation is Template or isinstance(annotation, TemplateType)


def is_from_quadrants_module(obj) -> bool:
    """A module of the ``quadrants`` package or a class defined in one (not instances: their state is the user's)."""
    if isinstance(obj, types.ModuleType):
        name = obj.__name__
    elif isinstance(obj, type):
        name = obj.__dict__.get("__module__") or ""
    else:
        return False
    return name == "quadrants" or name.startswith("quadrants.")


def is_quadrants_internal_file(filepath: str) -> bool:
    """Whether ``filepath`` is a file of the installed ``quadrants`` package."""
    return os.path.realpath(filepath).startswith(_PACKAGE_DIR + os.sep)


# ------------------------------------------------------------------------------------------------ diagnostics
def get_traceback(stacklevel: int = 1) -> str:
    """The formatted Python stack of the caller, without the innermost ``stacklevel`` frames above it."""
    frames = traceback.extract_stack()[: -1 - stacklevel]
    return "".join(traceback.format_list(frames))


def warning(msg: str, warning_type=UserWarning, stacklevel: int = 1, print_stack: bool = True) -> None:
    """Issue ``warning_type(msg)`` (with the caller's stack appended when ``print_stack``), unless the ``quadrants``
    logger's level hides warnings (``qd.set_logging_level(qd.ERROR)``)."""
    if not is_logging_effective("warn"):
        return
    if print_stack:
        msg += f"\n{get_traceback(stacklevel)}"
    warnings.warn(msg, warning_type, stacklevel=stacklevel + 1)


def get_clangpp() -> str | None:
    """Upstream's ``clang++-10`` for external C++ functions; ``None`` here (external functions are out of scope)."""
    return None


def has_clangpp() -> bool:
    """Whether :func:`get_clangpp` found a compiler: always False here."""
    return get_clangpp() is not None
