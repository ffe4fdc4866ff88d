"""The duty lifecycle: every duty an event gives, duties events meet, late victims, periodic
updates that stop and restart, and opting out."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldapp.core.victims_code import add_working_days
from fieldapp.models import AuditRecord, ContactDuty, InvestigationEvent, Victim
from fieldapp.services import cases, duties, events, victims
from fieldapp.services.audit import AuditContext
from fieldapp.services.duties.creation import LATE_VICTIM
from fieldapp.services.users import principal_of
from tests.factories import create_user

_references = itertools.count(1)
CHARGE = {
    "charges": ["Burglary of a dwelling"],
    "court_name": "Northtown Magistrates' Court",
    "court_address": "1 Court Street, Northtown",
    "hearing_at": "2026-12-14T10:00:00Z",
    "remand_status": "bail_without_conditions",
}


def at(text: str) -> datetime:
    """A UTC moment (November is GMT, so also London wall-clock time)."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture
def context(app: Flask, session: Session) -> AuditContext:
    """An officer acting on their own team's cases."""
    return AuditContext(actor=principal_of(create_user(app, session)), purpose="investigation")


@pytest.fixture
def case_id(session: Session, context: AuditContext) -> uuid.UUID:
    """A burglary case in the officer's team."""
    data = {"crime_reference": f"42/{7000 + next(_references)}/26", "offence": "Burglary"}
    case = cases.create_case(session, context, data=data)
    session.commit()
    return case.id


def add_victim(session: Session, context: AuditContext, case_id: uuid.UUID, **extra: Any) -> Victim:
    """A victim who takes text messages (now, through the service)."""
    data = {"first_name": "Sam", "last_name": "Jones", "phone": "+447700900123",
            "preferred_channel": "sms", "safe_channels": ["sms"], **extra}  # fmt: skip
    victim = victims.create_victim(session, context, case_id=case_id, data=data)
    session.commit()
    return victim


def record(
    session: Session,
    context: AuditContext,
    case_id: uuid.UUID,
    event_type: str,
    occurred_at: str,
    *,
    witness_care_in_app: bool = True,
    **details: Any,
) -> InvestigationEvent:
    """Record an event on the case through the service."""
    data = {"type": event_type, "occurred_at": at(occurred_at), "details": details}
    event = events.record_event(
        session, context, case_id=case_id, data=data, witness_care_in_app=witness_care_in_app
    )
    session.commit()
    return event


def duties_of(session: Session, victim: Victim, **where: Any) -> list[ContactDuty]:
    """A victim's duties (filtered by column values), oldest first."""
    query = select(ContactDuty).where(ContactDuty.victim_id == victim.id)
    for column, value in where.items():
        query = query.where(getattr(ContactDuty, column) == value)
    return list(session.scalars(query.order_by(ContactDuty.created_at, ContactDuty.kind)))


def by_kind(session: Session, victim: Victim) -> dict[str, ContactDuty]:
    """A victim's event duties by kind (each kind once)."""
    found = [d for d in duties_of(session, victim) if d.kind != duties.PERIODIC_KIND]
    assert len({d.kind for d in found}) == len(found), [d.kind for d in found]
    return {duty.kind: duty for duty in found}


def test_a_crime_report_gives_confirmation_referral_and_needs_assessment(
    session: Session, context: AuditContext, case_id: uuid.UUID
) -> None:
    victim = add_victim(session, context, case_id)
    event = record(session, context, case_id, "crime_recorded", "2026-11-16T10:00:00")
    assert event.duties_created == 3  # type: ignore[attr-defined]
    found = by_kind(session, victim)
    assert set(found) == {"written_confirmation", "support_referral", "needs_assessment"}
    # Monday 16 November: 5 working days is the end of Monday 23rd, 2 the end of Wednesday 18th.
    assert found["written_confirmation"].due_at == at("2026-11-23T23:59:59.999999")
    assert found["support_referral"].due_at == at("2026-11-18T23:59:59.999999")
    assert found["needs_assessment"].due_at == at("2026-11-23T23:59:59.999999")
    confirmation = found["written_confirmation"]
    assert {"crime_reference", "offence", "restorative_justice"} <= set(confirmation.required_items)
    assert confirmation.basis and "Right 3" in confirmation.basis
    assert all(d.clock_from == event.occurred_at for d in found.values())
    assert all(d.status == "open" and d.event_id == event.id for d in found.values())


