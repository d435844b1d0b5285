"""The pytest plugin (entry point ``pytest11: quadrants_conformance``): cases become items, results become reports.

Options: ``--backend ref|<id>,<id>|all`` (default ``ref``), ``--lane-order`` (passed to ``qd.init`` of the backend
under test), ``--expectations DIR`` (expectation files; default: the ones shipped with the suite) and
``--conformance-json PATH`` (default ``reports/conformance-<backends>.json``).

Every :class:`~quadrants_conformance.case.Case` defined in a collected test module becomes one
:class:`~quadrants_conformance.item.CaseItem` per selected backend (``test_arith.py::int_wraparound[ref]``).
The plugin is loaded in every pytest run of the environment, so it stays inert (no Quadrants import, no output)
unless a run collects cases or names ``--backend``.

With pytest-xdist, workers run the cases and the controller aggregates the reports they send; each worker gets its
own fastcache directory (``QD_CACHE_DIR=<basetemp>/qd-cache-<worker id>``). GPU backends should run one worker per
device (``-n <number of devices>``).
"""

from __future__ import annotations

import contextlib
import importlib
import os
import pkgutil
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest

from quadrants_conformance import expectations as expectations_mod, hooks
from quadrants_conformance.case import REGISTRY, Case
from quadrants_conformance.driver import BackendInfo, Driver, QuadrantsDriver
from quadrants_conformance.expectations import Entry
from quadrants_conformance.item import CaseItem
from quadrants_conformance.matrix import render_html, render_text
from quadrants_conformance.report import Results, backend_line, final_line, is_case_report, sections_present
from quadrants_conformance.verdict import REFERENCE

__all__ = ["State", "STATE_KEY"]

WORKER_IDS_KEY = "quadrants_conformance_case_ids"
REPORTER_NAME = "quadrants-conformance-reporter"


class State:
    """Per-run state of the plugin, kept in ``config.stash`` (never in module globals: pytester reuses modules)."""

    def __init__(self, config: pytest.Config):
        self.config = config
        self.requested: str | None = config.getoption("conformance_backend")
        self.lane_order: str | None = config.getoption("conformance_lane_order")
        self.expectations_dir = Path(config.getoption("conformance_expectations") or expectations_mod.DEFAULT_DIR)
        self.is_worker = hasattr(config, "workerinput")
        self.known_ids: set[str] = set()
        self.collected = False
        self._driver: Driver | None = None
        self._resolved = False
        self.backends: dict[str, BackendInfo] = {}
        self.selected: list[str] = []
        self.unavailable: list[BackendInfo] = []
        self.expectations: dict[str, list[Entry]] = {}
        self.results: Results | None = None

    @property
    def explicit(self) -> bool:
        """True when the user asked for a conformance run (``--backend`` given)."""
        return self.requested is not None

    @property
    def active(self) -> bool:
        """True when this run is a conformance run (cases collected or ``--backend`` given)."""
        return self.explicit or self.collected

    @property
    def driver(self) -> Driver:
        """The driver: a ``pytest_conformance_driver`` hook's answer, else the real Quadrants driver."""
        if self._driver is None:
            self._driver = self.config.hook.pytest_conformance_driver(config=self.config) or QuadrantsDriver()
        return self._driver

    def resolve(self) -> None:
        """Discover and probe backends, pick the selected ones, load their expectation files (once)."""
        if self._resolved:
            return
        self._resolved = True
        self.backends = self.driver.backends()
        self.selected, self.unavailable = select_backends(self.requested or REFERENCE, self.backends)
        try:
            self.expectations = {b: expectations_mod.load(self.expectations_dir, b) for b in self.selected}
        except expectations_mod.ExpectationError as exc:
            raise pytest.UsageError(str(exc)) from None
        self.results = Results(self.selected)

    def expected_failure(self, backend: str, qualified_id: str) -> Entry | None:
        """The expectation entry that marks this case as a known failure on ``backend``, if any."""
        for entry in self.expectations.get(backend, ()):
            if expectations_mod.matches(entry, qualified_id):
                return entry
        return None

    def stale_entries(self) -> list[Entry]:
        """Expectation entries that match no case of the suite (nor of the collected modules)."""
        entries = [e for b in self.selected for e in self.expectations.get(b, ())]
        unmatched = [e for e in entries if not any(expectations_mod.matches(e, q) for q in self.known_ids)]
        if unmatched:  # a run over part of the suite: look at every case module before calling an entry stale
            known = self.known_ids | suite_case_ids()
            unmatched = [e for e in unmatched if not any(expectations_mod.matches(e, q) for q in known)]
        return unmatched


