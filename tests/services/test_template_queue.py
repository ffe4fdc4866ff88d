"""The review queue: others' submissions oldest first, each diffed against what it replaces."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask import Flask
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from fieldapp.errors import Forbidden
from fieldapp.models import MessageTemplate, TemplateVersion, User
from fieldapp.services.templates import queue
from fieldapp.services.users import principal_of
from tests.factories import create_team, create_user
from tests.factories.templates import BODY, acting, create_template, publish, save_draft, submit


@pytest.fixture
def people(app: Flask, session: Session) -> dict[str, User]:
    """Two supervisors, an admin and an auditor."""
    team = create_team(session)
    return {
        name: create_user(app, session, role=name.rstrip("2"), team=team)
        for name in ("supervisor", "supervisor2", "admin", "auditor")
    }


def _submitted_at(session: Session, key: str, day: int) -> None:
    """Pretend version 1 of ``key`` was submitted on a given June day (no clocks in tests)."""
    template_id = select(MessageTemplate.id).where(MessageTemplate.key == key).scalar_subquery()
    session.execute(
        update(TemplateVersion)
        .where(TemplateVersion.template_id == template_id, TemplateVersion.number == 1)
        .values(submitted_at=datetime(2026, 6, day, 9, 0, tzinfo=UTC))
    )
    session.commit()


def test_others_submissions_come_oldest_first_and_own_apart(
    session: Session, people: dict[str, User]
) -> None:
    alice, bob = people["supervisor"], people["supervisor2"]
    second, mine, first = (create_template(session, who) for who in (bob, alice, bob))
    for key, author, day in ((second, bob, 3), (mine, alice, 2), (first, bob, 1)):
        submit(session, author, key, 1)
        _submitted_at(session, key, day)
    found = queue.review_queue(session, principal_of(alice))
    assert [r.template.key for r in found.others] == [first, second]
    assert all(r.may_decide and not r.own for r in found.others)
    assert [(r.template.key, r.own, r.may_decide) for r in found.own] == [(mine, True, False)]


def test_a_new_version_is_compared_with_the_published_one(
    session: Session, people: dict[str, User]
) -> None:
    alice, bob = people["supervisor"], people["supervisor2"]
    key = create_template(session, bob)
    publish(session, bob, alice, key, 1)
    save_draft(session, bob, key, BODY + "\nA second line.")
    changed = save_draft(session, bob, key, BODY.replace("Dear", "Hello") + "\nA second line.")
    submit(session, bob, key, changed)
    (review,) = queue.review_queue(session, principal_of(alice)).others
    assert (review.version.number, review.base and review.base.number) == (3, 1)
    body = next(part for part in review.comparison.parts if part.name == "Body")
    assert [row.change for row in body.rows] == ["Changed", "Unchanged", "Added"]


def test_a_first_version_is_compared_with_nothing(
    session: Session, people: dict[str, User]
) -> None:
    key = create_template(session, people["supervisor2"])
    submit(session, people["supervisor2"], key, 1)
    (review,) = queue.review_queue(session, principal_of(people["supervisor"])).others
    assert review.base is None
    assert {row.change for part in review.comparison.parts for row in part.rows} == {"Added"}


def test_admins_read_the_queue_but_may_not_decide(
    session: Session, people: dict[str, User]
) -> None:
    key = create_template(session, people["supervisor"])
    submit(session, people["supervisor"], key, 1)
    (review,) = queue.review_queue(session, principal_of(people["admin"])).others
    assert not review.may_decide
    with pytest.raises(Forbidden):
        queue.decide_review(session, acting(people["admin"]), key=key, number=1, reason=None)


def test_auditors_have_no_queue(session: Session, people: dict[str, User]) -> None:
    with pytest.raises(Forbidden):
        queue.review_queue(session, principal_of(people["auditor"]))
