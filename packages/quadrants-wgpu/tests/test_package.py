"""The quadrants_wgpu package installs, ships its type marker and documents what it holds."""

import importlib.resources

import quadrants_wgpu


def test_module_has_docstring():
    assert quadrants_wgpu.__doc__ and quadrants_wgpu.__doc__.strip()


def test_ships_py_typed():
    assert importlib.resources.files("quadrants_wgpu").joinpath("py.typed").is_file()
