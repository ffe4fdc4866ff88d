"""The review workflow under concurrency: one approval wins, version numbers stay gapless."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldapp.database import get_database
from fieldapp.errors import Conflict
from fieldapp.models import MessageTemplate, TemplateVersion
from fieldapp.services.audit import AuditContext
from fieldapp.services.templates import reviews, versions
from fieldapp.services.users import principal_of
from tests.factories import create_team, create_user

BODY = (
    "Hello {{ victim.first_name }}. We have arrested someone for crime "
    "{{ case.crime_reference }}. Call {{ officer.name }} on {{ officer.contact_phone }}."
)


@pytest.fixture
def supervisors(app: Flask, session: Session) -> list[AuditContext]:
    """Four supervisors in one team, each as the acting caller."""
    team = create_team(session)
    return [
        AuditContext(principal_of(create_user(app, session, role="supervisor", team=team)), "test")
        for _ in range(4)
    ]


def _race(app: Flask, calls: list[Callable[[Session], Any]]) -> list[Any]:
    """Run each call in its own thread and session, released together; collect outcomes."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[Any] = [None] * len(calls)

    def run(index: int) -> None:
        with get_database(app).sessions() as own:
            barrier.wait()
            try:
                outcomes[index] = calls[index](own)
            except Conflict as exc:
                outcomes[index] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def _saved(session: Session, who: AuditContext, data: dict[str, str]) -> versions.SavedVersion:
    """Save a version and commit it, as the view does."""
    saved = versions.save_version(session, who, key="race", data=data)
    session.commit()
    return saved


def _submitted(session: Session, author: AuditContext) -> None:
    data = {
        "key": "race",
        "channel": "sms",
        "language": "en",
        "event_type": "arrested",
        "name": "Race",
        "body": BODY,
    }
    versions.create_template(session, author, data=data)
    session.commit()
    reviews.submit_version(session, author, key="race", number=1)


def test_two_supervisors_approving_at_once_publish_exactly_once(
    app: Flask, session: Session, supervisors: list[AuditContext]
) -> None:
    author, first, second, _ = supervisors
    _submitted(session, author)

    outcomes = _race(
        app,
        [
            lambda own: reviews.approve_version(own, first, key="race", number=1),
            lambda own: reviews.approve_version(own, second, key="race", number=1),
        ],
    )

    conflicts = [o for o in outcomes if isinstance(o, Conflict)]
    assert len(conflicts) == 1
    session.expire_all()
    version = session.scalars(select(TemplateVersion)).one()
    assert version.status == "published"
    assert version.reviewed_by_id in {first.actor.user_id, second.actor.user_id}
    assert session.scalars(select(MessageTemplate.published_number)).one() == 1


def test_concurrent_saves_keep_version_numbers_unique_and_gapless(
    app: Flask, session: Session, supervisors: list[AuditContext]
) -> None:
    _submitted(session, supervisors[0])

    outcomes = _race(
        app,
        [
            (lambda own, who=who, n=n: _saved(own, who, {"body": f"{BODY} Note {n}."}))
            for n, who in enumerate(supervisors)
        ],
    )

    saved = [o for o in outcomes if not isinstance(o, Conflict)]
    session.expire_all()
    numbers = sorted(session.scalars(select(TemplateVersion.number)))
    assert numbers == list(range(1, len(saved) + 2))
    assert session.scalars(select(MessageTemplate.latest_number)).one() == len(saved) + 1
    assert saved, "at least one concurrent save must succeed"


def test_approving_an_older_version_after_a_newer_one_is_refused(
    session: Session, supervisors: list[AuditContext]
) -> None:
    author, reviewer, _, _ = supervisors
    _submitted(session, author)
    _saved(session, author, {"body": BODY + " Two."})
    reviews.submit_version(session, author, key="race", number=2)
    reviews.approve_version(session, reviewer, key="race", number=2)

    with pytest.raises(Conflict):
        reviews.approve_version(session, reviewer, key="race", number=1)


def test_retiring_rejects_versions_waiting_for_review(
    session: Session, supervisors: list[AuditContext]
) -> None:
    author, reviewer, _, _ = supervisors
    _submitted(session, author)

    reviews.retire_template(session, reviewer, key="race", reason="Replaced.")

    version = session.scalars(select(TemplateVersion)).one()
    assert version.status == "rejected"
    assert version.rejection_reason == "The template was retired."
