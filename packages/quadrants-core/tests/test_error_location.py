"""Errors point at the user's file even when the user's package name starts with ``quadrants`` (issue 19, item 2).

An installed project sits next to its neighbours in one ``site-packages``: ``.../quadrants`` and
``.../quadrants_userlib`` share a string prefix but not a path component, and only the first is the project.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import quadrants as qd
from quadrants.errors import caller_loc, is_project_file

USERLIB = textwrap.dedent(
    """
    import quadrants as qd
    from quadrants.errors import caller_loc


    @qd.kernel
    def fill(x: qd.types.NDArray[qd.i32, 1]):
        for i in range(x.shape[0]):
            x[i] = 1


    def where_am_i():
        return caller_loc()


    def call_badly():
        fill(3.5)  # USER LINE
    """
)


def test_path_components_not_string_prefixes(tmp_path):
    base = tmp_path / "site-packages"
    dirs = (str(base / "quadrants"),)
    assert is_project_file(str(base / "quadrants" / "errors.py"), dirs)
    assert is_project_file(str(base / "quadrants" / "runtime" / "kernel.py"), dirs)
    assert not is_project_file(str(base / "quadrants_userlib" / "lib.py"), dirs)
    assert not is_project_file(str(base / "quadrants_conformance" / "cases" / "test_math.py"), dirs)
    assert not is_project_file(str(base / "quadrants.py"), dirs)


def test_symlinked_paths_are_resolved(tmp_path):
    real = tmp_path / "real" / "quadrants"
    real.mkdir(parents=True)
    (tmp_path / "link").symlink_to(tmp_path / "real")
    assert is_project_file(str(tmp_path / "link" / "quadrants" / "x.py"), (str(real),))


def test_the_installed_quadrants_package_and_loaded_backends_are_project_files():
    assert is_project_file(qd.__file__)
    assert is_project_file(caller_loc.__code__.co_filename)
    assert not is_project_file(__file__)


def _copy_package(module_name: str, site: Path) -> None:
    """Copy an importable package into ``site`` as a plain (non-editable) install would lay it out."""
    source = Path(importlib.util.find_spec(module_name).origin).parent
    shutil.copytree(source, site / module_name, ignore=shutil.ignore_patterns("__pycache__"))


def test_errors_point_into_quadrants_userlib_in_an_installed_layout(tmp_path):
    """quadrants, quadrants_ref and quadrants_userlib side by side in one site-packages, as pip installs them."""
    site = tmp_path / "site-packages"
    site.mkdir()
    for name in ("quadrants", "quadrants_ref"):
        _copy_package(name, site)
    (site / "quadrants_userlib").mkdir()
    userlib = site / "quadrants_userlib" / "__init__.py"
    userlib.write_text(USERLIB)
    script = textwrap.dedent(
        """
        import quadrants as qd, quadrants_userlib
        assert qd.__file__.startswith(SITE), qd.__file__  # the copy, not the development tree
        loc = quadrants_userlib.where_am_i()
        print("WHERE", loc.file if loc else None)
        qd.init(arch="ref")
        try:
            quadrants_userlib.call_badly()
        except (qd.QuadrantsCompilationError, qd.QuadrantsRuntimeError) as exc:
            print("RAISED", exc.loc.file if exc.loc else None, "|", exc.loc.text if exc.loc else None)
        """
    ).replace("SITE", repr(str(site)))
    # site first; what the caller's PYTHONPATH holds stays reachable (offline machines find numpy through it)
    path = os.pathsep.join(p for p in (str(site), os.environ.get("PYTHONPATH", "")) if p)
    env = dict(os.environ, PYTHONPATH=path, QD_CACHE_DIR=str(tmp_path / "cache"))
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert f"WHERE {userlib}" in out.stdout
    assert f"RAISED {userlib} |" in out.stdout and "# USER LINE" in out.stdout


def test_out_of_bound_access_is_upstreams_assertion_error_naming_axis_size_and_shape():
    from quadrants.errors import QuadrantsAssertionError, QuadrantsRuntimeError, out_of_bound_access
    from quadrants.ir.nodes import SrcLoc

    err = out_of_bound_access("x", [1, 5], (3, 4), SrcLoc("k.py", 7, 4, 11, "    x[i, j] = 1", "k"))
    assert isinstance(err, QuadrantsAssertionError) and isinstance(err, QuadrantsRuntimeError)
    assert err.plain == (
        "Out of bound access to ndarray x with indices [1, 5]: index 5 is out of bounds for axis 1 with size 4: "
        "x[1, 5] with shape (3, 4)"
    )
    assert 'File "k.py", line 7, in k:' in str(err)


def test_component_index_checks_only_under_debug():
    import numpy as np
    import pytest

    qd.init(arch=qd.ref, debug=True)
    try:

        @qd.kernel
        def k(x: qd.types.NDArray[qd.i32, 1], i: qd.i32):
            v = qd.Vector([1, 2, 3])
            x[0] = v[i]

        x = np.zeros(1, np.int32)
        k(x, 2)
        assert x[0] == 3
        with pytest.raises(qd.QuadrantsAssertionError, match=r"Out of bound access to a \[3\] matrix"):
            k(x, 3)
    finally:
        qd.reset()
