"""The load's journal: what the locust process saw, one JSON line per event, read by the run.

The officers (deploy/locustfile.py) write every request as a sample and what they wrote and
queued; :func:`read` turns the file back into :class:`~deploy.report.Sample` s and a
:class:`Tally`. Stdlib only, so that the run and the tests read it without importing locust.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from deploy.report import NO_ANSWER, Sample


@dataclass
class Tally:
    """What the officers wrote and queued, for the exactly-once check."""

    written: dict[str, list[str]] = field(default_factory=dict)  # key -> message ids
    given_up: int = 0
    write_retries: int = 0
    queued: set[str] = field(default_factory=set)
    #: Writes sent twice at once with one key, and those whose two 2xx answers named other rows.
    double_taps: int = 0
    double_taps_split: int = 0

    def merge(self, other: Tally) -> Tally:
        """This tally and another load's together."""
        return Tally(
            written={**self.written, **other.written},
            given_up=self.given_up + other.given_up,
            write_retries=self.write_retries + other.write_retries,
            queued=self.queued | other.queued,
            double_taps=self.double_taps + other.double_taps,
            double_taps_split=self.double_taps_split + other.double_taps_split,
        )


def sample_line(sample: Sample) -> str:
    """One request as a journal line."""
    return json.dumps({"kind": "sample", **asdict(sample)}) + "\n"


def sample_from_hook(
    ended: float, name: str, response_ms: float, status: int, server: str, error: str
) -> Sample:
    """A sample from what locust's ``request`` event gives (``ended`` on the run's clock).

    The detail (the exception's class) is kept only when no answer came: locust also reports
    4xx and 5xx answers with an exception, which the status already says.
    """
    return Sample(
        started=ended - response_ms / 1000,
        ended=ended,
        endpoint=name,
        status=status,
        server=server,
        detail=error if status == NO_ANSWER else "",
    )


def written_line(key: str, ids: Iterable[str], retries: int) -> str:
    """A message written (201) under ``key`` after ``retries`` retries with it."""
    return json.dumps({"kind": "written", "key": key, "ids": list(ids), "retries": retries}) + "\n"


def given_up_line(key: str) -> str:
    """A write given up (never answered 201 within the retry time)."""
    return json.dumps({"kind": "given_up", "key": key}) + "\n"


def double_tap_line(key: str, answers: Iterable[Iterable[str]]) -> str:
    """A write sent twice at once under ``key``: the ids each 2xx answer named."""
    lists = [sorted(ids) for ids in answers]
    return json.dumps({"kind": "double_tap", "key": key, "answers": lists}) + "\n"


def queued_line(message_id: str) -> str:
    """A message queued for Notify (202)."""
    return json.dumps({"kind": "queued", "id": message_id}) + "\n"


def parse(lines: Iterable[str]) -> tuple[list[Sample], Tally]:
    """The samples and tally of complete journal lines (a line still being written is skipped)."""
    samples: list[Sample] = []
    tally = Tally()
    for line in lines:
        if not line.endswith("\n"):
            continue
        event: dict[str, Any] = json.loads(line)
        kind = event.pop("kind")
        if kind == "sample":
            samples.append(Sample(**event))
        elif kind == "written":
            tally.written[event["key"]] = event["ids"]
            tally.write_retries += event["retries"]
        elif kind == "given_up":
            tally.given_up += 1
        elif kind == "queued":
            tally.queued.add(event["id"])
        elif kind == "double_tap":
            tally.double_taps += 1
            if len({tuple(ids) for ids in event["answers"]}) > 1:
                tally.double_taps_split += 1
    return samples, tally


def read(path: Path) -> tuple[list[Sample], Tally]:
    """The journal's samples and tally so far (none if it does not exist yet)."""
    if not path.exists():
        return [], Tally()
    with path.open(encoding="utf-8") as journal:
        return parse(journal)
