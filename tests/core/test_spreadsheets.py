"""CSV cells: text that a spreadsheet would run as a formula is written as text."""

from __future__ import annotations

import pytest

from fieldapp.core.spreadsheets import safe_cell, safe_row


@pytest.mark.parametrize(
    "text", ["=1+1", "+44 20", "-2+3", "@SUM(A1)", "\t=cmd", "\r=cmd", '=HYPERLINK("x")']
)
def test_formula_starts_get_an_apostrophe(text: str) -> None:
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["North", "A=B", "", " =x", 5, -3, 12.5, None])
def test_other_values_are_left_alone(value: object) -> None:
    assert safe_cell(value) == value


def test_rows_are_made_safe_cell_by_cell() -> None:
    assert safe_row(["=x", 3, "ok"]) == ["'=x", 3, "ok"]