STATE_KEY = pytest.StashKey[State]()


def select_backends(requested: str, infos: dict[str, BackendInfo]) -> tuple[list[str], list[BackendInfo]]:
    """``(selected ids, unavailable backends)`` for ``--backend``; unknown or unavailable named ids are usage errors."""
    if REFERENCE not in infos or not infos[REFERENCE].available:
        reason = infos[REFERENCE].reason if REFERENCE in infos else "not installed (pip install quadrants-ref)"
        raise pytest.UsageError(f"conformance: the reference backend {REFERENCE!r} is unavailable: {reason}")
    if requested.strip() == "all":
        ids = sorted(infos, key=lambda b: (b != REFERENCE, b))
        return [b for b in ids if infos[b].available], [infos[b] for b in ids if not infos[b].available]
    ids = list(dict.fromkeys(part.strip() for part in requested.split(",") if part.strip()))
    unknown = [b for b in ids if b not in infos]
    if unknown or not ids:
        raise pytest.UsageError(
            f"conformance: unknown backend(s) {unknown or requested!r}; registered: {', '.join(sorted(infos))} or 'all'"
        )
    missing = [infos[b] for b in ids if not infos[b].available]
    if missing:
        why = "; ".join(f"{b.id}: {b.reason or 'probe says unavailable'}" for b in missing)
        raise pytest.UsageError(f"conformance: backend not available on this machine ({why})")
    return ids, []


def suite_case_ids() -> set[str]:
    """Qualified ids (``test_x.py::name``) of every case in the installed suite and every imported case module."""
    try:
        package = importlib.import_module("quadrants_conformance.cases")
        for module in pkgutil.iter_modules(package.__path__):
            if module.name.startswith("test_"):
                try:
                    importlib.import_module(f"{package.__name__}.{module.name}")
                except Exception:  # a broken case module is reported by collection, not here
                    continue
    except Exception:
        pass
    return {f"{key.rpartition('.')[0].rpartition('.')[2]}.py::{c.id}" for key, c in list(REGISTRY.items())}


# --------------------------------------------------------------------------------------------------- hooks


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    pluginmanager.add_hookspecs(hooks)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("quadrants-conformance", "Quadrants conformance suite")
    group.addoption(
        "--backend",
        dest="conformance_backend",
        default=None,
        help="backend(s) under test: an id, comma-separated ids, or 'all' (every available one). Default: ref",
    )
    group.addoption(
        "--lane-order",
        dest="conformance_lane_order",
        default=None,
        help="lane order passed to qd.init of the backend under test (ascending, reversed, shuffled)",
    )
    group.addoption(
        "--expectations",
        dest="conformance_expectations",
        default=None,
        help="directory of <backend-id>.txt expectation files (default: the files shipped with the suite)",
    )
    group.addoption(
        "--html",
        dest="conformance_html",
        default=None,
        help="also write a self-contained HTML report (the backend x feature matrix and every non-passing case)",
    )
    group.addoption(
        "--conformance-json",
        dest="conformance_json",
        default=None,
        help="path of the JSON report (default: reports/conformance-<backends>.json)",
    )


