"""The template editor's use cases: a check finds what a save would, on the wording's own lines."""

from __future__ import annotations

from decimal import Decimal

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldapp.core.templating.check import Wording
from fieldapp.errors import ValidationFailed
from fieldapp.models import Case, Team, TemplateVersion, Victim
from fieldapp.services.audit import AuditContext
from fieldapp.services.templates import editing, versions
from fieldapp.services.templates.editing import PreviewTarget
from fieldapp.services.users import principal_of
from tests.factories import audit_rows, create_team, create_user

BODY = (
    "Hello {{ victim.first_name }}. We have arrested someone for crime "
    "{{ case.crime_reference }}. Call {{ officer.name }} on {{ officer.contact_phone }}."
)
PRICE = Decimal("2.33")


@pytest.fixture
def team(session: Session) -> Team:
    """The supervisors' team."""
    return create_team(session)


@pytest.fixture
def supervisor(app: Flask, session: Session, team: Team) -> AuditContext:
    """A supervisor as the acting caller."""
    return AuditContext(principal_of(create_user(app, session, role="supervisor", team=team)), "t")


def _check(
    session: Session, who: AuditContext, body: str, target: PreviewTarget | None = None
) -> editing.DraftCheck:
    """Check an English text message about an arrest."""
    return editing.check_draft(
        session,
        who,
        wording=Wording("sms", "en", body),
        event_type="arrested",
        target=target,
        force=FORCE,
        pence_per_text=PRICE,
    )


FORCE = {
    "en": {
        "name": "Demo Constabulary",
        "phone": "101",
        "website": "https://www.demo-constabulary.example",
        "support_name": "Victim Support",
        "support_phone": "08 08 16 89 111",
        "victims_code_url": "https://www.gov.uk/victims-code",
        "review_url": "https://www.demo-constabulary.example/right-to-review",
        "complaints_url": "https://www.demo-constabulary.example/complaints",
        "witness_care_name": "Demo Witness Care Unit",
        "witness_care_phone": "01632 960 500",
        "restorative_justice_url": "https://www.demo-constabulary.example/rj",
        "compensation_url": "https://www.gov.uk/claim-compensation-criminal-injury",
    }
}
FORCE["cy"] = FORCE["en"]


def test_a_clean_wording_has_no_problems_and_is_counted_and_costed(
    session: Session, supervisor: AuditContext
) -> None:
    checked = _check(session, supervisor, BODY)
    assert checked.summary == "No problems"
    assert checked.body is not None and checked.body.startswith("Hello Sam.")
    assert checked.sms is not None
    assert (checked.sms.encoding, checked.sms.fragments) == ("GSM-7", 1)
    assert checked.sms.cost_pence == PRICE


def test_a_lint_problem_is_told_on_the_line_of_the_wording_not_of_the_message(
    session: Session, supervisor: AuditContext
) -> None:
    body = "{% if victim.first_name %}\nHello {{ victim.first_name }}.\n{% endif %}\n" + (
        BODY + "\nSee http://example.org for more."
    )
    checked = _check(session, supervisor, body)
    links = [f for f in checked.findings if f.code == "insecure_link"]
    assert [f.line for f in links] == [5]  # line 3 of the message, line 5 of the wording
    assert checked.summary == "1 problem: line 5"


def test_a_refused_wording_is_a_blocking_problem_on_its_source_line(
    session: Session, supervisor: AuditContext
) -> None:
    checked = _check(session, supervisor, BODY + "\n\n{{ victim.nickname }}")
    assert [(f.code, f.line, f.blocking) for f in checked.findings] == [("unknown_field", 3, True)]
    assert checked.body is None


def _template(session: Session, who: AuditContext) -> None:
    """An arrest text with a first draft."""
    data = {
        "key": "arrest-text",
        "channel": "sms",
        "language": "en",
        "event_type": "arrested",
        "name": "Arrest",
        "body": BODY,
    }
    editing.create_draft(session, who, data=data)


def test_submit_saves_and_submits_in_one_transaction(
    session: Session, supervisor: AuditContext
) -> None:
    _template(session, supervisor)
    saved = editing.save_and_submit(
        session, supervisor, key="arrest-text", data={"body": BODY + " Thank you."}
    )
    assert (saved.version.number, saved.version.status) == (2, "submitted")


def test_a_refused_submit_keeps_no_draft(session: Session, supervisor: AuditContext) -> None:
    _template(session, supervisor)
    # a draft may hold a lint error, but it cannot go for review: the save is undone too
    with pytest.raises(ValidationFailed) as refused:
        editing.save_and_submit(
            session, supervisor, key="arrest-text", data={"body": BODY + " Date of birth?"}
        )
    assert refused.value.errors is not None and "lint" in refused.value.errors
    session.expire_all()
    assert [v.number for v in session.scalars(select(TemplateVersion))] == [1]
    template = versions.get_template(session, supervisor.actor, "arrest-text")
    assert template.latest_number == 1


def _case(session: Session, team: Team, officer_id: object, reference: str) -> Case:
    """A case of the team with one victim."""
    case = Case(
        crime_reference=reference,
        offence="Burglary of a home",
        team_id=team.id,
        officer_in_charge_id=officer_id,
    )
    session.add(case)
    session.flush()
    session.add(
        Victim(
            case_id=case.id,
            first_name="Priya",
            last_name="Shah",
            recipient_role="victim",
            phone="+447700900123",
            preferred_channel="sms",
            safe_channels=["sms"],
        )
    )
    session.commit()
    return case


def test_preview_choices_list_only_cases_in_scope_and_are_audited(
    app: Flask, session: Session, team: Team, supervisor: AuditContext
) -> None:
    own = _case(session, team, supervisor.actor.user_id, "42/1/26")
    elsewhere = create_team(session)
    other = create_user(app, session, role="supervisor", team=elsewhere)
    _case(session, elsewhere, other.id, "42/2/26")

    choices = editing.preview_choices(session, supervisor)

    assert [c.crime_reference for c in choices] == ["42/1/26"]
    assert [v.name for v in choices[0].victims] == ["Priya Shah"]
    assert [r.resource_id for r in audit_rows(session, resource_type="case")] == [str(own.id)]
    victims = audit_rows(session, resource_type="victim", operation="consultation")
    assert [r.resource_id for r in victims] == [str(choices[0].victims[0].victim_id)]


def test_a_real_case_in_scope_is_merged_and_the_combination_audited(
    session: Session, team: Team, supervisor: AuditContext
) -> None:
    case = _case(session, team, supervisor.actor.user_id, "42/3/26")
    victim = session.scalars(select(Victim).where(Victim.case_id == case.id)).one()

    checked = _check(session, supervisor, BODY, PreviewTarget(case.id, victim.id))

    assert checked.body is not None and checked.body.startswith("Hello Priya.")
    assert "42/3/26" in checked.body
    assert not checked.sample
    combined = audit_rows(session, operation="combination")
    assert [r.resource_id for r in combined] == [str(victim.id)]
