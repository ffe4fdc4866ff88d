"""UK postal addresses as GOV.UK Notify's letter API accepts them: lines checked and tidied.

Notify's rules: 3 to 7 lines, the last a real UK postcode, no line starting with one of
``@ ( ) = [ ] " \\ / , < > ~``, and not "no fixed abode" (such letters cannot be delivered).
Only the postcode's shape is checked here (no address lookup): Royal Mail's outward and inward
codes, formatted in capitals with one space.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

MIN_LINES, MAX_LINES, MAX_LINE_LENGTH = 3, 7, 80
INVALID_FIRST_CHARACTERS = '@()=[]"\\/,<>~'
_POSTCODE = re.compile(
    r"(GIR ?0AA|[A-PR-UWYZ](?:[0-9]{1,2}|[A-HK-Y][0-9]{1,2}|[0-9][A-HJKPS-UW]"
    r"|[A-HK-Y][0-9][ABEHMNPRV-Y]) ?[0-9][ABD-HJLNP-UW-Z]{2})"
)
_NO_FIXED_ABODE = re.compile(r"\bno\s+fixed\s+(abode|address)\b", re.IGNORECASE)


def normalise_postcode(text: str) -> str | None:
    """A UK postcode in capitals with one space ("cf101aa" -> "CF10 1AA"), or None if not one."""
    compact = re.sub(r"\s+", "", text).upper()
    if not _POSTCODE.fullmatch(compact):
        return None
    return f"{compact[:-3]} {compact[-3:]}"


def tidy_lines(lines: Sequence[str]) -> list[str]:
    """Lines with whitespace collapsed, trailing commas dropped and blank lines left out."""
    tidied = (re.sub(r"\s+", " ", line).strip().rstrip(",").strip() for line in lines)
    return [line for line in tidied if line]


def address_problems(lines: Sequence[str]) -> list[str]:
    """Why Notify would refuse these (tidied) lines as a UK address; empty when it would not."""
    problems: list[str] = []
    if not MIN_LINES <= len(lines) <= MAX_LINES:
        problems.append(f"Give {MIN_LINES} to {MAX_LINES} lines, the last one the postcode.")
    if any(len(line) > MAX_LINE_LENGTH for line in lines):
        problems.append(f"Each line must be at most {MAX_LINE_LENGTH} characters.")
    if any(line[0] in INVALID_FIRST_CHARACTERS for line in lines if line):
        problems.append(f"No line may start with any of {' '.join(INVALID_FIRST_CHARACTERS)}.")
    if lines and normalise_postcode(lines[-1]) is None:
        problems.append("The last line must be a UK postcode (for example SW1A 2AA).")
    if any(_NO_FIXED_ABODE.search(line) for line in lines):
        problems.append("A letter needs a real address: not 'no fixed abode'.")
    return problems


def normalise_address(lines: Sequence[str]) -> list[str]:
    """Tidied lines with the postcode (last line) formatted; check ``address_problems`` first."""
    tidied = tidy_lines(lines)
    postcode = normalise_postcode(tidied[-1]) if tidied else None
    return [*tidied[:-1], postcode] if postcode else tidied
