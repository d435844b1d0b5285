"""The quadrants_llvm package installs, ships its type marker and documents what it holds."""

import importlib.resources

import quadrants_llvm


def test_module_has_docstring():
    assert quadrants_llvm.__doc__ and quadrants_llvm.__doc__.strip()


def test_ships_py_typed():
    assert importlib.resources.files("quadrants_llvm").joinpath("py.typed").is_file()
