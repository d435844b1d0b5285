"""Fixtures for fastcache tests: an isolated cache directory per test and fresh-process program runs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import quadrants as qd

_MARK = "QD-FC-TEST "

PRELUDE = """\
import dataclasses, enum, json, logging, os, sys, typing, warnings
import numpy as np
import quadrants as qd

_records, _warnings = [], []


class _Collect(logging.Handler):
    def emit(self, record):
        _records.append(record.getMessage())


logging.getLogger("quadrants").addHandler(_Collect())
warnings.simplefilter("always")
warnings.showwarning = lambda message, category, *rest, **kw: _warnings.append(f"{category.__name__}: {message}")


def init(**options):
    arch = os.environ.get("QD_FC_TEST_ARCH", "ref")
    qd.init(arch=arch, offline_cache_file_path=os.environ["QD_FC_TEST_CACHE"], **options)


def report(kernel, **results):
    o = kernel._primal.src_ll_cache_observations
    flags = [o.cache_key_generated, o.cache_validated, o.cache_loaded, o.cache_stored]
    out = {"flags": flags, "results": results, "records": _records, "warnings": _warnings}
    print("QD-FC-TEST " + json.dumps(out, default=lambda v: v.tolist() if hasattr(v, "tolist") else repr(v)))
"""


class Programs:
    """Runs programs (prelude + text) in fresh processes sharing ``cache``; each writes to the same file path."""

    def __init__(self, root: Path):
        self.root = root
        self.cache = root / "cache"
        self.path = root / "prog.py"

    def write(self, text: str) -> Path:
        self.path.write_text(PRELUDE + textwrap.dedent(text))
        return self.path

    def env(self, **extra) -> dict:
        env = dict(os.environ, QD_FC_TEST_CACHE=str(self.cache), **extra)
        env.pop("QD_LOG", None)
        env.pop("QD_ARCH", None)
        return env

    def run(self, text: str | None = None, **env) -> dict:
        """Run the program (``text`` replaces it when given) and return its ``report`` output."""
        if text is not None:
            self.write(text)
        proc = subprocess.run(
            [sys.executable, str(self.path)], capture_output=True, text=True, env=self.env(**env), timeout=300
        )
        return parse(proc)


def parse(proc) -> dict:
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith(_MARK)]
    if proc.returncode != 0 or not lines:
        raise AssertionError(f"program failed (exit {proc.returncode}):\n{proc.stdout[-3000:]}\n{proc.stderr[-5000:]}")
    out = json.loads(lines[-1][len(_MARK) :])
    out["stderr"] = proc.stderr
    return out


@pytest.fixture
def programs(tmp_path) -> Programs:
    return Programs(tmp_path)


@pytest.fixture
def cache_dir(tmp_path):
    """A fresh cache directory, and ``qd.init(arch="ref", offline_cache_file_path=...)`` on it."""
    path = tmp_path / "cache"
    qd.init(arch="ref", offline_cache_file_path=str(path))
    yield path
    qd.reset()
