"""What the benchmark sends to one endpoint: its path template, HTTP method and request body."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from benchmarks.errors import BenchmarkError

#: A ``{name}`` placeholder. JSON's own braces never match: a name starts with a letter or ``_``.
PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def fill_template(
    template: str, values: Mapping[str, str], escape: Callable[[str], str] = str
) -> str:
    """``template`` with each ``{name}`` replaced by ``escape(values[name])``.

    Anything else, including the braces of a JSON object, is left as it is.
    """

    def value_of(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            known = ", ".join(sorted(values)) or "none"
            raise BenchmarkError(
                f"cannot fill in {{{name}}} in {template!r}: no such value (the run has: {known})"
            )
        return escape(values[name])

    return PLACEHOLDER.sub(value_of, template)


def json_string_content(value: str) -> str:
    """``value`` escaped to sit inside a JSON string literal (between its quotes)."""
    return json.dumps(value, ensure_ascii=False)[1:-1]


@dataclass(frozen=True)
class Endpoint:
    """One request to drive: a path template, a method and, for a POST, a JSON body template.

    ``path`` and ``body`` are templates: a ``{name}`` is filled in from the data a run creates
    (see :meth:`fill` and :meth:`filled`); in the body, the value is escaped for a JSON string,
    so a placeholder belongs between quotes (``{"victim_id": "{victim_id}"}``). Results are
    keyed by the ``path`` template alone, so two endpoints of a run must not share it.
    """

    path: str
    method: str = "GET"
    #: The request body, sent with ``Content-Type: application/json``; None sends none.
    body: str | None = None
    #: Extra headers (name, value template), e.g. a console session's ``Cookie``.
    headers: tuple[tuple[str, str], ...] = ()
    #: Send the request to this many copies of its data in turn (see :meth:`filled_all`), so
    #: that repeating a write thousands of times does not pile everything onto one row.
    spread: int = 1

    def fill(self, values: Mapping[str, str]) -> str:
        """The path with its ``{placeholders}`` filled in."""
        return fill_template(self.path, values)

    def fill_body(self, values: Mapping[str, str]) -> str | None:
        """The body with its ``{placeholders}`` filled in; it must then be valid JSON."""
        if self.body is None:
            return None
        body = fill_template(self.body, values, json_string_content)
        try:
            json.loads(body)
        except ValueError as exc:
            raise BenchmarkError(
                f"the body of {self.label} is not JSON once filled in: {body!r}"
            ) from exc
        return body

    def filled(self, values: Mapping[str, str]) -> Endpoint:
        """This request made concrete: path, body and headers filled in, same method."""
        headers = tuple((name, fill_template(value, values)) for name, value in self.headers)
        return Endpoint(self.fill(values), self.method, self.fill_body(values), headers)

    def filled_all(self, values: Mapping[str, str]) -> list[Endpoint]:
        """The concrete requests to send in turn: one per copy of the data (``spread``).

        For copy ``i`` a ``{name}`` takes ``values["name#i"]`` when the run made one, else
        ``values["name"]``.
        """
        copies = []
        for number in range(self.spread):
            own = {
                name: value
                for key, value in values.items()
                for name, _, copy in [key.rpartition("#")]
                if name and copy == str(number)
            }
            copies.append(self.filled({**values, **own}))
        return copies

    @property
    def label(self) -> str:
        """How the endpoint is named in progress lines: ``POST /path`` or just ``/path``."""
        return self.path if self.method == "GET" else f"{self.method} {self.path}"
