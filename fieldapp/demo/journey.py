"""A victim's journey from report to sentence, driven through the HTTP API as a phone would.

``flask --app wsgi demo journey`` opens a new fictional case on the demo database and records
eleven events over five weeks (dated in the past, on weekdays), writing after each the messages
and contacts that meet the duties it created, then prints the journey as Markdown
(``fieldapp.demo.journey_report``). It runs in-process through ``app.test_client()``, so every
step goes through the real routes, sign-in, access checks and audit. The script is data: what
happens, when, and how each duty is met.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from fieldapp.demo.journey_api import JourneyApi

LONDON = ZoneInfo("Europe/London")
JOURNEY_REFERENCE = "42/100317/26"
JOURNEY_OFFENCE = "burglary of a home"
JOURNEY_VICTIM: dict[str, Any] = {
    "first_name": "Helen",
    "last_name": "Carter",
    "phone": "07700 900106",
    "email": "helen.carter@example.com",
    "preferred_channel": "sms",
    "safe_channels": ["sms", "email", "letter"],
    "language": "en",
    "postal_address": ["Ms Helen Carter", "7 Orchard Close", "Northtown", "Demoshire", "AA1 1AA"],
}
COURT = {
    "court_name": "Northtown Magistrates' Court",
    "court_address": "The Court House, 1 Castle Street, Northtown AA1 2AA",
}
MESSAGE, CONTACT = "message", "contact"
NO_CONTACT = {"type": "no_contact", "person": "Helen Carter", "protects_victim": True}
NOT_GO_NEAR = {"type": "not_go_near_address", "address": "7 Orchard Close", "protects_victim": True}


@dataclass(frozen=True)
class When:
    """A moment in the journey: week (0-4, before the current week), weekday (0 = Monday), time."""

    week: int
    weekday: int
    at: str  # "HH:MM", London time

    def day(self, first_monday: date) -> date:
        """The London date, counted from the journey's first Monday."""
        return first_monday + timedelta(weeks=self.week, days=self.weekday)

    def resolve(self, first_monday: date) -> datetime:
        """The moment in UTC, counted from the journey's first Monday."""
        clock = time.fromisoformat(self.at)
        return datetime.combine(self.day(first_monday), clock, tzinfo=LONDON).astimezone(UTC)


@dataclass(frozen=True)
class WriteMessage:
    """Write a built-in template for the step's duty of ``kind``, then confirm it sent."""

    kind: str
    template_key: str


@dataclass(frozen=True)
class RecordContact:
    """Record a contact for the step's duty of ``kind``; ``covered=None`` covers what is left."""

    kind: str
    method: str
    when: When
    summary: str
    outcome: str = "reached"
    covered: tuple[str, ...] | None = None


Action = WriteMessage | RecordContact


@dataclass(frozen=True)
class Step:
    """One event in the journey and what the officer does about the duties it creates."""

    event_type: str
    when: When
    details: dict[str, Any] = field(default_factory=dict)
    dates: dict[str, When] = field(default_factory=dict)  # details given as moments
    days: dict[str, When] = field(default_factory=dict)  # details given as dates (time unused)
    actions: tuple[Action, ...] = ()


STEPS: tuple[Step, ...] = (
    Step("crime_recorded", When(0, 0, "19:40"),
         actions=(WriteMessage("written_confirmation", "crime-recorded-email-en"),)),
    Step("support_referral", When(0, 1, "10:15"), {"service": "Northtown Victim Support"}),
    Step("needs_assessed", When(0, 1, "10:40"), {
        "notes": "Prefers texts; email for anything long; letters are fine. No interpreter."}),
    Step("arrested", When(0, 2, "07:10"),
         actions=(WriteMessage("key_decision", "arrested-sms-en"),)),
    Step("interviewed", When(0, 2, "13:20"),
         actions=(WriteMessage("key_decision", "interviewed-letter-en"),)),
    Step("bailed", When(0, 2, "18:05"), {"conditions": [NO_CONTACT, NOT_GO_NEAR]},
         days={"answer_bail_on": When(2, 2, "00:00")},
         actions=(
             RecordContact("key_decision", "phone", When(0, 2, "18:30"),
                           "Rang to explain the bail conditions; no answer.", "not_reached"),
             WriteMessage("key_decision", "bailed-sms-en"),
             RecordContact("key_decision", "phone", When(0, 3, "09:15"),
                           "Went through each bail condition and the date he must answer bail; "
                           "told her to call 999 if he comes near."),
         )),
    Step("charged", When(2, 2, "11:30"), {
        **COURT, "charges": ["Burglary of a dwelling"],
        "remand_status": "bail_with_conditions", "conditions": [NO_CONTACT, NOT_GO_NEAR]},
         dates={"hearing_at": When(3, 3, "10:00")},
         actions=(WriteMessage("key_decision", "charged-email-en"),)),
    Step("vps_taken", When(2, 4, "14:00"), {"statement_type": "victim_personal_statement",
                                             "notes": "Taken at her home; she wants it read out."}),
    Step("court_hearing_set", When(3, 0, "09:30"), {**COURT, "hearing_type": "first_hearing"},
         dates={"hearing_at": When(3, 3, "10:00")},
         actions=(WriteMessage("court_information", "court-hearing-set-email-en"),)),
    Step("hearing_result", When(3, 3, "12:40"), {
        "result": "guilty_plea", "notes": "Sentence adjourned for a pre-sentence report."},
         dates={"received_at": When(3, 3, "16:10")},
         actions=(
             WriteMessage("court_information", "hearing-result-sms-en"),
             RecordContact("court_information", "phone", When(3, 3, "17:05"),
                           "Witness Care: told her he pleaded guilty and that sentence is "
                           "adjourned for a report; she does not need to go to court."),
         )),
    Step("sentenced", When(4, 4, "11:50"), {
        "sentence": "A 12-month community order with 150 hours of unpaid work, a 6-month "
                    "restraining order and £400 compensation to the victim"},
         dates={"received_at": When(4, 4, "15:00")},
         actions=(WriteMessage("court_information", "sentenced-letter-en"),)),
)  # fmt: skip


