"""The backend registry: first-party ids load without reading package metadata, and the table stays true."""

from __future__ import annotations

import subprocess
import sys
from importlib import metadata

import pytest

from quadrants import backend as registry


def test_first_party_table_matches_the_installed_entry_points():
    declared = {ep.name: ep.value for ep in metadata.entry_points(group=registry.ENTRY_POINT_GROUP)}
    for backend_id, target in registry.FIRST_PARTY.items():
        if backend_id in declared:  # every first-party package is installed in the development environment
            assert declared[backend_id] == target, f"FIRST_PARTY[{backend_id!r}] disagrees with pyproject.toml"
    assert set(registry.FIRST_PARTY) <= set(declared)


def test_load_by_id_gives_the_entry_point_object():
    found = registry.discover_backends()
    assert registry.load_by_id("ref") is found["ref"]


def test_unknown_id_is_none():
    assert registry.load_by_id("no-such-backend") is None


def test_a_missing_first_party_package_falls_back_to_entry_points(monkeypatch):
    monkeypatch.setitem(registry.FIRST_PARTY, "ref", "quadrants_not_installed.backend:BACKEND")
    assert registry.load_by_id("ref") is registry.discover_backends()["ref"]


def test_a_broken_backend_warns_instead_of_raising(monkeypatch):
    monkeypatch.setitem(registry.FIRST_PARTY, "ref", "quadrants_ref.backend:NO_SUCH_ATTRIBUTE")
    with pytest.warns(UserWarning, match="failed to load"):
        assert registry.load_by_id("ref") is None


def test_init_does_not_read_package_metadata():
    # reading entry points costs tens of milliseconds of every process start (see FIRST_PARTY)
    code = "import sys, quadrants as qd; qd.init(arch='ref'); print('importlib.metadata' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
