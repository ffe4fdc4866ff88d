"""What is wrong with a wording, told by the line of the wording it is on.

Two sources speak in different lines: a refusal (unsafe, unknown field, bad syntax) names the
line of the SOURCE, while lint reads the MERGED message and names its line there. Here both
become ``Finding``s on the wording's own lines (lint lines through a map of merged line to
source line, ``core.templating.source_lines``), ready to be read out: "Line 3: ..." for one,
"2 problems: lines 3 and 7" for all.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from fieldapp.core.templating.lint import LintIssue

Part = Literal["wording", "subject"]
# How the engine and lint say which part a problem is in.
_PART_PREFIXES: tuple[tuple[str, Part], ...] = (
    ("body: ", "wording"),
    ("subject: ", "subject"),
    ("In the subject: ", "subject"),
)


@dataclass(frozen=True)
class Finding:
    """One problem with a wording: an error blocks review; a warning is for the author to judge.

    ``line`` is a line of the wording (or of the subject); when lint names a line of the merged
    message that cannot be traced back, ``preview_line`` keeps it instead.
    """

    code: str
    message: str
    blocking: bool
    line: int | None = None
    part: Part = "wording"
    preview_line: int | None = None


def _split_part(message: str) -> tuple[Part, str]:
    """The part a message is about, and the message without the part's prefix."""
    for prefix, part in _PART_PREFIXES:
        if message.startswith(prefix):
            return part, message.removeprefix(prefix)
    return "wording", message


def _sentence(message: str) -> str:
    """A message as a sentence: a capital first letter (not a merge field's) and a full stop."""
    text = message.strip()
    if not text:
        return text
    first_word = text.split(maxsplit=1)[0]
    if "." not in first_word.rstrip(".") and "_" not in first_word:
        text = text[0].upper() + text[1:]
    return text if text.endswith((".", "?", "!")) else text + "."


def refused(issues: Iterable[LintIssue]) -> tuple[Finding, ...]:
    """Findings from a refusal, whose lines are already lines of the source."""
    found = []
    for issue in issues:
        part, message = _split_part(issue.message)
        found.append(Finding(issue.code, _sentence(message), True, issue.line, part))
    return tuple(found)


def located(
    issues: Iterable[LintIssue], origins: Sequence[int | None] | None, *, blocking: bool
) -> tuple[Finding, ...]:
    """Findings from lint of the merged message, each moved to the source line it came from."""
    found = []
    for issue in issues:
        part, message = _split_part(issue.message)
        line = preview = None
        if issue.line is not None and part == "wording":
            traced = origins[issue.line - 1] if origins and issue.line <= len(origins) else None
            line, preview = (traced, None) if traced is not None else (None, issue.line)
        found.append(Finding(issue.code, _sentence(message), blocking, line, part, preview))
    return tuple(found)


def ordered(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    """Findings in reading order: the subject first, then by line, blocking ones first."""

    def key(finding: Finding) -> tuple[int, int, int]:
        line = finding.line or finding.preview_line
        return (finding.part != "subject", line or 0, not finding.blocking)

    return tuple(sorted(findings, key=key))


def label(finding: Finding) -> str:
    """A finding as one line of text: "Line 3: ...", "Subject: ..." or the message alone."""
    if finding.part == "subject":
        return f"Subject: {finding.message}"
    if finding.line is not None:
        return f"Line {finding.line}: {finding.message}"
    if finding.preview_line is not None:
        return f"Line {finding.preview_line} of the preview: {finding.message}"
    return finding.message


def _and(words: Sequence[str]) -> str:
    """Words joined as in a sentence: "3", "3 and 7", "2, 3 and 7"."""
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def where(findings: Iterable[Finding]) -> str:
    """Where the findings are: "line 3", "lines 3 and 7", "the subject and line 2"; or ""."""
    findings = tuple(findings)
    lines = sorted({f.line for f in findings if f.line is not None and f.part == "wording"})
    places = ["the subject"] if any(f.part == "subject" for f in findings) else []
    if lines:
        places.append(("line " if len(lines) == 1 else "lines ") + _and([str(n) for n in lines]))
    return _and(places)


def summary(findings: Iterable[Finding]) -> str:
    """One line to announce: "No problems", "1 problem: line 3", "2 problems: lines 3 and 7"."""
    findings = tuple(findings)
    if not findings:
        return "No problems"
    count = f"{len(findings)} problem" + ("" if len(findings) == 1 else "s")
    place = where(findings)
    return f"{count}: {place}" if place else count
