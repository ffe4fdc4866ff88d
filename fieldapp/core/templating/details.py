"""An event's structured details as merge fields: court, remand, conditions, results, reasons.

Pure: takes the details as stored (the event schemas' JSON) and gives strings and lists in the
message's language. A field whose data is absent is left out, so that the engine can say which
field a template needed and did not get; lists of conditions are empty rather than absent on the
events that carry them, so that a template can say "none of the conditions are about you".
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fieldapp.core.templating.conditions import protective_sentences
from fieldapp.core.templating.dates import (
    as_date,
    as_datetime,
    as_london,
    format_date,
    format_time,
)
from fieldapp.core.templating.reasons import reasons_text
from fieldapp.core.templating.wording import words

# Events whose conditions are always a list (empty when none protect the victim).
CONDITION_EVENT_TYPES = ("bailed", "bail_varied", "charged")
YOUTH_OUTCOME_EVENT = "youth_out_of_court_outcome"
BAIL_DECISION_EVENT = "bail_decision_pending"
# The codes of the three results are distinct, so a result reads the same on any event.
RESULT_TABLES = ("hearing_result", "appeal_outcome", "vrr_result")
REVIEW_APPLIES = "yes"


def event_details_context(
    event_type: str, details: Mapping[str, Any], language: str
) -> dict[str, Any]:
    """The ``event.*`` merge fields that come from an event's details."""
    values = _present(
        reasons=reasons_text(details, language),
        decision_maker=details.get("decision_maker"),
        review_applies=review_applies(details),
        outcome=_outcome(event_type, details.get("outcome"), language),
        service=details.get("service"),
        answer_bail_on=_day(details.get("answer_bail_on"), language),
        decision_date=_moment_day(details.get("decision_due_at"), language),
        method_unavailable=words("method", details.get("method"), language),
        result=_result(details.get("result"), language),
        sentence=details.get("sentence"),
        appeal=appeal_sentence(details, language),
        **_court(details, language),
    )
    if event_type in CONDITION_EVENT_TYPES or "conditions" in details:
        values["bail_conditions"] = protective_sentences(details.get("conditions") or (), language)
    if event_type == BAIL_DECISION_EVENT or "proposed_conditions" in details:
        proposed = details.get("proposed_conditions") or ()
        values["proposed_conditions"] = protective_sentences(proposed, language)
    if details.get("charges") is not None:
        values["charges"] = [str(charge) for charge in details["charges"]]
    return values


def review_applies(details: Mapping[str, Any]) -> str | None:
    """'yes' when the victim may ask the police to review the decision, else ``None``.

    The police's Victims' Right to Review covers a police decision not to charge a suspect who
    was interviewed (under caution); the CPS has its own scheme, and without an interviewed
    suspect there is no decision to review.
    """
    police = details.get("decision_maker") == "police"
    return REVIEW_APPLIES if police and details.get("suspect_interviewed") is True else None


def appeal_sentence(details: Mapping[str, Any], language: str) -> str | None:
    """Who appealed and against what, as one sentence; ``None`` unless both are given."""
    by = words("appeal_by", details.get("appeal_by"), language)
    against = words("appeal_against", details.get("appeal_against"), language)
    return None if by is None or against is None else f"{by} {against}"


def _court(details: Mapping[str, Any], language: str) -> dict[str, Any]:
    """The court, its address, the hearing's day, time and purpose, and the remand status."""
    hearing = details.get("hearing_at")
    hearing_at = None if hearing is None else as_london(as_datetime(hearing))
    welsh_name = details.get("court_name_cy") if language == "cy" else None
    return {
        "court_name": welsh_name or details.get("court_name"),
        "court_address": details.get("court_address"),
        "hearing_date": None if hearing_at is None else format_date(hearing_at.date(), language),
        "hearing_time": None if hearing_at is None else format_time(hearing_at, language),
        "hearing_type": words("hearing_type", details.get("hearing_type"), language),
        "remand_status": words("remand_status", details.get("remand_status"), language),
    }


def _outcome(event_type: str, code: object, language: str) -> str | None:
    """An out-of-court outcome (youth or adult) in plain words."""
    table = "youth_outcome" if event_type == YOUTH_OUTCOME_EVENT else "out_of_court_outcome"
    return words(table, code, language)


def _result(code: object, language: str) -> str | None:
    """A hearing result, appeal outcome or review result as a sentence."""
    for table in RESULT_TABLES:
        sentence = words(table, code, language)
        if sentence is not None:
            return sentence
    return None


def _day(value: Any, language: str) -> str | None:
    """A stored date written out, or ``None``."""
    return None if value is None else format_date(as_date(value), language)


def _moment_day(value: Any, language: str) -> str | None:
    """The UK day of a stored date-time written out, or ``None``."""
    return None if value is None else format_date(as_london(as_datetime(value)).date(), language)


def _present(**values: Any) -> dict[str, Any]:
    """The values that are there: ``None`` and empty strings are left out."""
    return {name: value for name, value in values.items() if value is not None and value != ""}