@pytest.mark.parametrize(
    ("referred_at", "reason"),
    [("2026-11-18T16:00:00", "Met on time by the support referral event."),
     ("2026-11-19T09:00:00", "Met late by the support referral event.")],
)  # fmt: skip
def test_a_referral_meets_the_referral_duty_counted_from_the_report(
    session: Session, context: AuditContext, case_id: uuid.UUID, referred_at: str, reason: str
) -> None:
    victim = add_victim(session, context, case_id)
    report = record(session, context, case_id, "crime_recorded", "2026-11-16T10:00:00")
    referral = record(session, context, case_id, "support_referral", referred_at,
                      service="Victim Support")  # fmt: skip
    assert referral.duties_created == 0  # type: ignore[attr-defined]
    duty = by_kind(session, victim)["support_referral"]
    assert duty.clock_from == report.occurred_at
    assert duty.due_at == add_working_days(report.occurred_at, 2)
    assert (duty.status, duty.met_by_event_id, duty.reason) == ("met", referral.id, reason)
    assert duty.closed_at == referral.occurred_at
    assert by_kind(session, victim)["written_confirmation"].status == "open"


def test_meeting_a_duty_by_an_event_is_audited_as_a_status_change(
    session: Session, context: AuditContext, case_id: uuid.UUID
) -> None:
    victim = add_victim(session, context, case_id)
    record(session, context, case_id, "crime_recorded", "2026-11-16T10:00:00")
    record(session, context, case_id, "support_referral", "2026-11-17T10:00:00", service="VS")
    duty = by_kind(session, victim)["support_referral"]
    change = session.scalars(
        select(AuditRecord).where(
            AuditRecord.resource_id == str(duty.id), AuditRecord.operation == "alteration"
        )
    ).one()
    assert (change.resource_type, change.field_groups) == ("duty", "status")


def test_a_referral_without_a_crime_report_creates_nothing(
    session: Session, context: AuditContext, case_id: uuid.UUID
) -> None:
    victim = add_victim(session, context, case_id)
    record(session, context, case_id, "support_referral", "2026-11-18T16:00:00", service="VS")
    assert duties_of(session, victim) == []


def test_a_referral_recorded_before_a_late_recorded_report_still_meets_its_duty(
    session: Session, context: AuditContext, case_id: uuid.UUID
) -> None:
    victim = add_victim(session, context, case_id)
    referral = record(session, context, case_id, "support_referral", "2026-11-17T09:00:00",
                      service="Victim Support")  # fmt: skip
    record(session, context, case_id, "crime_recorded", "2026-11-16T10:00:00")
    duty = by_kind(session, victim)["support_referral"]
    assert (duty.status, duty.met_by_event_id) == ("met", referral.id)


def test_court_events_count_one_working_day_from_receipt(
    session: Session, context: AuditContext, case_id: uuid.UUID
) -> None:
    victim = add_victim(session, context, case_id)
    record(session, context, case_id, "court_hearing_set", "2026-11-09T10:00:00",
           court_name="Northtown Magistrates' Court", court_address="1 Court Street",
           hearing_at="2026-12-14T10:00:00Z", received_at="2026-11-12T15:00:00Z")  # fmt: skip
    duty = by_kind(session, victim)["court_information"]
    # Received Thursday 12 November: due by the end of Friday 13th, whatever the hearing's date.
    assert duty.clock_from == at("2026-11-12T15:00:00")
    assert duty.due_at == at("2026-11-13T23:59:59.999999")
    assert duty.working_days == 1


def test_court_events_give_no_duty_when_witness_care_does_not_use_the_app(
    session: Session, context: AuditContext, case_id: uuid.UUID
) -> None:
    victim = add_victim(session, context, case_id)
    event = record(session, context, case_id, "sentenced", "2026-11-09T10:00:00",
                   witness_care_in_app=False, sentence="Two years' imprisonment")  # fmt: skip
    assert event.duties_created == 0  # type: ignore[attr-defined]
    assert duties_of(session, victim) == []


