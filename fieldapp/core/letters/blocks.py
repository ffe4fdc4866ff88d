"""A letter's body text as blocks to print: paragraphs, headings and bullet lists.

The text is what a letter template rendered: paragraphs separated by blank lines, a line
starting "- " is a bullet, and a paragraph of one short line without closing punctuation
("What happens next") is a heading. Line breaks inside a paragraph are kept (a signature).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

BlockKind = Literal["paragraph", "heading", "bullets"]
BULLET = "- "
#: A heading is short and does not end like a sentence or a greeting.
HEADING_MAX = 60
SENTENCE_END = re.compile("[.,:;!?)\"'\u2026\u201d\u2019]$")


@dataclass(frozen=True)
class Block:
    """One printed block: its kind and its lines (one line per bullet for a list)."""

    kind: BlockKind
    lines: tuple[str, ...]


def _split_paragraphs(text: str) -> list[list[str]]:
    """Groups of non-blank lines, separated by blank lines; trailing spaces dropped."""
    groups: list[list[str]] = [[]]
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = raw.rstrip()
        if line.strip():
            groups[-1].append(line)
        elif groups[-1]:
            groups.append([])
    return [group for group in groups if group]


def _runs(lines: list[str]) -> list[Block]:
    """A paragraph's lines split into runs of ordinary lines and runs of bullets."""
    blocks: list[Block] = []
    for line in lines:
        stripped = line.lstrip()
        kind: BlockKind = "bullets" if stripped.startswith(BULLET) else "paragraph"
        text = stripped[len(BULLET) :].strip() if kind == "bullets" else line.strip()
        if blocks and blocks[-1].kind == kind:
            blocks[-1] = Block(kind, (*blocks[-1].lines, text))
        else:
            blocks.append(Block(kind, (text,)))
    return blocks


def _is_heading(lines: list[str], *, last: bool) -> bool:
    """One short line that is not a sentence, and not the letter's closing line."""
    line = lines[0].strip()
    return (
        len(lines) == 1
        and not last
        and not line.startswith(BULLET)
        and len(line) <= HEADING_MAX
        and SENTENCE_END.search(line) is None
    )


def parse_body(text: str) -> tuple[Block, ...]:
    """The blocks of a letter body, in order."""
    groups = _split_paragraphs(text)
    blocks: list[Block] = []
    for index, group in enumerate(groups):
        if _is_heading(group, last=index == len(groups) - 1):
            blocks.append(Block("heading", (group[0].strip(),)))
        else:
            blocks.extend(_runs(group))
    return tuple(blocks)
