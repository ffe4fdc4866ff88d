"""A whole victim journey, report to sentence, through the HTTP API: every duty is met by what the
Code asks, follow-up texts and failed attempts meet nothing, and the audit trail has it all."""

from __future__ import annotations

import re
import uuid
from collections import Counter
from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldapp.core.templating.library import LIBRARY_DIRECTORY, load_library
from fieldapp.demo.journey import STEPS, Journey, event_body, first_monday, run_journey
from fieldapp.demo.journey_api import JourneyApi, JourneyError
from fieldapp.demo.journey_report import render_journey
from fieldapp.models import Contact, ContactDuty, Message
from fieldapp.services.templates.library import import_library
from tests.factories import PASSWORD, audit_rows, create_team, create_user

# A fixed day: the journey runs over the five weeks before it (26 Oct to 27 Nov 2026).
TODAY = date(2026, 11, 30)
TEMPLATES = [
    "crime-recorded-email-en",
    "arrested-sms-en",
    "interviewed-letter-en",
    "bailed-sms-en",
    "charged-email-en",
    "court-hearing-set-email-en",
    "hearing-result-sms-en",
    "sentenced-letter-en",
]
FOLLOW_UPS = {"bailed-sms-en", "hearing-result-sms-en"}
# The journey needs the English library of issue 12 (court-stage families, follow-up texts); until
# that branch is merged the journey tests say so rather than fail on a 404 for a template.
LIBRARY = {t.key: t for t in load_library(LIBRARY_DIRECTORY)}
MISSING = sorted(
    key for key in TEMPLATES
    if key not in LIBRARY or (key in FOLLOW_UPS and not LIBRARY[key].follow_up)
)  # fmt: skip
needs_library = pytest.mark.skipif(
    bool(MISSING), reason=f"built-in templates not in the library yet: {', '.join(MISSING)}"
)


@pytest.fixture
def journey(app: Flask, session: Session) -> Journey:
    """The journey, run by an officer of a team with the built-in library published."""
    if MISSING:
        pytest.skip(f"built-in templates not in the library yet: {', '.join(MISSING)}")
    import_library(session, load_library(LIBRARY_DIRECTORY))
    team = create_team(session, name="Northtown Neighbourhood Team")
    create_user(
        app, session, username="pc.journey", team=team, display_name="Sam Ashworth", rank="PC",
        phone="+442079460127",
    )  # fmt: skip
    api = JourneyApi(app.test_client(), username="pc.journey", password=PASSWORD)
    return run_journey(api, today=TODAY)


def test_every_duty_is_met_by_a_message_a_reached_contact_or_its_event(
    journey: Journey, session: Session
) -> None:
    final = journey.final_duties
    assert len(final) == 11
    assert all(duty["status"] == "met" for duty in final), [d["reason"] for d in final]
    by_what = Counter((d["event_type"], d["kind"], d["met_by"]["type"]) for d in final)
    assert by_what == Counter({
        ("crime_recorded", "written_confirmation", "message"): 1,
        ("crime_recorded", "support_referral", "event"): 1,
        ("crime_recorded", "needs_assessment", "event"): 1,
        ("arrested", "key_decision", "message"): 1,
        ("interviewed", "key_decision", "message"): 1,
        ("bailed", "key_decision", "contact"): 1,
        ("charged", "key_decision", "message"): 1,
        ("charged", "personal_statement", "event"): 1,
        ("court_hearing_set", "court_information", "message"): 1,
        ("hearing_result", "court_information", "contact"): 1,
        ("sentenced", "court_information", "message"): 1,
    })  # fmt: skip
    told = [d for d in final if d["met_by"]["type"] != "event"]
    assert all(all(item["covered"] for item in d["required_items"]) for d in told)
    stored = session.scalars(
        select(ContactDuty).where(ContactDuty.case_id == uuid.UUID(journey.case["id"]))
    ).all()
    assert sorted(d.status for d in stored) == ["met"] * 11


def test_satisfying_events_and_contacts_keep_their_own_times(journey: Journey) -> None:
    reasons = {(d["event_type"], d["kind"]): d["reason"] for d in journey.final_duties}
    assert reasons[("crime_recorded", "support_referral")] == (
        "Met on time by the support referral event."
    )
    assert reasons[("charged", "personal_statement")] == "Met on time by the vps taken event."
    assert reasons[("bailed", "key_decision")] == "Met on time by a phone call."
    assert reasons[("hearing_result", "court_information")] == "Met on time by a phone call."


def test_the_messages_are_the_built_in_templates_and_no_follow_up_meets_a_duty(
    journey: Journey, session: Session
) -> None:
    messages = [m for step in journey.steps for m in step.messages]
    assert [m["template_key"] for m in messages] == TEMPLATES
    assert all(m["status"] == "sent" and m["provider"] == "manual" for m in messages)
    assert {m["template_key"] for m in messages if not m["meets_duty"]} == FOLLOW_UPS
    follow_up_ids = {m["id"] for m in messages if not m["meets_duty"]}
    met = [d["met_by"] for d in journey.final_duties]
    met_by_messages = {m["id"] for m in met if m["type"] == "message"}
    assert met_by_messages and not met_by_messages & follow_up_ids
    assert {m["channel"] for m in messages} == {"sms", "email", "letter"}
    letter = next(m for m in messages if m["channel"] == "letter")
    assert letter["address_lines"] == journey.victim["postal_address"]
    case_id = uuid.UUID(journey.case["id"])
    stored = session.scalars(select(Message).where(Message.case_id == case_id)).all()
    assert len(stored) == len(TEMPLATES)


