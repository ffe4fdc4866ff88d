"""Which line of a template's source each line of its merged message came from.

Lint reads the MERGED message, so its line numbers count lines of the output; an author fixes
the SOURCE, where ``{% if %}`` lines leave no output and a list field may fill several lines.
To tell them apart the source is rendered once more with every piece of its text marked with
the line it starts on (markers are private-use characters no template can contain), and each
output line is given the line of its first marked text; a line that starts inside a merged
value (a multi-line reason) keeps the line of the text before it. The marked render is then
tidied exactly as ``render_wording`` tidies a body, and checked against the real merged body:
if they differ the answer is None (unknown), never a wrong line.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from jinja2 import nodes

from fieldapp.core.templating import sms
from fieldapp.core.templating.engine import render
from fieldapp.core.templating.errors import TemplatingError

# Text that starts a piece of template text, and text that follows one of its newlines.
_START, _NEWLINE, _END = "\ue000", "\ue001", "\ue002"
_MARK = re.compile(f"([{_START}{_NEWLINE}])(\\d+){_END}")
_ANY_MARK = re.compile(f"[{_START}{_NEWLINE}]\\d+{_END}")
# Room for the markers on top of the longest body a channel may produce.
_TRACE_MAX_CHARS = 400_000


def mark_text(tree: nodes.Template) -> None:
    """Mark each piece of text in a parsed template with the source line it starts on."""
    for node in tree.find_all(nodes.TemplateData):
        first, *rest = node.data.split("\n")
        parts = [f"{_START}{node.lineno}{_END}{first}"]
        parts += [f"{_NEWLINE}{node.lineno + n}{_END}{part}" for n, part in enumerate(rest, 1)]
        node.data = "\n".join(parts)


def attribute_lines(marked: str) -> list[tuple[int | None, str]]:
    """Each line of a marked render with its source line, and its text without the markers."""
    lines: list[tuple[int | None, str]] = []
    last: int | None = None
    for raw in marked.split("\n"):
        marks = [(kind, int(number)) for kind, number in _MARK.findall(raw)]
        starts = [number for kind, number in marks if kind == _START]
        text = _ANY_MARK.sub("", raw)
        if starts:
            line: int | None = starts[0]
        elif marks:
            line = marks[0][1]
        else:
            line = last
        lines.append((line, text))
        if marks:
            last = marks[-1][1]
    return lines


def _tidy_sms(lines: Sequence[tuple[int | None, str]]) -> list[tuple[int | None, str]]:
    """Lines as ``sms.normalise`` leaves them: cleaned, blank runs as one blank, trimmed."""
    tidy: list[tuple[int | None, str]] = []
    for line, text in lines:
        for piece in text.splitlines() or [""]:
            cleaned = sms.normalise(piece)
            if cleaned or not tidy or tidy[-1][1]:
                tidy.append((line, cleaned))
    return _trim(tidy)


def _trim(lines: list[tuple[int | None, str]]) -> list[tuple[int | None, str]]:
    """Without blank lines at either end, as ``str.strip`` leaves a text."""
    start, end = 0, len(lines)
    while start < end and not lines[start][1].strip():
        start += 1
    while end > start and not lines[end - 1][1].strip():
        end -= 1
    return lines[start:end]


def trace_lines(
    source: str, context: Mapping[str, Any], *, channel: str, merged: str
) -> tuple[int | None, ...] | None:
    """For each line of ``merged`` (the body as rendered), its source line; None if unknown."""
    try:
        marked = render(source, context, max_chars=_TRACE_MAX_CHARS, transform=mark_text)
    except TemplatingError:
        return None
    attributed = attribute_lines(marked)
    tidy = _tidy_sms(attributed) if channel == "sms" else _trim(attributed)
    if "\n".join(text for _, text in tidy).strip() != merged:
        return None
    return tuple(line for line, _ in tidy)
