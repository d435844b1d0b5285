"""Compatibility modules for upstream internals its tests and programs import: graph_api, _kernel_impl_dataclass,
_func_base (docs/upstream-compatibility.md). Each answers from the project's own machinery."""

from __future__ import annotations

import ast
import warnings

import pytest

import quadrants as qd
from quadrants.lang.ast.ast_transformers import graph_api


def _func(src: str) -> ast.expr:
    return ast.parse(src, mode="eval").body.func


@pytest.mark.parametrize("name", ["do_while", "parallel_context", "parallel"])
def test_graph_api_spellings(name):
    canonical, flat = _func(f"qd.graph.{name}(x)"), _func(f"qd.graph_{name}(x)")
    assert graph_api.matches(canonical, name) and graph_api.matches(flat, name)
    assert graph_api.matches(_func(f"graph.{name}(x)"), name)
    assert graph_api.matches(_func(f"graph_{name}(x)"), name)
    assert graph_api.is_deprecated_spelling(flat, name) and not graph_api.is_deprecated_spelling(canonical, name)
    assert not graph_api.matches(_func(f"qd.other.{name}(x)"), name)
    assert not graph_api.matches(_func("qd.graph.something(x)"), name)


def test_graph_api_warning_is_the_frontends():
    with pytest.warns(DeprecationWarning, match=r"qd\.graph_parallel\(\) is deprecated; use qd\.graph\.parallel\(\)"):
        graph_api.warn_if_deprecated(_func("qd.graph_parallel()"), "parallel")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        graph_api.warn_if_deprecated(_func("qd.graph.parallel()"), "parallel")

    qd.init(arch=qd.ref)
    try:

        @qd.kernel(graph=True)
        def k(c: qd.types.NDArray[qd.i32, 0]):
            while qd.graph_do_while(c):
                for _ in range(1):
                    c[()] = c[()] - 1

        c = qd.ndarray(qd.i32, ())
        c[()] = 2
        with pytest.warns(DeprecationWarning) as record:
            k(c)
        messages = [str(w.message) for w in record if issubclass(w.category, DeprecationWarning)]
        from quadrants.frontend.graph_spellings import deprecation_message

        assert deprecation_message("graph_do_while") in messages
        assert c[()] == 0
    finally:
        qd.reset()
