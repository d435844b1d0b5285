"""Source locations in error messages: ``File "...", line N, in f:``, tabs and long lines (ir/nodes.py SrcLoc)."""

from __future__ import annotations

from quadrants.ir.nodes import SrcLoc


def test_header_names_the_function_when_known():
    assert str(SrcLoc("a.py", 3, 0, 1, "x", "foo")) == 'File "a.py", line 3, in foo'
    assert str(SrcLoc("a.py", 3, 0, 1, "x")) == 'File "a.py", line 3'


def test_caret_expands_tabs_to_four_columns():
    loc = SrcLoc("a.py", 1, 9, 11, "    a(1,\t22,\t3)")
    assert loc.caret() == "    a(1,    22, 3)\n            ^^"


def test_long_lines_are_cut_at_80_columns_each_piece_with_its_caret():
    text = " " * 4 + "a" * 100 + "(1)"
    loc = SrcLoc("a.py", 1, 4, 104, text)
    rows = loc.caret().split("\n")
    assert rows == [text[:80], " " * 4 + "^" * 76, text[80:], "^" * 24]


def test_caret_only_under_the_pieces_it_covers():
    text = "x = " + "b" * 90
    rows = SrcLoc("a.py", 1, 0, 1, text).caret().split("\n")
    assert rows == [text[:80], "^", text[80:]]
