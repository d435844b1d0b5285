"""Expectation files: parsing, mandatory reasons, matching ids."""

from __future__ import annotations

import pytest

from quadrants_conformance import expectations
from quadrants_conformance.expectations import ExpectationError, matches, parse


def test_parse_entries_comments_and_blank_lines():
    text = "# header\n\ntest_a.py::one   # reason one\n  two # reason # with hash\n"
    entries = parse(text, "x.txt")
    assert [(e.case_id, e.reason, e.line) for e in entries] == [
        ("test_a.py::one", "reason one", 3),
        ("two", "reason # with hash", 4),
    ]
    assert entries[0].where == "x.txt:3"


@pytest.mark.parametrize("line", ["lonely_case", "lonely_case  #", "lonely_case #   "])
def test_reason_is_mandatory(line):
    with pytest.raises(ExpectationError, match="needs a reason"):
        parse(line, "b.txt")


def test_one_id_per_line():
    with pytest.raises(ExpectationError, match="one case id"):
        parse("a b  # two ids", "b.txt")


def test_matches_qualified_and_bare():
    (entry,) = parse("case_x  # r")
    assert matches(entry, "test_m.py::case_x")
    assert not matches(entry, "test_m.py::case_xy")
    (entry,) = parse("test_m.py::case_x  # r")
    assert matches(entry, "test_m.py::case_x")
    assert not matches(entry, "test_n.py::case_x")


def test_shipped_ref_file_is_empty():
    assert expectations.load(expectations.DEFAULT_DIR, "ref") == []
    assert (expectations.DEFAULT_DIR / "ref.txt").is_file()


def test_missing_file_means_no_expectations(tmp_path):
    assert expectations.load(tmp_path, "nobody") == []
