"""The pytest item of one case on one backend: run on the reference, run on the backend, judge, explain."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from quadrants_conformance.case import Case
from quadrants_conformance.observation import observe
from quadrants_conformance.report import PROP_CASE, PROP_CATEGORY, PROP_MESSAGE, PROP_NODE, PROP_SECTION
from quadrants_conformance.repro import format_repro
from quadrants_conformance.verdict import REFERENCE, Verdict, case_line, judge

if TYPE_CHECKING:
    from quadrants_conformance.plugin import State

__all__ = ["CaseItem", "ConformanceFailure"]


class ConformanceFailure(Exception):
    """Raised by :meth:`CaseItem.runtest` when the verdict is not a pass; carries the verdict for the repro block."""

    def __init__(self, verdict: Verdict):
        super().__init__(verdict.problems[0] if verdict.problems else verdict.category)
        self.verdict = verdict


class CaseItem(pytest.Item):
    """``test_module.py::case_id[backend]``."""

    def __init__(self, *, case: Case, backend: str, state: State, **kwargs: Any):
        super().__init__(**kwargs)
        self.case = case
        self.backend = backend
        self.state = state
        self.qualified_id = f"{self.path.name}::{case.id}"
        self.user_properties.append((PROP_CASE, self.qualified_id))
        self.user_properties.append((PROP_NODE, f"{self.qualified_id}[{backend}]"))
        if case.section:
            self.user_properties.append((PROP_SECTION, case.section))
        self.extra_keyword_matches.add(backend)
        entry = state.expected_failure(backend, self.qualified_id)
        if entry is not None:
            self.add_marker(pytest.mark.xfail(reason=f"{entry.where}: {entry.reason}", strict=True))

    def setup(self) -> None:
        """Skip as ``unsupported: <capability>`` when the backend lacks one the case requires."""
        info = self.state.backends[self.backend]
        for requirement in self.case.requires:
            if not info.supports_requirement(requirement):
                # reported at the case's own line (reportinfo), not at this line of the harness
                raise pytest.skip.Exception(f"unsupported: {requirement}", _use_item_location=True)

    def runtest(self) -> None:
        """Reference run, backend run (unless the backend is the reference with its default lane order), verdict."""
        driver, lane_order = self.state.driver, self.state.lane_order
        reference = observe(self.case, driver, REFERENCE)
        under_test = None
        if self.backend != REFERENCE or lane_order:
            under_test = observe(self.case, driver, self.backend, lane_order)
        try:
            verdict = judge(self.case, reference, under_test)
        except Exception as exc:  # e.g. an unknown tolerance row: the case is broken, not the backend
            verdict = Verdict("error", [f"the harness could not judge the case: {exc!r}"], None, reference, under_test)
        if verdict.ok:
            return
        if verdict.category == "error":
            self.user_properties.append((PROP_CATEGORY, "error"))
        first = verdict.problems[0].splitlines()[0] if verdict.problems else verdict.category
        self.user_properties.append((PROP_MESSAGE, first[:300]))
        raise ConformanceFailure(verdict)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        """The repro block for conformance failures; pytest's own rendering for harness crashes."""
        if isinstance(excinfo.value, ConformanceFailure):
            info = self.state.backends.get(self.backend)
            return format_repro(
                self.case,
                self.qualified_id,
                self.backend,
                excinfo.value.verdict,
                self.state.lane_order,
                info.device if info else "",
            )
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self) -> tuple[Any, int | None, str]:
        """Where the case is defined (0-based line, as pytest expects)."""
        return self.path, max(case_line(self.case) - 1, 0), f"{self.qualified_id}[{self.backend}]"
