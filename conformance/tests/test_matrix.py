"""The backend x feature matrix and the HTML report (quadrants_conformance.matrix), and node ids without a path."""

from __future__ import annotations

from collections import Counter
from types import SimpleNamespace

from quadrants_conformance.matrix import cell, main, matrix_rows, render_html, render_markdown, render_text
from quadrants_conformance.report import PROP_CASE, PROP_NODE, Results

RECORDS = [
    {"module": "test_a.py", "backend": "ref", "outcome": "passed", "id": "test_a.py::one", "message": ""},
    {"module": "test_a.py", "backend": "wgpu", "outcome": "failed", "id": "test_a.py::one", "message": "x <b>"},
    {"module": "test_b.py", "backend": "wgpu", "outcome": "unsupported", "id": "test_b.py::two", "message": "f64"},
    {"module": "test_b.py", "backend": "ref", "outcome": "passed", "id": "test_b.py::two", "message": ""},
]


def test_cells_show_passed_of_total_and_every_other_outcome():
    assert cell(Counter(passed=25, failed=1, unsupported=1)) == "25/27 F1 u1"
    assert cell(Counter(passed=3)) == "3/3"
    assert cell(Counter()) == "-"


def test_rows_per_module_and_backend_with_a_total():
    rows = matrix_rows(RECORDS, ["ref", "wgpu"])
    assert [m for m, _ in rows] == ["test_a.py", "test_b.py", "TOTAL"]
    assert [cell(c) for c in rows[-1][1]] == ["2/2", "0/2 F1 u1"]
    text = render_text(RECORDS, ["ref", "wgpu"])
    assert text[0].split() == ["module", "ref", "wgpu"] and "0/2 F1 u1" in text[-1]
    assert "| test_b.py | `1/1` | `0/1 u1` |" in render_markdown(RECORDS, ["ref", "wgpu"])


def test_html_is_self_contained_and_escapes_messages():
    page = render_html(RECORDS, ["ref", "wgpu"], {"lane_order": None})
    assert page.startswith("<!doctype html>") and "<script" not in page and "href=" not in page
    assert "x &lt;b&gt;" in page and 'class="bad"' in page and 'class="part"' in page


def test_matrix_of_a_saved_report(tmp_path, capsys):
    import json

    path = tmp_path / "r.json"
    path.write_text(json.dumps({"backends": ["ref", "wgpu"], "cases": RECORDS}))
    assert main([str(path)]) == 0
    assert "| TOTAL |" in capsys.readouterr().out


def test_a_node_id_without_a_path_takes_the_module_from_the_item():
    results = Results(["ref"])
    props = [(PROP_CASE, "test_a.py::one"), (PROP_NODE, "test_a.py::one[ref]")]
    report = SimpleNamespace(nodeid="::one[ref]", when="teardown", user_properties=props, duration=0.0,
                             failed=False, skipped=False, passed=True)  # fmt: skip
    record = results._finish(report, "passed", 0.0, "")
    assert (record.module, record.backend) == ("test_a.py", "ref")