@pytest.hookimpl(trylast=True)  # after the tmpdir plugin has set up the base temp directory
def pytest_configure(config: pytest.Config) -> None:
    state = State(config)
    config.stash[STATE_KEY] = state
    if state.is_worker:
        _isolate_worker_cache(config)
    else:
        config.pluginmanager.register(Reporter(config), REPORTER_NAME)
    if state.explicit:
        state.resolve()


def _isolate_worker_cache(config: pytest.Config) -> None:
    """Give this xdist worker its own fastcache directory, before any case runs (``QD_CACHE_DIR``)."""
    worker = config.workerinput.get("workerid", "gw")  # type: ignore[attr-defined]
    factory = getattr(config, "_tmp_path_factory", None)
    if factory is not None:
        base = factory.getbasetemp()  # create (and clear) it now, so nothing clears it under the cache later
    else:
        base = Path(config.invocation_params.dir) / ".cache"
    os.environ["QD_CACHE_DIR"] = str(Path(base) / f"qd-cache-{worker}")


def pytest_report_header(config: pytest.Config) -> list[str] | None:
    state = config.stash[STATE_KEY]
    if not state.explicit:
        return None
    described = [f"{b} ({state.backends[b].device or 'no device info'})" for b in state.selected]
    lines = [
        f"conformance: backends {', '.join(described)}; lane order {state.lane_order or 'default'}",
        f"conformance: expectations {state.expectations_dir}",
    ]
    if state.unavailable:
        lines.append("conformance: not available here: " + "; ".join(f"{b.id} ({b.reason})" for b in state.unavailable))
    with contextlib.suppress(Exception):  # versions are informative only
        lines.append("conformance: " + ", ".join(f"{k} {v}" for k, v in state.driver.versions().items()))
    gpus = [b for b in state.selected if state.backends[b].is_gpu]
    if gpus and config.getoption("numprocesses", None) not in (None, 0, 1):
        lines.append(f"conformance: GPU backend(s) {', '.join(gpus)}: run one xdist worker per device (-n <devices>)")
    return lines


def pytest_pycollect_makeitem(collector: pytest.Collector, name: str, obj: object) -> list[pytest.Item] | None:
    if not isinstance(obj, Case) or not isinstance(collector, pytest.Module):
        return None
    module = getattr(collector, "obj", None)
    if name != obj.id or getattr(obj.fn, "__module__", None) != getattr(module, "__name__", None):
        return []  # an alias or an import of a case defined elsewhere: collected where it is defined
    state = collector.config.stash[STATE_KEY]
    state.resolve()
    state.collected = True
    return [
        CaseItem.from_parent(collector, name=f"{obj.id}[{backend}]", case=obj, backend=backend, state=state)
        for backend in state.selected
    ]


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # tryfirst: before -k/-m deselection, so a partial run does not call expectation entries stale.
    state = config.stash[STATE_KEY]
    state.known_ids.update(item.qualified_id for item in items if isinstance(item, CaseItem))


def pytest_collection_finish(session: pytest.Session) -> None:
    state = session.config.stash[STATE_KEY]
    if state.results is not None and not state.is_worker:
        state.results.expect([item.nodeid for item in session.items if isinstance(item, CaseItem)])


