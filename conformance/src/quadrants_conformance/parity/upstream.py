"""Driving the parity worker (:mod:`~quadrants_conformance.parity.child`) under upstream's interpreter.

:class:`UpstreamWorker` starts ``<python> -m quadrants_conformance.parity.child`` with this harness's source
folder first on ``PYTHONPATH`` and no entry that holds a ``quadrants`` package (so ``import quadrants`` is
upstream's), hands it one job at a time and waits for the result file. A worker that exits is a ``crash`` result;
one that runs past the timeout is killed and is a ``hang`` result; either way the next job starts a fresh worker.
Upstream's offline cache goes to a private temporary folder.
"""

from __future__ import annotations

import contextlib
import json
import os
import pickle
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import quadrants_conformance

__all__ = ["UpstreamWorker", "HARNESS_SRC"]

# the folder that holds the quadrants_conformance package (its source checkout or its site-packages folder)
HARNESS_SRC = str(Path(quadrants_conformance.__file__).resolve().parent.parent)


def _foreign_path_entries() -> list[str]:
    """The caller's ``PYTHONPATH`` entries that hold no ``quadrants`` package: offline machines reach their image's
    numpy and friends through ``PYTHONPATH`` (docs/installing.md, "Offline machines"), while an entry that provides
    ``import quadrants`` would shadow upstream's."""
    entries = os.environ.get("PYTHONPATH", "").split(os.pathsep)
    return [e for e in entries if e and not (Path(e) / "quadrants").exists()]


class UpstreamWorker:
    """One long-lived worker process under ``python``; :meth:`run` is one job."""

    def __init__(self, python: str, timeout: float = 120.0, log: Path | None = None):
        self.python = python
        self.timeout = timeout
        self.tmp = Path(tempfile.mkdtemp(prefix="qd-parity-"))
        self.log_path = log or self.tmp / "worker.log"
        self.proc: subprocess.Popen | None = None
        self.jobs = 0

    def _env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("QD_", "PYTHON"))}
        env.update(
            PYTHONPATH=os.pathsep.join([HARNESS_SRC, *_foreign_path_entries()]),
            QD_OFFLINE_CACHE_FILE_PATH=str(self.tmp / "cache"),
            QD_FASTCACHE_CASE_DIR=str(self.tmp / "fastcache-cases"),
            PYTHONDONTWRITEBYTECODE="1",
        )
        return env

    def _start(self) -> subprocess.Popen:
        if self.proc is None or self.proc.poll() is not None:
            log = open(self.log_path, "ab")  # noqa: SIM115 - kept open for the worker's lifetime
            self.proc = subprocess.Popen(
                [self.python, "-u", "-m", "quadrants_conformance.parity.child"],
                stdin=subprocess.PIPE,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=self._env(),
                cwd=self.tmp,
                text=True,
            )
            log.close()
        return self.proc

    def run(self, job: dict[str, Any]) -> dict[str, Any]:
        """Send ``job`` (without ``out``) and wait for its result."""
        self.jobs += 1
        out = self.tmp / f"result-{self.jobs}.pkl"
        proc = self._start()
        try:
            proc.stdin.write(json.dumps({**job, "out": str(out)}) + "\n")
            proc.stdin.flush()
        except (BrokenPipeError, OSError):
            return self._failed("crash", "the upstream worker could not be reached")
        deadline = time.monotonic() + self.timeout
        while not out.exists():
            if proc.poll() is not None:
                return self._failed("crash", f"the upstream worker exited with status {proc.returncode}")
            if time.monotonic() > deadline:
                self.stop()
                return self._failed("hang", f"no result after {self.timeout:g} s")
            time.sleep(0.01)
        with open(out, "rb") as f:
            result = pickle.load(f)
        out.unlink()
        return result

    def _failed(self, status: str, why: str) -> dict[str, Any]:
        self.proc = None
        tail = ""
        with contextlib.suppress(OSError):
            tail = self.log_path.read_text(errors="replace")[-2000:]
        return {"status": status, "why": why, "traceback": tail}

    def stop(self) -> None:
        """Kill the worker (the next job starts a new one)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.proc = None

    def close(self) -> None:
        """Stop the worker and remove its temporary folder."""
        import shutil

        if self.proc is not None and self.proc.poll() is None:
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)
