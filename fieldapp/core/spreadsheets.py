"""Cells for CSV files that people open in a spreadsheet: text never runs as a formula.

Excel, LibreOffice and Google Sheets treat a cell that starts with ``=``, ``+``, ``-`` or ``@``
(and, in some, a tab or carriage return before one) as a formula, so a team or officer name
such as ``=HYPERLINK(...)`` would run when a supervisor opens the download (OWASP "CSV
Injection"). Such text gets a leading apostrophe, which spreadsheets show as text. Numbers are
left alone: a real negative number is data, not text.
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """The value to write: text that could start a formula is prefixed with an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(values: list[object]) -> list[object]:
    """Every cell of a row made safe."""
    return [safe_cell(value) for value in values]
