"""The template engine's errors: each carries problems that name what is wrong and where.

Messages name the problem, the merge field and the line, never the data being merged.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a template or its render, for the author to fix."""

    code: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        """The message, with its line when known."""
        return self.message if self.line is None else f"line {self.line}: {self.message}"


class TemplatingError(Exception):
    """Base of every template engine error; ``problems`` lists what went wrong."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("; ".join(str(problem) for problem in self.problems))


class TemplateRefused(TemplatingError):
    """The source is unsafe, invalid, or uses unknown merge fields."""


class MissingData(TemplatingError):
    """The render needs merge fields that the data does not have."""

    def __init__(self, fields: Iterable[str]) -> None:
        self.fields: tuple[str, ...] = tuple(sorted(set(fields)))
        super().__init__(
            Problem("missing_data", f"there is no value for {name} in this message's data")
            for name in self.fields
        )


class OutputTooLong(TemplatingError):
    """The merged text passed the channel's length cap."""

    def __init__(self, max_chars: int) -> None:
        self.max_chars = max_chars
        super().__init__(
            [
                Problem(
                    "output_too_long", f"the merged message is longer than {max_chars} characters"
                )
            ]
        )
