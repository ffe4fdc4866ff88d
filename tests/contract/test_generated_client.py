"""The committed openapi.yaml as a contract: a Python client generated from it by
openapi-python-client drives an officer's journey against the app served over HTTP.

Only the generated functions and models talk to the app (no hand-written request): sign in,
open and read a case, add a victim, record an arrest, find the duty it created, write the
update from the published template with an Idempotency-Key (and retry it), confirm the manual
send, see the message sent and the duty met, read problems, and sign out.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import ModuleType

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldapp.api.context import PASSWORDS_KEY
from fieldapp.core.templating.library import LIBRARY_DIRECTORY, load_library
from fieldapp.demo.accounts import DEMO_ACCOUNTS, DEMO_TEAM, load_demo
from fieldapp.demo.cases import load_demo_cases
from fieldapp.models import ContactDuty, DeviceSession, Message
from fieldapp.services.templates.library import import_library
from tests.factories import audit_rows

OFFICER = DEMO_ACCOUNTS[0].username  # pc.ashworth, PC Sam Ashworth
REFERENCE = "NT/04242/26"
DEVICE = "Contract test phone"


@dataclass(frozen=True)
class Demo:
    """The served app with the demo's data: where it is and how the officer signs in."""

    base_url: str
    password: str
    demo_cases: int


@pytest.fixture
def demo(app: Flask, session: Session, base_url: str) -> Demo:
    """What ``make run`` loads: the demo team and accounts, the template library, demo cases."""
    passwords = load_demo(session, passwords=app.extensions[PASSWORDS_KEY])
    import_library(session, load_library(LIBRARY_DIRECTORY))
    count = load_demo_cases(session, officer_username=OFFICER)
    session.commit()
    return Demo(base_url=base_url, password=passwords[OFFICER], demo_cases=count)


