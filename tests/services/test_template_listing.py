"""The templates list: numbered pages of what the caller may see, with lagging-sibling flags."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask import Flask
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from fieldapp.models import MessageTemplate, TemplateVersion, User
from fieldapp.services.templates import history, listing
from fieldapp.services.users import principal_of
from tests.factories import create_team, create_user
from tests.factories.templates import create_template, publish, save_draft

EARLY = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
LATE = datetime(2026, 6, 4, 8, 32, tzinfo=UTC)


@pytest.fixture
def people(app: Flask, session: Session) -> dict[str, User]:
    """Two supervisors, an auditor and an officer."""
    team = create_team(session)
    return {
        role: create_user(app, session, role=role.rstrip("2"), team=team)
        for role in ("supervisor", "supervisor2", "auditor", "officer")
    }


def _published_at(session: Session, key: str, moment: datetime) -> None:
    """Pretend the template's published version was approved at ``moment`` (no clocks in tests)."""
    template = session.scalars(select(MessageTemplate).where(MessageTemplate.key == key)).one()
    session.execute(
        update(TemplateVersion)
        .where(
            TemplateVersion.template_id == template.id,
            TemplateVersion.number == template.published_number,
        )
        .values(reviewed_at=moment)
    )
    session.commit()


def _pair(session: Session, people: dict[str, User]) -> tuple[str, str]:
    """An English and a Welsh SMS of one family, both published."""
    author, reviewer = people["supervisor"], people["supervisor2"]
    english = create_template(session, author, key="fam-sms-en", family="fam", language="en")
    welsh = create_template(session, author, key="fam-sms-cy", family="fam", language="cy")
    for key in (english, welsh):
        publish(session, author, reviewer, key, 1)
    return english, welsh


def test_english_published_after_welsh_is_flagged(
    session: Session, people: dict[str, User]
) -> None:
    english, welsh = _pair(session, people)
    _published_at(session, welsh, EARLY)
    _published_at(session, english, LATE)
    page = listing.template_page(session, principal_of(people["supervisor"]), filters={}, number=1)
    flags = {row.template.key: row.older for row in page.rows}
    assert [s.key for s in flags[english]] == [welsh]
    assert flags[english][0].language_name == "Welsh"
    assert flags[welsh] == ()


def test_the_flag_holds_when_the_list_is_filtered_to_one_language(
    session: Session, people: dict[str, User]
) -> None:
    english, welsh = _pair(session, people)
    _published_at(session, welsh, EARLY)
    _published_at(session, english, LATE)
    page = listing.template_page(
        session, principal_of(people["auditor"]), filters={"language": "en"}, number=1
    )
    assert [(row.template.key, [s.key for s in row.older]) for row in page.rows] == [
        (english, [welsh])
    ]


def test_a_draft_does_not_count_as_a_change(session: Session, people: dict[str, User]) -> None:
    english, welsh = _pair(session, people)
    _published_at(session, english, EARLY)
    _published_at(session, welsh, EARLY)
    save_draft(session, people["supervisor"], english, "A new text for {{ victim.first_name }}.")
    page = listing.template_page(session, principal_of(people["supervisor"]), filters={}, number=1)
    assert all(row.older == () for row in page.rows)
    latest = {row.template.key: row.latest for row in page.rows}
    assert latest[english] is not None and latest[english].status == "draft"


def test_pages_are_numbered_with_a_total(session: Session, people: dict[str, User]) -> None:
    for _ in range(5):
        create_template(session, people["supervisor"])
    actor = principal_of(people["supervisor"])
    second = listing.template_page(session, actor, filters={}, number=2, size=2)
    assert (second.total, second.pages, len(second.rows)) == (5, 3, 2)
    assert (second.first_index, second.last_index) == (3, 4)
    everything = listing.template_page(session, actor, filters={}, number=1, size=10)
    keys = [row.template.key for row in everything.rows]
    assert [row.template.key for row in second.rows] == keys[2:4]


def test_auditors_see_only_published_active_templates_and_no_drafts(
    session: Session, people: dict[str, User]
) -> None:
    _pair(session, people)
    create_template(session, people["supervisor"], key="draft-only")
    page = listing.template_page(session, principal_of(people["auditor"]), filters={}, number=1)
    assert "draft-only" not in [row.template.key for row in page.rows]
    assert all(row.latest is None for row in page.rows)
    supervisor = listing.template_page(
        session, principal_of(people["supervisor"]), filters={}, number=1
    )
    assert "draft-only" in [row.template.key for row in supervisor.rows]


@pytest.mark.parametrize(
    ("number", "pages", "expected"),
    [
        (1, 1, [1]),
        (3, 3, [1, 2, 3]),
        (5, 10, [1, None, 4, 5, 6, None, 10]),
        (10, 10, [1, None, 9, 10]),
    ],
)
def test_page_links_show_the_ends_and_the_neighbours(
    number: int, pages: int, expected: list[int | None]
) -> None:
    page = listing.TemplatePage((), number, 10, pages * 10)
    assert page.window() == expected


def test_the_template_page_carries_its_flags(session: Session, people: dict[str, User]) -> None:
    english, welsh = _pair(session, people)
    _published_at(session, english, EARLY)
    _published_at(session, welsh, LATE)
    found = history.template_history(session, principal_of(people["supervisor"]), welsh)
    assert [s.key for s in found.older] == [english]
    assert found.editable and found.reviewable
    read_only = history.template_history(session, principal_of(people["auditor"]), welsh)
    assert not read_only.editable and not read_only.reviewable
