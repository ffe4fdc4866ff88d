"""The "Review queue" and the review page: four eyes, reasons for rejecting, audit, refusals."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldapp.models import MessageTemplate, TemplateVersion
from tests.console.conftest import csrf_token_of
from tests.console.curation import People, create_people
from tests.factories import audit_rows
from tests.factories.templates import BODY, create_template, publish, save_draft, submit

QUEUE = "/console/reviews"


@pytest.fixture
def people(app: Flask, session: Session) -> People:
    """The users of these tests."""
    return create_people(app, session)


@pytest.fixture
def submitted(session: Session, people: People) -> str:
    """A template Bob published (Alice approved), then changed and submitted as version 2."""
    key = create_template(session, people["bob"], name="Suspect arrested (text)")
    publish(session, people["bob"], people["alice"], key, 1)
    number = save_draft(session, people["bob"], key, BODY.replace("Dear", "Hello"), "Friendlier")
    submit(session, people["bob"], key, number)
    return key


def _review_url(key: str, number: int = 2) -> str:
    return f"/console/templates/{key}/versions/{number}/review"


def _version(session: Session, key: str, number: int) -> TemplateVersion:
    """A version as stored now."""
    session.expire_all()
    return session.scalars(
        select(TemplateVersion)
        .join(MessageTemplate, MessageTemplate.id == TemplateVersion.template_id)
        .where(MessageTemplate.key == key, TemplateVersion.number == number)
    ).one()


def _decide(people: People, name: str, key: str, data: dict[str, str]) -> tuple[int, str]:
    """POST a decision from the review page as ``name``, CSRF token and all."""
    client = people.client(name)
    page = client.get(_review_url(key))
    response = client.post(_review_url(key), data={**data, "csrf_token": csrf_token_of(page.text)})
    return response.status_code, response.text


def test_the_queue_lists_others_versions_with_their_diff(submitted: str, people: People) -> None:
    response = people.client("alice").get(QUEUE)
    assert response.status_code == 200
    html = response.text
    assert "<title>Review queue \u2013 fieldapp console</title>" in html
    assert html.count("<h1") == 1
    assert "Awaiting review" in html and "Suspect arrested (text)" in html
    assert "Changed" in html and "Hello {{ victim.first_name }}" in html
    assert 'value="approve"' in html and 'value="reject"' in html
    assert "Yours: another supervisor must review" not in html


def test_the_queue_is_oldest_first(session: Session, people: People) -> None:
    keys = [create_template(session, people["bob"], name=f"Template {i}") for i in range(3)]
    for key in reversed(keys):
        submit(session, people["bob"], key, 1)
    html = people.client("alice").get(QUEUE).text
    positions = [html.index(f"Template {i}</a>") for i in range(3)]
    assert positions == sorted(positions, reverse=True)


def test_the_author_is_never_offered_approve(submitted: str, people: People) -> None:
    client = people.client("bob")
    queue = client.get(QUEUE).text
    assert "Yours: another supervisor must review" in queue
    assert "Nothing is waiting for your review." in queue
    assert 'value="approve"' not in queue and 'value="reject"' not in queue
    page = client.get(_review_url(submitted)).text
    assert 'value="approve"' not in page
    assert "another supervisor must review this version" in page


def test_self_approval_is_refused_and_audited(
    session: Session, submitted: str, people: People
) -> None:
    status, _ = _decide(people, "bob", submitted, {"action": "approve"})
    assert status == 403
    assert _version(session, submitted, 2).status == "submitted"
    refused = audit_rows(session, reason="four_eyes: approve", resource_id=f"{submitted}/2")
    assert [(r.outcome, r.actor_name) for r in refused] == [("denied", "bob")]


def test_approving_publishes_and_returns_to_the_queue(
    session: Session, submitted: str, people: People
) -> None:
    client = people.client("alice")
    page = client.get(_review_url(submitted))
    assert page.status_code == 200
    assert "Version 1 to version 2" in page.text and "Friendlier" in page.text
    response = client.post(
        _review_url(submitted), data={"action": "approve", "csrf_token": csrf_token_of(page.text)}
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(QUEUE)
    assert _version(session, submitted, 2).status == "published"
    assert _version(session, submitted, 1).status == "superseded"
    approved = audit_rows(session, reason="approved", resource_id=f"{submitted}/2")
    assert [(r.actor_name, r.outcome) for r in approved] == [("alice", "allowed")]
    after = client.get(QUEUE).text
    assert "version 2 approved" in after
    assert "Nothing is waiting for your review." in after


def test_rejecting_needs_a_reason(session: Session, submitted: str, people: People) -> None:
    status, html = _decide(people, "alice", submitted, {"action": "reject", "reason": "  "})
    assert status == 422
    assert "<title>Error: Review version 2" in html
    assert "There is a problem" in html and 'href="#reason"' in html
    assert "Enter why you are rejecting this version" in html
    assert _version(session, submitted, 2).status == "submitted"


def test_rejecting_with_a_reason_sends_it_back(
    session: Session, submitted: str, people: People
) -> None:
    status, _ = _decide(
        people, "alice", submitted, {"action": "reject", "reason": "Keep the old greeting."}
    )
    assert status == 303
    version = _version(session, submitted, 2)
    assert (version.status, version.rejection_reason) == ("rejected", "Keep the old greeting.")
    rejected = audit_rows(session, reason="rejected", resource_id=f"{submitted}/2")
    assert [r.actor_name for r in rejected] == ["alice"]


def test_an_unknown_decision_is_a_bad_request(submitted: str, people: People) -> None:
    status, _ = _decide(people, "alice", submitted, {"action": "publish"})
    assert status == 400


def test_admins_read_but_may_not_decide(session: Session, submitted: str, people: People) -> None:
    client = people.client("ada")
    queue = client.get(QUEUE)
    assert queue.status_code == 200 and "Suspect arrested (text)" in queue.text
    assert 'value="approve"' not in queue.text
    assert "Only a supervisor may approve or reject" in queue.text
    status, _ = _decide(people, "ada", submitted, {"action": "approve"})
    assert status == 403
    assert _version(session, submitted, 2).status == "submitted"


@pytest.mark.parametrize("name", ["owen", "audrey"])
def test_officers_and_auditors_are_refused(submitted: str, people: People, name: str) -> None:
    client = people.client(name)
    assert client.get(QUEUE).status_code == 403
    assert client.get(_review_url(submitted)).status_code == 403


def test_a_decision_without_the_csrf_token_is_refused(
    session: Session, submitted: str, people: People
) -> None:
    client = people.client("alice")
    response = client.post(_review_url(submitted), data={"action": "approve"})
    assert response.status_code in (400, 403)
    assert _version(session, submitted, 2).status == "submitted"


def test_a_cross_site_decision_is_refused(session: Session, submitted: str, people: People) -> None:
    client = people.client("alice")
    token = csrf_token_of(client.get(_review_url(submitted)).text)
    response = client.post(
        _review_url(submitted),
        data={"action": "approve", "csrf_token": token},
        headers={"Sec-Fetch-Site": "cross-site"},
    )
    assert response.status_code in (400, 403)
    assert _version(session, submitted, 2).status == "submitted"


def test_a_first_version_is_shown_as_all_added(session: Session, people: People) -> None:
    key = create_template(session, people["bob"])
    submit(session, people["bob"], key, 1)
    html = people.client("alice").get(_review_url(key, 1)).text
    assert "(the first)" in html
    changes = re.findall(r'cell console-diff__change">(\w+)<', html)
    assert changes and set(changes) == {"Added"}


def test_a_decided_version_offers_no_decision(
    session: Session, submitted: str, people: People
) -> None:
    _decide(people, "alice", submitted, {"action": "approve"})
    page = people.client("alice").get(_review_url(submitted))
    assert page.status_code == 200
    assert "not awaiting review" in page.text and 'value="approve"' not in page.text
    status, _ = _decide(people, "alice", submitted, {"action": "approve"})
    assert status == 409
