"""What the benchmark sends to one endpoint: its path template, HTTP method and request body."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from benchmarks.errors import BenchmarkError


@dataclass(frozen=True)
class Endpoint:
    """One request to drive: a path template, a method and, for a POST, a JSON body as text.

    ``path`` is a template: a ``{name}`` is filled in from the data a run creates (see
    :func:`fill`). Results are keyed by ``path`` alone, so two endpoints of a run must not share it.
    """

    path: str
    method: str = "GET"
    #: The request body, sent as is with ``Content-Type: application/json``; None sends none.
    body: str | None = None

    def fill(self, values: Mapping[str, str]) -> str:
        """The path with its ``{placeholders}`` filled in."""
        try:
            return self.path.format_map(values)
        except (KeyError, IndexError, ValueError) as exc:
            raise BenchmarkError(
                f"cannot fill in the path {self.path!r} from {dict(values)}"
            ) from exc

    @property
    def label(self) -> str:
        """How the endpoint is named in progress lines: ``POST /path`` or just ``/path``."""
        return self.path if self.method == "GET" else f"{self.method} {self.path}"
