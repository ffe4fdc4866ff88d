"""The merge context: plain data in, a fresh dict of strings and lists out.

Services fill the dataclasses here from their rows; ``build_context`` turns them into the only
thing a template ever sees. Dates and times are written out for the message's language in UK
time. Data that is absent is left out of the dict, so that the engine can say which field a
template needed and did not get.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from importlib import resources
from typing import Any

from fieldapp.core.templating.dates import as_london, format_date, format_time
from fieldapp.core.templating.details import event_details_context

PACKAGE = "fieldapp.core.templating"
TEMPLATE_LANGUAGES = ("en", "cy")


@dataclass(frozen=True)
class VictimData:
    """The recipient."""

    first_name: str
    last_name: str
    role: str = "victim"
    organisation_name: str | None = None


@dataclass(frozen=True)
class CaseData:
    """The case the message is about."""

    crime_reference: str
    offence: str | None = None


@dataclass(frozen=True)
class OfficerData:
    """The officer in charge; rank, collar number and phone may not be recorded."""

    name: str
    rank: str | None = None
    collar_number: str | None = None
    phone: str | None = None


@dataclass(frozen=True)
class EventData:
    """An investigation event; ``details`` is keyed as in the event schemas."""

    type: str
    occurred_at: datetime
    details: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ForceData:
    """The police force sending the message, and where victims can get help."""

    name: str
    phone: str
    website: str
    support_name: str
    support_phone: str
    victims_code_url: str
    review_url: str
    complaints_url: str
    witness_care_name: str = ""
    witness_care_phone: str = ""
    restorative_justice_url: str = ""
    compensation_url: str = ""


@dataclass(frozen=True)
class MergeData:
    """Everything a message may merge; a periodic update has no event."""

    victim: VictimData
    case: CaseData
    officer: OfficerData
    force: ForceData
    event: EventData | None = None
    # The force's details for Welsh messages (names given in Welsh); ``force`` when absent.
    force_cy: ForceData | None = None
    next_update_on: date | None = None
    # Free text the officer types when writing (only the names in INPUT_FIELDS).
    inputs: Mapping[str, str] = field(default_factory=dict)


# The free-text values an officer may give when writing a message (the ``input.*`` fields).
INPUT_FIELDS = ("reason", "note")


def build_context(data: MergeData, *, language: str) -> dict[str, Any]:
    """A fresh plain dict for a render: keys are the catalogue's roots, absent data left out."""
    if language not in TEMPLATE_LANGUAGES:
        raise ValueError(f"unknown language {language!r}")
    officer = data.officer
    force = data.force_cy if language == "cy" and data.force_cy is not None else data.force
    context: dict[str, Any] = {
        "victim": _present(
            first_name=data.victim.first_name,
            last_name=data.victim.last_name,
            full_name=" ".join(
                part for part in (data.victim.first_name, data.victim.last_name) if part
            ),
            role=data.victim.role,
            organisation_name=data.victim.organisation_name,
        ),
        "case": _present(crime_reference=data.case.crime_reference, offence=data.case.offence),
        "officer": _present(
            name=officer.name,
            rank=officer.rank,
            collar_number=officer.collar_number,
            contact_phone=officer.phone or force.phone,
        ),
        "force": _present(**{name: getattr(force, name) for name in _FORCE_FIELDS}),
        "next_update": _present(
            date=None if data.next_update_on is None else format_date(data.next_update_on, language)
        ),
    }
    if data.event is not None:
        context["event"] = _event_context(data.event, language)
    context["input"] = _present(**{name: data.inputs.get(name) for name in INPUT_FIELDS})
    return context


_FORCE_FIELDS = (
    "name",
    "phone",
    "website",
    "support_name",
    "support_phone",
    "victims_code_url",
    "review_url",
    "complaints_url",
    "witness_care_name",
    "witness_care_phone",
    "restorative_justice_url",
    "compensation_url",
)


def _present(**values: Any) -> dict[str, Any]:
    """The values that are there: ``None`` and empty strings are left out."""
    return {name: value for name, value in values.items() if value is not None and value != ""}


def _event_context(event: EventData, language: str) -> dict[str, Any]:
    """The ``event`` part of the context: when it happened, then what its details say."""
    when = as_london(event.occurred_at)
    return {
        "date": format_date(when.date(), language),
        "time": format_time(when, language),
        **event_details_context(event.type, event.details, language),
    }


@cache
def _sample_block() -> str:
    """The ``sample`` block of merge_fields.json, as JSON text (so callers get fresh copies)."""
    text = resources.files(PACKAGE).joinpath("merge_fields.json").read_text(encoding="utf-8")
    return json.dumps(json.loads(text)["sample"])


def sample_merge_data() -> MergeData:
    """The built-in sample data, used for previews and the catalogue's examples."""
    sample = json.loads(_sample_block())
    event = sample.get("event")
    next_update = sample.get("next_update_on")
    return MergeData(
        victim=VictimData(**sample["victim"]),
        case=CaseData(**sample["case"]),
        officer=OfficerData(**sample["officer"]),
        force=ForceData(**sample["force"]),
        event=None
        if event is None
        else EventData(
            type=event["type"],
            occurred_at=datetime.fromisoformat(event["occurred_at"]),
            details=event.get("details", {}),
        ),
        next_update_on=None if next_update is None else date.fromisoformat(next_update),
        inputs=sample.get("input", {}),
    )