def test_the_failed_attempt_met_nothing_and_the_reached_calls_covered_the_rest(
    journey: Journey, session: Session
) -> None:
    bailed = next(step for step in journey.steps if step.step.event_type == "bailed")
    attempt, prompt, call = (body for _kind, body in bailed.done)
    assert (attempt["outcome"], attempt["covered"], attempt["duty"]["status"]) == (
        "not_reached", [], "open",
    )  # fmt: skip
    assert (prompt["meets_duty"], prompt["missing_items"]) == (
        False, ["protective_conditions", "answer_date"],
    )  # fmt: skip
    assert call["outcome"] == "reached"
    assert call["covered"] == ["protective_conditions", "answer_date"]
    assert call["duty"]["met_by"] == {"type": "contact", "id": call["id"]}
    contacts = session.scalars(select(Contact).order_by(Contact.occurred_at)).all()
    assert [(c.method, c.outcome) for c in contacts] == [
        ("phone", "not_reached"), ("phone", "reached"), ("phone", "reached"),
    ]  # fmt: skip
    failed = contacts[0]
    assert session.scalar(select(ContactDuty.id).where(ContactDuty.contact_id == failed.id)) is None


def test_the_audit_trail_has_every_collection_and_disclosure(
    journey: Journey, session: Session, runner: FlaskCliRunner
) -> None:
    collected = Counter(r.resource_type for r in audit_rows(session, operation="collection"))
    assert collected["case"] == 1 and collected["victim"] == 1
    assert collected["event"] == len(STEPS)
    assert collected["contact"] == 3
    message_ids = {m["id"] for step in journey.steps for m in step.messages}
    disclosed = audit_rows(session, operation="disclosure", resource_type="message")
    assert {r.resource_id for r in disclosed} == message_ids
    combined = audit_rows(session, operation="combination", resource_type="victim")
    assert len(combined) == len(message_ids)
    assert not audit_rows(session, outcome="denied")
    verify = runner.invoke(args=["audit", "verify"])
    assert verify.exit_code == 0, verify.output


def test_the_markdown_shows_each_step_its_duties_messages_and_contacts(journey: Journey) -> None:
    text = render_journey(journey)
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert len(headings) == len(STEPS) + 1
    assert headings[0] == "## 1. `crime_recorded`: Mon 26 Oct 2026, 19:40"
    assert headings[-2] == "## 11. `sentenced`: Fri 27 Nov 2026, 11:50"
    for message in (m for step in journey.steps for m in step.messages):
        assert message["body"] in text
    assert "**Contact** phone, not reached, Wed 28 Oct 2026, 18:30" in text
    assert "| `key_decision` (bailed) | met | Met on time by a phone call. |" in text
    assert "Messages: 8 (3 email, 2 letter, 3 sms). Contacts: 3 (1 not reached, 2 reached)." in text


@needs_library
def test_the_demo_command_prints_the_journey_after_make_demo(runner: FlaskCliRunner) -> None:
    assert runner.invoke(args=["templates", "import"]).exit_code == 0
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    result = runner.invoke(args=["demo", "journey", "--reference", "42/100318/26"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("# A victim's journey: burglary of a home, 42/100318/26")
    assert "## 11. `sentenced`" in result.output
    again = runner.invoke(args=["demo", "journey", "--reference", "42/100318/26"])
    assert again.exit_code == 1
    assert "POST /api/v1/cases answered 409" in again.output


def test_without_demo_data_the_command_says_what_to_run(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["demo", "journey"])
    assert result.exit_code == 1
    assert "run 'make demo' first" in result.output


def test_a_refused_request_names_itself(app: Flask) -> None:
    with pytest.raises(JourneyError, match="POST /api/v1/auth/login answered 401"):
        JourneyApi(app.test_client(), username="nobody", password="wrong password")


def test_moments_are_london_times_on_weekdays_and_dates_stay_local_in_summer() -> None:
    start = first_monday(date(2026, 7, 1))  # a Wednesday in British Summer Time
    assert start == date(2026, 5, 25)
    bailed = next(step for step in STEPS if step.event_type == "bailed")
    body = event_body(bailed, start)
    assert body["occurred_at"] == "2026-05-27T17:05:00+00:00"  # 18:05 in London
    assert body["details"]["answer_bail_on"] == "2026-06-10"


def test_the_markdown_is_the_same_on_a_second_run_but_for_reference_and_send_times(
    app: Flask, journey: Journey
) -> None:
    again = run_journey(
        JourneyApi(app.test_client(), username="pc.journey", password=PASSWORD),
        today=TODAY, reference="42/100999/26",
    )  # fmt: skip

    def plain(text: str, reference: str) -> str:
        text = text.replace(reference, "REF")
        return re.sub(r"confirmed sent by hand [^.]*\.", "confirmed sent by hand.", text)

    first = plain(render_journey(journey), journey.case["crime_reference"])
    assert plain(render_journey(again), "42/100999/26") == first