def test_a_statement_taken_meets_the_personal_statement_duty_of_a_charge(
    session: Session, context: AuditContext, case_id: uuid.UUID
) -> None:
    victim = add_victim(session, context, case_id)
    record(session, context, case_id, "charged", "2026-11-16T10:00:00", **CHARGE)
    assert set(by_kind(session, victim)) == {"key_decision", "personal_statement"}
    taken = record(session, context, case_id, "vps_taken", "2026-11-18T10:00:00",
                   statement_type="victim_personal_statement")  # fmt: skip
    found = by_kind(session, victim)
    assert (found["personal_statement"].status, found["personal_statement"].met_by_event_id) == (
        "met",
        taken.id,
    )
    assert found["personal_statement"].reason == "Met on time by the vps taken event."
    assert found["key_decision"].status == "open"


def test_a_victim_added_late_gets_what_is_still_owed_counted_from_when_added(
    session: Session, context: AuditContext, case_id: uuid.UUID
) -> None:
    first = add_victim(session, context, case_id)
    record(session, context, case_id, "crime_recorded", "2026-11-02T10:00:00")
    record(session, context, case_id, "support_referral", "2026-11-03T10:00:00", service="VS")
    record(session, context, case_id, "arrested", "2026-11-05T10:00:00")
    charge = record(session, context, case_id, "charged", "2026-11-16T10:00:00", **CHARGE)
    late = add_victim(session, context, case_id, first_name="Ana")
    found = by_kind(session, late)
    # The referral was made and the arrest news is moot once there is a charge.
    assert set(found) == {
        "written_confirmation", "needs_assessment", "key_decision", "personal_statement"
    }  # fmt: skip
    assert found["key_decision"].event_id == charge.id
    for duty in found.values():
        assert duty.clock_from == late.created_at
        assert duty.due_at == add_working_days(late.created_at, 5)
        assert duty.basis is not None and duty.basis.endswith(LATE_VICTIM)
        assert duty.status == "open"
    assert len(duties_of(session, first)) == 6  # the first victim's are untouched


def test_a_late_victim_is_not_owed_answers_to_someone_elses_requests_or_past_deadlines(
    session: Session, context: AuditContext, case_id: uuid.UUID
) -> None:
    add_victim(session, context, case_id)
    record(session, context, case_id, "complaint_received", "2026-11-02T10:00:00")
    record(session, context, case_id, "bail_decision_pending", "2026-11-03T10:00:00",
           decision_due_at="2026-11-04T10:00:00Z")  # fmt: skip
    record(session, context, case_id, "preferred_method_unavailable", "2026-11-05T10:00:00",
           method="sms", reason_codes=["number_not_working"])  # fmt: skip
    late = add_victim(session, context, case_id, first_name="Ana")
    assert duties_of(session, late) == []


def test_a_late_victims_court_news_counts_from_when_added_and_a_pending_decision_keeps_its_time(
    session: Session, context: AuditContext, case_id: uuid.UUID
) -> None:
    add_victim(session, context, case_id)
    record(session, context, case_id, "court_hearing_set", "2026-11-09T10:00:00",
           court_name="Northtown Magistrates' Court", court_address="1 Court Street",
           hearing_at="2099-01-14T10:00:00Z", received_at="2026-11-12T15:00:00Z")  # fmt: skip
    record(session, context, case_id, "bail_decision_pending", "2026-11-13T10:00:00",
           decision_due_at="2099-01-10T12:00:00Z")  # fmt: skip
    late = add_victim(session, context, case_id, first_name="Ana")
    found = by_kind(session, late)
    court = found["court_information"]
    assert (court.clock_from, court.working_days) == (late.created_at, 1)
    assert court.due_at == add_working_days(late.created_at, 1)
    assert found["bail_views"].due_at == at("2099-01-10T12:00:00")