@pytest.hookimpl(wrapper=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> Any:
    state = session.config.stash[STATE_KEY]
    if state.is_worker:  # the controller unions these to decide which expectation entries are stale
        session.config.workeroutput[WORKER_IDS_KEY] = sorted(state.known_ids)  # type: ignore[attr-defined]
    return (yield)


def pytest_unconfigure(config: pytest.Config) -> None:
    reporter = config.pluginmanager.get_plugin(REPORTER_NAME)
    if reporter is not None:
        config.pluginmanager.unregister(reporter)


class Reporter:
    """Controller-side aggregation and output (registered in ``pytest_configure`` unless this is an xdist worker)."""

    def __init__(self, config: pytest.Config):
        self.config = config
        self.state: State = config.stash[STATE_KEY]
        self.collected_ids: list[str] | None = None

    @property
    def terminal(self) -> Any:
        return self.config.pluginmanager.get_plugin("terminalreporter")

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_node_collection_finished(self, node: Any, ids: list[str]) -> None:
        if self.collected_ids is None:  # every worker collects the same items
            self.collected_ids = list(ids)
            if self.state.results is not None:
                self.state.results.expect(self.collected_ids)

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: Any, error: Any) -> None:
        output = getattr(node, "workeroutput", None) or {}
        self.state.known_ids.update(output.get(WORKER_IDS_KEY, ()))

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        state = self.state
        if state.results is None:
            if not is_case_report(report):
                return
            state.resolve()  # xdist controller of a run without --backend: the first case report says it is one
            assert state.results is not None
            state.results.expect(self.collected_ids or [])
        results = state.results
        if not results.is_case(report):
            return
        state.collected = True
        record = results.add(report)
        if record is not None and results.group_complete(record) and self.terminal is not None:
            self.write_progress(results.progress_line(record))

    def write_progress(self, line: str) -> None:
        """A line of its own among pytest's progress dots (xdist's dots do not end their line)."""
        terminal = self.terminal
        writer = getattr(terminal, "_tw", None)
        if getattr(writer, "width_of_current_line", 0):
            terminal.write("\n")
        terminal.write_line(line)

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        state, tr = self.state, terminalreporter
        if not state.active or state.results is None:
            return
        for backend in state.selected:
            tr.write_sep("=", f"conformance summary: {backend}")
            for line in state.results.table(backend, "module"):
                tr.write_line(line)
            if sections_present(state.results, backend):
                tr.write_line("")
                for line in state.results.table(backend, "section"):
                    tr.write_line(line)
        stale = state.stale_entries()
        for entry in stale:
            text = f"conformance: stale expectation {entry.where}: {entry.case_id!r} matches no case"
            tr.write_line(text, yellow=True)
        records = [asdict(r) for r in state.results.records.values()]
        if len(state.selected) > 1:
            tr.write_sep("=", "conformance matrix (passed/total; F failed, E errors, x xfail, u unsupported)")
            for line in render_text(records, state.selected):
                tr.write_line(line)
        header = _json_header(state)
        path = json_path(self.config, state.selected)
        state.results.write_json(path, header=header, stale=[f"{e.where}: {e.case_id}" for e in stale])
        tr.write_line(f"conformance: JSON report {path}")
        html_path = self.config.getoption("conformance_html")
        if html_path:
            Path(html_path).parent.mkdir(parents=True, exist_ok=True)
            Path(html_path).write_text(render_html(records, state.selected, header), encoding="utf-8")
            tr.write_line(f"conformance: HTML report {html_path}")

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> Any:
        # The outermost wrapper: the terminal reporter prints its "N passed in Xs" line inside, so ours comes last.
        result = yield
        state = self.state
        if state.active and state.results is not None and self.terminal is not None:
            if len(state.selected) > 1:  # one line per backend, then the total as the very last line
                for backend in state.selected:
                    self.terminal.write_line(backend_line(state.results.buckets(backend), backend))
            self.terminal.write_line(final_line(state.results.buckets()))
        return result


def json_path(config: pytest.Config, backends: list[str]) -> Path:
    """Where the JSON report goes."""
    explicit = config.getoption("conformance_json")
    if explicit:
        return Path(explicit)
    # Named after what was asked for (`all` stays `all`), so CI artifact names do not depend on the machine.
    requested = config.stash[STATE_KEY].requested or REFERENCE
    name = "all" if requested.strip() == "all" else "+".join(backends) or "none"
    return Path(config.invocation_params.dir) / "reports" / f"conformance-{name}.json"


def _json_header(state: State) -> dict[str, Any]:
    try:
        versions = state.driver.versions()
    except Exception:
        versions = {}
    return {
        "backends": {b: {"device": state.backends[b].device} for b in state.selected},
        "unavailable": {b.id: b.reason for b in state.unavailable},
        "lane_order": state.lane_order,
        "expectations": str(state.expectations_dir),
        "versions": versions,
    }
