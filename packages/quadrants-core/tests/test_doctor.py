"""``python -m quadrants doctor``: backends, availability, capabilities, versions."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys

import pytest

from quadrants import __main__ as cli
from quadrants.backend import Availability, Capabilities
from quadrants.ir import dtypes


def _ref_installed() -> bool:
    try:
        return importlib.util.find_spec("quadrants_ref.backend") is not None
    except ImportError:
        return False


needs_ref = pytest.mark.skipif(not _ref_installed(), reason="quadrants_ref.backend is not importable yet")


def _run_doctor(*extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "quadrants", "doctor", *extra],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@needs_ref
def test_doctor_lists_ref_as_available():
    result = _run_doctor()
    assert result.returncode == 0, result.stderr
    line = next(line for line in result.stdout.splitlines() if line.split()[:1] == ["ref"])
    assert line.split()[1] == "available"
    assert "numpy" in result.stdout and "python" in result.stdout


@needs_ref
def test_doctor_json():
    result = _run_doctor("--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    ref = next(b for b in report["backends"] if b["id"] == "ref")
    assert ref["available"] is True
    assert "i32" in ref["capabilities"]["dtypes"]
    assert set(report["versions"]) == {"python", "numpy", "quadrants"}


def test_no_command_prints_help(capsys):
    assert cli.main([]) == 2
    assert "doctor" in capsys.readouterr().out


class _FakeBackend:
    id = "fake"
    archs = ("fake-arch",)
    capabilities = Capabilities(
        dtypes=frozenset({dtypes.f32, dtypes.i32, dtypes.u1}),
        atomic_dtypes=frozenset({dtypes.i32}),
        features=frozenset({"print"}),
    )

    def __init__(self, availability=None, error=None):
        self._availability = availability
        self._error = error

    def probe(self):
        if self._error is not None:
            raise self._error
        return self._availability


def test_unavailable_backend_shows_reason():
    desc = cli._describe_backend(_FakeBackend(Availability(False, "no device found")))
    assert desc["available"] is False
    text = "\n".join(cli._format_backend(desc))
    assert "unavailable" in text and "no device found" in text
    assert "dtypes: u1 i32 f32; atomics: i32; features: print" in text


def test_probe_that_raises_is_reported_not_propagated():
    desc = cli._describe_backend(_FakeBackend(error=OSError("driver missing")))
    assert desc["available"] is False
    assert "OSError: driver missing" in desc["reason"]


def test_doctor_exit_status_follows_availability(monkeypatch, capsys):
    def fake_report():
        backend = cli._describe_backend(_FakeBackend(Availability(False, "nope")))
        versions = {"python": "3", "numpy": "2", "quadrants": "0"}
        return {"versions": versions, "platform": "test", "backends": [backend], "problems": [],
                "environment": {}, "environment_error": ""}  # fmt: skip

    monkeypatch.setattr(cli, "collect_report", fake_report)
    assert cli.main(["doctor"]) == 1
    assert "fake" in capsys.readouterr().out