def test_an_officer_meets_an_arrest_duty_through_the_generated_client(
    generated_client: ModuleType, demo: Demo, session: Session
) -> None:
    from fieldapp_client import AuthenticatedClient, Client
    from fieldapp_client.api.auth import sign_in, sign_out
    from fieldapp_client.api.cases import create_case, get_case
    from fieldapp_client.api.duties import list_duties
    from fieldapp_client.api.events import record_event
    from fieldapp_client.api.me import get_me
    from fieldapp_client.api.messages import confirm_message_sent, get_message, write_message
    from fieldapp_client.api.victims import create_victim
    from fieldapp_client.models import (
        ArrestedEvent,
        ArrestedEventCreate,
        ArrestedEventCreateType,
        Case,
        CaseCreate,
        Channel,
        Duty,
        DutyPage,
        DutyState,
        Login,
        Me,
        MessageCreate,
        MessageStatus,
        Problem,
        ProblemErrors,
        Sent,
        TokenPair,
        Victim,
        VictimCreate,
        WrittenMessage,
    )
    from fieldapp_client.models import Message as MessageModel

    # Sign in.
    with Client(base_url=demo.base_url, raise_on_unexpected_status=True) as anonymous:
        signed_in = sign_in.sync_detailed(
            client=anonymous,
            body=Login(username=OFFICER, password=demo.password, device_name=DEVICE),
        )
    assert signed_in.status_code == 200, signed_in.content
    tokens = signed_in.parsed
    assert isinstance(tokens, TokenPair)
    assert tokens.token_type == "Bearer"

    with AuthenticatedClient(
        base_url=demo.base_url, token=tokens.access_token, raise_on_unexpected_status=True
    ) as api:
        me = get_me.sync(client=api)
        assert isinstance(me, Me)
        assert me.username == OFFICER

        # Case: create, then read it back.
        created = create_case.sync_detailed(
            client=api, body=CaseCreate(crime_reference=REFERENCE, offence="Burglary of a home")
        )
        assert created.status_code == 201, created.content
        case = created.parsed
        assert isinstance(case, Case)
        read = get_case.sync(case.id, client=api)
        assert isinstance(read, Case)
        assert (read.id, read.crime_reference, read.officer_in_charge_id) == (
            case.id, REFERENCE, me.id,
        )  # fmt: skip
        assert (read.team, read.officer_in_charge) == (DEMO_TEAM, "Sam Ashworth")

        # Victim.
        added = create_victim.sync_detailed(
            case.id,
            client=api,
            body=VictimCreate(
                first_name="Robin",
                last_name="Hughes",
                phone="07700 900123",
                preferred_channel=Channel.SMS,
                safe_channels=[Channel.SMS],
            ),
        )
        assert added.status_code == 201, added.content
        victim = added.parsed
        assert isinstance(victim, Victim)
        assert victim.case_id == case.id
        assert victim.deleted is False

        # Event: an arrest an hour ago, which owes the victim an update.
        arrested_at = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
        recorded = record_event.sync_detailed(
            case.id,
            client=api,
            body=ArrestedEventCreate(
                type_=ArrestedEventCreateType.ARRESTED, occurred_at=arrested_at
            ),
        )
        assert recorded.status_code == 201, recorded.content
        event = recorded.parsed
        assert isinstance(event, ArrestedEvent)
        assert event.occurred_at == arrested_at
        assert event.duties_created == 1

        # Duty: the officer's worklist holds the demo's duties and the one the arrest created.
        worklist = list_duties.sync(client=api, limit=100)
        assert isinstance(worklist, DutyPage)
        ours = [duty for duty in worklist.value if duty.event_id == event.id]
        assert len(ours) == 1
        assert len({duty.case_id for duty in worklist.value}) == demo.demo_cases + 1
        duty = ours[0]
        assert isinstance(duty, Duty)
        assert (duty.case_id, duty.victim_id, duty.status) == (case.id, victim.id, DutyState.OPEN)
        assert duty.due_at > arrested_at

        # Message: written from the published template for the duty, retried with one key.
        request = MessageCreate(
            victim_id=victim.id, template_key="arrested-sms-en", duty_id=duty.id
        )
        key = f"contract-{uuid.uuid4()}"
        first = write_message.sync_detailed(case.id, client=api, body=request, idempotency_key=key)
        retry = write_message.sync_detailed(case.id, client=api, body=request, idempotency_key=key)
        assert first.status_code == 201, first.content
        written = first.parsed
        assert isinstance(written, WrittenMessage)
        assert written.status == MessageStatus.DRAFTED
        assert (written.duty_id, written.victim_id, written.template_key) == (
            duty.id, victim.id, "arrested-sms-en",
        )  # fmt: skip
        assert isinstance(written.body, str)
        assert "Robin" in written.body and REFERENCE in written.body
        assert written.recipient == "+447700900123"
        assert written.lint.ok is True
        assert retry.status_code == 201
        assert retry.headers.get("Idempotent-Replayed") == "true"
        assert isinstance(retry.parsed, WrittenMessage) and retry.parsed.id == written.id

        # Sent: confirm the manual send, then read the message and the duty again.
        confirmed = confirm_message_sent.sync_detailed(written.id, client=api, body=Sent())
        assert confirmed.status_code == 200, confirmed.content
        assert isinstance(confirmed.parsed, MessageModel)
        assert confirmed.parsed.status == MessageStatus.SENT
        message = get_message.sync(written.id, client=api)
        assert isinstance(message, MessageModel)
        assert (message.id, message.status, message.provider) == (
            written.id, MessageStatus.SENT, "manual",
        )  # fmt: skip
        met = list_duties.sync(client=api, case_id=case.id)
        assert isinstance(met, DutyPage)
        assert [(d.id, d.status, d.message_id) for d in met.value] == [
            (duty.id, DutyState.MET, written.id)
        ]

        # Problems, read through the generated client: a documented 422 and the default.
        invalid = create_case.sync_detailed(
            client=api, body=CaseCreate(crime_reference=" ", offence="Burglary of a home")
        )
        assert invalid.status_code == 422
        assert isinstance(invalid.parsed, Problem)
        assert (invalid.parsed.status, invalid.parsed.code) == (422, "validation_failed")
        assert isinstance(invalid.parsed.errors, ProblemErrors)
        assert invalid.parsed.errors.additional_keys == ["crime_reference"]
        missing = get_case.sync_detailed(uuid.uuid4(), client=api)
        assert missing.status_code == 404
        assert missing.headers["Content-Type"] == "application/problem+json"
        assert isinstance(missing.parsed, Problem)
        assert (missing.parsed.status, missing.parsed.code) == (404, "not_found")

        # Sign out: the access token stops working at once.
        signed_out = sign_out.sync_detailed(client=api)
        assert signed_out.status_code == 204, signed_out.content
        refused = get_me.sync_detailed(client=api)
        assert refused.status_code == 401
        assert isinstance(refused.parsed, Problem)
        assert (refused.parsed.status, refused.parsed.code) == (401, "token_revoked")

    # What the database holds afterwards.
    session.expire_all()
    stored = session.scalars(select(Message).where(Message.case_id == case.id)).all()
    assert [(m.id, m.status, m.provider) for m in stored] == [(written.id, "sent", "manual")]
    stored_duty = session.get(ContactDuty, duty.id)
    assert stored_duty is not None
    assert (stored_duty.status, stored_duty.message_id) == ("met", written.id)
    assert stored_duty.reason == "Met on time by a message."
    device = session.scalars(select(DeviceSession).where(DeviceSession.device_name == DEVICE)).one()
    assert device.revoked_at is not None
    assert len(audit_rows(session, operation="disclosure", resource_id=str(written.id))) == 1
