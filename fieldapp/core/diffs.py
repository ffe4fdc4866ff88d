"""Side-by-side line diffs of two texts, for reading in a table rather than by colour.

Rows come from ``difflib.SequenceMatcher`` opcodes. Each row says in words what happened to its
line ("Added", "Removed", "Changed", "Unchanged"): screen readers do not announce ``del`` or
``ins``, and colour alone tells some readers nothing. A replaced block pairs its lines in order
as "Changed"; the lines one side has over the other are "Removed" or "Added".
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Final, Literal

Change = Literal["Added", "Removed", "Changed", "Unchanged"]
CHANGES: Final[tuple[Change, ...]] = ("Added", "Removed", "Changed", "Unchanged")


@dataclass(frozen=True)
class DiffRow:
    """One row of a side-by-side diff: a line number and text on either side, or None."""

    change: Change
    old_number: int | None
    old_text: str | None
    new_number: int | None
    new_text: str | None


@dataclass(frozen=True)
class DiffPart:
    """The diff of one named part of a document (a subject, a body)."""

    name: str
    rows: tuple[DiffRow, ...]

    @property
    def changed(self) -> bool:
        """Whether any line of this part differs."""
        return any(row.change != "Unchanged" for row in self.rows)

    def count(self, change: Change) -> int:
        """How many rows made this change."""
        return sum(1 for row in self.rows if row.change == change)


def _lines(text: str | None) -> list[str]:
    """A text's lines without their endings; no text has no lines."""
    return (text or "").splitlines()


def _replaced(old: list[str], new: list[str], i1: int, i2: int, j1: int, j2: int) -> list[DiffRow]:
    """A replaced block: lines paired in order, the longer side's rest added or removed."""
    rows: list[DiffRow] = []
    for offset in range(max(i2 - i1, j2 - j1)):
        i, j = i1 + offset, j1 + offset
        if i < i2 and j < j2:
            rows.append(DiffRow("Changed", i + 1, old[i], j + 1, new[j]))
        elif i < i2:
            rows.append(DiffRow("Removed", i + 1, old[i], None, None))
        else:
            rows.append(DiffRow("Added", None, None, j + 1, new[j]))
    return rows


def side_by_side(old_text: str | None, new_text: str | None) -> tuple[DiffRow, ...]:
    """The rows of a side-by-side diff from ``old_text`` to ``new_text``, line numbers from 1."""
    old, new = _lines(old_text), _lines(new_text)
    rows: list[DiffRow] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            rows.extend(
                DiffRow("Unchanged", i + 1, old[i], j + 1, new[j])
                for i, j in zip(range(i1, i2), range(j1, j2), strict=True)
            )
        elif tag == "delete":
            rows.extend(DiffRow("Removed", i + 1, old[i], None, None) for i in range(i1, i2))
        elif tag == "insert":
            rows.extend(DiffRow("Added", None, None, j + 1, new[j]) for j in range(j1, j2))
        else:
            rows.extend(_replaced(old, new, i1, i2, j1, j2))
    return tuple(rows)


def diff_parts(old: dict[str, str | None], new: dict[str, str | None]) -> tuple[DiffPart, ...]:
    """A diff per named part, in ``new``'s order; a part neither side has is left out."""
    names = list(new) + [name for name in old if name not in new]
    return tuple(
        DiffPart(name, side_by_side(old.get(name), new.get(name)))
        for name in names
        if old.get(name) is not None or new.get(name) is not None
    )
