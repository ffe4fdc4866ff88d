"""Problems with a wording, told by the line of the wording they are on."""

from __future__ import annotations

import pytest

from fieldapp.core.editor.problems import Finding, label, located, ordered, refused, summary
from fieldapp.core.templating.lint import LintIssue


def test_refusals_keep_their_source_line_and_lose_the_part_prefix() -> None:
    found = refused(
        [
            LintIssue("syntax_error", "body: the template is not valid: unexpected '}'", 3),
            LintIssue("unknown_field", "subject: unknown merge field victim.nickname", 1),
        ]
    )
    assert [label(f) for f in found] == [
        "Line 3: The template is not valid: unexpected '}'.",
        "Subject: Unknown merge field victim.nickname.",
    ]
    assert all(f.blocking for f in found)


def test_lint_lines_move_to_the_source_line_the_merged_line_came_from() -> None:
    issues = [
        LintIssue("plain_english", "Use plain English: say 'about' instead of 'regarding'.", 2)
    ]
    found = located(issues, (1, 7, 9), blocking=False)
    assert found == (
        Finding(
            "plain_english",
            "Use plain English: say 'about' instead of 'regarding'.",
            blocking=False,
            line=7,
        ),
    )
    assert label(found[0]) == "Line 7: Use plain English: say 'about' instead of 'regarding'."


def test_a_lint_line_that_cannot_be_traced_is_told_as_a_line_of_the_preview() -> None:
    found = located([LintIssue("insecure_link", "Use https.", 4)], None, blocking=False)
    assert found[0].line is None
    assert label(found[0]) == "Line 4 of the preview: Use https."


def test_subject_lint_names_the_subject() -> None:
    message = "In the subject: Explain 'RUI' the first time."
    found = located([LintIssue("unexplained_jargon", message)], (1,), blocking=False)
    assert label(found[0]) == "Subject: Explain 'RUI' the first time."


def test_problems_without_a_line_are_told_alone() -> None:
    found = located([LintIssue("empty_body", "The message is empty.")], (), blocking=True)
    assert label(found[0]) == "The message is empty."


@pytest.mark.parametrize(
    ("findings", "expected"),
    [
        ([], "No problems"),
        ([Finding("a", "A.", True, 3)], "1 problem: line 3"),
        ([Finding("a", "A.", True, 3), Finding("b", "B.", False, 7)], "2 problems: lines 3 and 7"),
        (
            [
                Finding("a", "A.", True, 7),
                Finding("b", "B.", False, 2),
                Finding("c", "C.", True, 3),
            ],
            "3 problems: lines 2, 3 and 7",
        ),
        ([Finding("a", "A.", True, 3), Finding("b", "B.", False, 3)], "2 problems: line 3"),
        ([Finding("a", "A.", True)], "1 problem"),
        (
            [Finding("a", "A.", True, 1, "subject"), Finding("b", "B.", False, 4)],
            "2 problems: the subject and line 4",
        ),
    ],
)
def test_the_summary_is_one_line_to_announce(findings: list[Finding], expected: str) -> None:
    assert summary(findings) == expected


def test_findings_read_subject_first_then_by_line() -> None:
    findings = [
        Finding("w", "W.", False, 5),
        Finding("e", "E.", True, 5),
        Finding("s", "S.", False, None, "subject"),
        Finding("x", "X.", True, 2),
    ]
    assert [f.code for f in ordered(findings)] == ["s", "x", "e", "w"]


def test_a_merge_field_that_starts_a_message_keeps_its_own_spelling() -> None:
    from fieldapp.core.editor.problems import _sentence

    assert _sentence("victim.shoe_size is not a merge field") == (
        "victim.shoe_size is not a merge field."
    )
    assert _sentence("the text is too long") == "The text is too long."