def first_monday(today: date) -> date:
    """The Monday five weeks before the current week's: the journey ends before this week."""
    return today - timedelta(days=today.weekday(), weeks=5)


def event_body(step: Step, start: date) -> dict[str, Any]:
    """The event's request body with its moments resolved."""
    details = dict(step.details)
    details.update({name: w.resolve(start).isoformat() for name, w in step.dates.items()})
    details.update({name: w.day(start).isoformat() for name, w in step.days.items()})
    return {"type": step.event_type, "occurred_at": step.when.resolve(start).isoformat(),
            "details": details}  # fmt: skip


@dataclass
class StepRecord:
    """What one step produced: its event, the duties it created, met or changed, what was sent."""

    step: Step
    event: dict[str, Any]
    created: list[dict[str, Any]]
    done: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # (MESSAGE|CONTACT, body)
    after: list[dict[str, Any]] = field(default_factory=list)  # created or changed, as they end

    @property
    def messages(self) -> list[dict[str, Any]]:
        """The messages written and sent, in order."""
        return [body for kind, body in self.done if kind == MESSAGE]

    @property
    def contacts(self) -> list[dict[str, Any]]:
        """The contacts recorded, in order."""
        return [body for kind, body in self.done if kind == CONTACT]


@dataclass
class Journey:
    """The whole journey: the case, its victim, each step and every duty at the end."""

    case: dict[str, Any]
    victim: dict[str, Any]
    steps: list[StepRecord]
    final_duties: list[dict[str, Any]]


def run_journey(api: JourneyApi, *, today: date, reference: str = JOURNEY_REFERENCE) -> Journey:
    """Open the case, then record each step and meet its duties; what happened, step by step."""
    start = first_monday(today)
    case = api.post("/api/v1/cases", {"crime_reference": reference, "offence": JOURNEY_OFFENCE})
    victim = api.post(f"/api/v1/cases/{case['id']}/victims", JOURNEY_VICTIM)
    records = [_run_step(api, case["id"], victim["id"], step, start) for step in STEPS]
    return Journey(case, victim, records, api.duties(case["id"]))


def _run_step(api: JourneyApi, case_id: str, victim_id: str, step: Step, start: date) -> StepRecord:
    """Record the step's event, then carry out its actions in order."""
    before = {d["id"]: d for d in api.duties(case_id)}
    event = api.post(f"/api/v1/cases/{case_id}/events", event_body(step, start))
    created = [d for d in api.duties(case_id) if d["id"] not in before]
    record = StepRecord(step, event, created)
    by_kind = {d["kind"]: d for d in created}
    for action in step.actions:
        duty = by_kind[action.kind]
        if isinstance(action, WriteMessage):
            record.done.append((MESSAGE, _write_and_send(api, case_id, victim_id, duty, action)))
        else:
            record.done.append((CONTACT, _contact(api, case_id, victim_id, duty, action, start)))
    record.after = [
        d for d in api.duties(case_id)
        if d["id"] not in before or before[d["id"]]["status"] != d["status"]
    ]  # fmt: skip
    return record


def _write_and_send(
    api: JourneyApi, case_id: str, victim_id: str, duty: dict[str, Any], action: WriteMessage
) -> dict[str, Any]:
    """Write the template for the duty and confirm it sent by hand; the message as sent."""
    body = {"victim_id": victim_id, "duty_id": duty["id"], "template_key": action.template_key}
    written = api.post(f"/api/v1/cases/{case_id}/messages", body)
    sent = api.post(f"/api/v1/messages/{written['id']}/sent", {}, status=200)
    return {**written, **sent}


def _contact(
    api: JourneyApi,
    case_id: str,
    victim_id: str,
    duty: dict[str, Any],
    action: RecordContact,
    start: date,
) -> dict[str, Any]:
    """Record the contact; a reached one covers the items asked for, or all still outstanding."""
    covered: tuple[str, ...] = action.covered or ()
    if action.covered is None and action.outcome == "reached":
        now = next(d for d in api.duties(case_id) if d["id"] == duty["id"])
        covered = tuple(i["id"] for i in now["required_items"] if not i["covered"])
    body = {
        "victim_id": victim_id,
        "duty_id": duty["id"],
        "method": action.method,
        "occurred_at": action.when.resolve(start).isoformat(),
        "summary": action.summary,
        "outcome": action.outcome,
        "covered": list(covered),
    }
    return api.post(f"/api/v1/cases/{case_id}/contacts", body)
