"""Errors name the problem and the line, and never the data being merged."""

from __future__ import annotations

from fieldapp.core.templating.errors import (
    MissingData,
    OutputTooLong,
    Problem,
    TemplateRefused,
    TemplatingError,
)


def test_problem_reads_with_its_line() -> None:
    assert str(Problem("call", "calling is not allowed", 3)) == "line 3: calling is not allowed"


def test_problem_without_line_reads_as_its_message() -> None:
    assert str(Problem("source_too_long", "too long")) == "too long"


def test_refusal_carries_every_problem_and_joins_them_in_its_message() -> None:
    problems = (Problem("call", "no calls", 1), Problem("set", "no set", 2))
    error = TemplateRefused(problems)
    assert error.problems == problems
    assert str(error) == "line 1: no calls; line 2: no set"
    assert isinstance(error, TemplatingError)


def test_missing_data_names_each_field_once_in_order() -> None:
    error = MissingData(["event.date", "case.offence", "event.date"])
    assert error.fields == ("case.offence", "event.date")
    assert [p.code for p in error.problems] == ["missing_data", "missing_data"]
    assert "case.offence" in str(error)
    assert "event.date" in str(error)


def test_output_too_long_names_the_cap() -> None:
    error = OutputTooLong(918)
    assert error.max_chars == 918
    assert error.problems[0].code == "output_too_long"
    assert "918" in str(error)