def test_periodic_updates_stop_when_the_case_closes_and_restart_from_an_update(
    session: Session, context: AuditContext, case_id: uuid.UUID
) -> None:
    victim = add_victim(session, context, case_id, update_frequency_days=14)
    assert len(duties_of(session, victim, kind="periodic_update", status="open")) == 1
    record(session, context, case_id, "arrested", "2026-11-16T10:00:00")
    record(session, context, case_id, "case_closed", "2026-11-20T10:00:00",
           reason_codes=["insufficient_evidence"])  # fmt: skip
    (stopped,) = duties_of(session, victim, kind="periodic_update")
    assert stopped.status == "not_required"
    assert stopped.reason == "Not required: the case closed on 20 November 2026 (case closed)."
    duties.after_update(session, victim, told_at=at("2026-11-25T10:00:00"))
    assert duties_of(session, victim, kind="periodic_update", status="open") == []
    assert duties.schedule_periodic(session, victim, now=at("2026-11-25T10:00:00")) is None
    record(session, context, case_id, "arrested", "2026-11-27T10:00:00")  # a new suspect
    assert duties_of(session, victim, kind="periodic_update", status="open") == []
    duties.after_update(session, victim, told_at=at("2026-11-30T10:00:00"))
    (restarted,) = duties_of(session, victim, kind="periodic_update", status="open")
    assert restarted.clock_from == at("2026-11-30T10:00:00")
    assert restarted.due_at == at("2026-12-14T23:59:59.999999")
    duties.after_update(session, victim, told_at=at("2026-11-28T10:00:00"))  # recorded late
    assert restarted.due_at == at("2026-12-14T23:59:59.999999")
    duties.after_update(session, victim, told_at=at("2026-12-02T10:00:00"))
    assert restarted.due_at == at("2026-12-16T23:59:59.999999")


def test_no_periodic_duty_for_a_victim_without_agreed_updates(
    session: Session, context: AuditContext, case_id: uuid.UUID
) -> None:
    victim = add_victim(session, context, case_id)
    duties.after_update(session, victim, told_at=at("2026-11-30T10:00:00"))
    assert duties_of(session, victim) == []


def test_an_opted_out_victims_duties_are_not_required_with_when_and_how(
    session: Session, context: AuditContext, case_id: uuid.UUID
) -> None:
    victim = add_victim(session, context, case_id, update_frequency_days=28)
    record(session, context, case_id, "crime_recorded", "2026-11-16T10:00:00")
    victim = victims.update_victim(
        session, context, victim_id=victim.id, expected_version=victim.version,
        changes={"opted_out_at": at("2026-11-18T09:00:00"), "opted_out_how": "phone"},
    )  # fmt: skip
    reason = "Not required: opted out on 18 November 2026 (phone)."
    found = duties_of(session, victim)
    assert len(found) == 4  # three from the report and the periodic update
    assert {(d.status, d.reason) for d in found} == {("not_required", reason)}
    record(session, context, case_id, "arrested", "2026-11-19T10:00:00")
    (arrest,) = duties_of(session, victim, kind="key_decision")
    assert (arrest.status, arrest.reason) == ("not_required", reason)
    victim = victims.update_victim(
        session, context, victim_id=victim.id, expected_version=victim.version,
        changes={"opted_out_at": None, "opted_out_how": None},
    )  # fmt: skip
    record(session, context, case_id, "interviewed", "2026-11-20T10:00:00")
    statuses = {(d.kind, d.status) for d in duties_of(session, victim, status="open")}
    assert statuses == {("key_decision", "open"), ("periodic_update", "open")}


def test_changing_enhanced_rights_recomputes_every_open_event_duty(
    session: Session, context: AuditContext, case_id: uuid.UUID
) -> None:
    victim = add_victim(session, context, case_id)
    record(session, context, case_id, "charged", "2026-11-16T10:00:00", **CHARGE)
    victims.update_victim(
        session, context, victim_id=victim.id, expected_version=victim.version,
        changes={"enhanced_rights": True, "enhanced_basis": ["vulnerable"]},
    )  # fmt: skip
    found = by_kind(session, victim)
    assert {d.due_at for d in found.values()} == {at("2026-11-17T23:59:59.999999")}
