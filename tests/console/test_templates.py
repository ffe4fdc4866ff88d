"""The "Templates" list, a template's page ("Restore", "Retire") and the diff page."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from flask import Flask
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from fieldapp.core.templating.library import LIBRARY_DIRECTORY, load_library
from fieldapp.models import MessageTemplate, TemplateVersion
from fieldapp.services.templates.library import import_library
from tests.console.conftest import csrf_token_of
from tests.console.curation import People, create_people
from tests.factories import audit_rows
from tests.factories.templates import BODY, create_template, publish, save_draft, submit

LIST = "/console/templates"
RETIRE_BUTTON = re.compile(r">\s*Retire\s*</button>")
EARLY = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
LATE = datetime(2026, 6, 4, 8, 32, tzinfo=UTC)


@pytest.fixture
def people(app: Flask, session: Session) -> People:
    """The users of these tests."""
    return create_people(app, session)


@pytest.fixture
def library(session: Session) -> None:
    """The built-in library: every template published as version 1."""
    import_library(session, load_library(LIBRARY_DIRECTORY))


@pytest.fixture
def history(session: Session, people: People) -> str:
    """A template with three versions: 1 superseded, 2 published, 3 a draft."""
    bob, alice = people["bob"], people["alice"]
    key = create_template(session, bob, name="Suspect arrested (text)")
    publish(session, bob, alice, key, 1)
    save_draft(session, bob, key, BODY.replace("Dear", "Hello"), "Friendlier greeting")
    publish(session, bob, alice, key, 2)
    save_draft(session, alice, key, BODY + "\nThank you.", "Add thanks")
    return key


def _template(session: Session, key: str) -> MessageTemplate:
    """A template as stored now."""
    session.expire_all()
    return session.scalars(select(MessageTemplate).where(MessageTemplate.key == key)).one()


def _published_at(session: Session, key: str, moment: datetime) -> None:
    """Pretend the template's published version was approved at ``moment``."""
    template = _template(session, key)
    session.execute(
        update(TemplateVersion)
        .where(
            TemplateVersion.template_id == template.id,
            TemplateVersion.number == template.published_number,
        )
        .values(reviewed_at=moment)
    )
    session.commit()


def _post(people: People, name: str, page: str, url: str, data: dict[str, str]) -> tuple[int, str]:
    """POST a form from ``page`` as ``name``, with the page's CSRF token."""
    client = people.client(name)
    token = csrf_token_of(client.get(page).text)
    response = client.post(url, data={**data, "csrf_token": token})
    return response.status_code, response.text


def test_the_list_has_filters_and_pages(library: None, people: People) -> None:
    response = people.client("alice").get(LIST)
    assert response.status_code == 200
    html = response.text
    assert "<title>Templates \u2013 fieldapp console</title>" in html
    for field in ("event_type", "channel", "language", "status"):
        assert f'name="{field}"' in html
    assert re.search(r"Showing 1 to 25 of \d+ templates", html)
    assert 'href="/console/templates?page=2"' in html
    second = people.client("alice").get(LIST + "?page=2").text
    assert "Showing 26 to 50" in second


def test_filters_narrow_the_list_and_keep_across_pages(library: None, people: People) -> None:
    html = people.client("alice").get(LIST + "?language=cy&channel=sms").text
    rows = re.findall(r'href="/console/templates/([a-z0-9-]+)"', html)
    assert rows and all(key.endswith("-sms-cy") for key in rows)
    assert "Remove this filter: Language" in html
    assert "language=cy" in html and "Clear filters" in html


def test_a_filter_value_that_does_not_exist_is_an_error(people: People) -> None:
    response = people.client("alice").get(LIST + "?channel=pigeon")
    assert response.status_code == 422
    assert "There is a problem" in response.text and 'href="#channel"' in response.text


def test_a_template_whose_welsh_sibling_is_older_is_flagged(
    session: Session, library: None, people: People
) -> None:
    _published_at(session, "arrested-sms-cy", EARLY)
    _published_at(session, "arrested-sms-en", LATE)
    html = people.client("audrey").get(LIST + "?event_type=arrested&channel=sms").text
    english = html.index("arrested-sms-en<")
    welsh = html.index("arrested-sms-cy<")
    assert "Welsh version older" in html[english:]
    assert "English version older" not in html
    assert html.count("govuk-tag--orange") == 1 and welsh < english


def test_auditors_read_published_templates_only(
    session: Session, history: str, people: People
) -> None:
    draft_only = create_template(session, people["bob"], name="Only a draft")
    client = people.client("audrey")
    listing = client.get(LIST).text
    assert "Suspect arrested (text)" in listing and "Only a draft" not in listing
    page = client.get(f"{LIST}/{history}")
    assert page.status_code == 200
    assert "Friendlier greeting" in page.text and "Add thanks" not in page.text
    assert "Restore" not in page.text and "Retire" not in page.text
    assert client.get(f"{LIST}/{draft_only}").status_code == 404


@pytest.mark.parametrize("path", ["", "/arrested-sms-en", "/arrested-sms-en/diff?from=1&to=1"])
def test_officers_are_refused(library: None, people: People, path: str) -> None:
    assert people.client("owen").get(LIST + path).status_code == 403


def test_the_template_page_lists_versions_with_who_and_why(history: str, people: People) -> None:
    response = people.client("alice").get(f"{LIST}/{history}")
    assert response.status_code == 200
    html = response.text
    assert "<title>Suspect arrested (text) \u2013 fieldapp console</title>" in html
    for words in ("Superseded", "Published", "Draft", "Friendlier greeting", "Add thanks"):
        assert words in html
    assert people["bob"].display_name in html and people["alice"].display_name in html
    assert f"/console/templates/{history}/diff?from=2&amp;to=3" in html
    assert len(re.findall(r">\s*Restore<span", html)) == 2  # every version but the newest
    assert RETIRE_BUTTON.search(html)


def test_restore_makes_a_new_draft_that_needs_review(
    session: Session, history: str, people: People
) -> None:
    page = f"{LIST}/{history}"
    status, _ = _post(people, "alice", page, f"{page}/versions/1/restore", {})
    assert status == 303
    template = _template(session, history)
    assert (template.latest_number, template.published_number) == (4, 2)
    restored = session.scalars(
        select(TemplateVersion).where(
            TemplateVersion.template_id == template.id, TemplateVersion.number == 4
        )
    ).one()
    assert (restored.status, restored.restored_from, restored.body) == ("draft", 1, BODY)
    assert [r.actor_name for r in audit_rows(session, reason="restored")] == ["alice"]


@pytest.mark.parametrize("name", ["ada", "audrey"])
def test_only_supervisors_restore(
    session: Session, history: str, people: People, name: str
) -> None:
    page = f"{LIST}/{history}"
    status, _ = _post(people, name, page, f"{page}/versions/1/restore", {})
    assert status == 403
    assert _template(session, history).latest_number == 3


def test_retiring_asks_first_then_retires(session: Session, history: str, people: People) -> None:
    page, url = f"{LIST}/{history}", f"{LIST}/{history}/retire"
    status, html = _post(people, "alice", page, url, {})
    assert status == 200
    assert "Are you sure you want to retire Suspect arrested (text)?" in html
    assert _template(session, history).status == "active"
    status, _ = _post(people, "alice", page, url, {"confirm": "true", "reason": "Replaced"})
    assert status == 303
    template = _template(session, history)
    assert (template.status, template.retire_reason) == ("retired", "Replaced")
    assert [r.actor_name for r in audit_rows(session, reason="retired")] == ["alice"]


def test_retiring_without_the_csrf_token_is_refused(
    session: Session, history: str, people: People
) -> None:
    client = people.client("alice")
    response = client.post(f"{LIST}/{history}/retire", data={"confirm": "true"})
    assert response.status_code in (400, 403)
    assert _template(session, history).status == "active"


def test_the_diff_page_is_a_table_with_changes_in_words(history: str, people: People) -> None:
    response = people.client("alice").get(f"{LIST}/{history}/diff?from=2&to=3")
    assert response.status_code == 200
    html = response.text
    assert "<title>Changes from version 2 to version 3 \u2013 fieldapp console</title>" in html
    changes = re.findall(r'cell console-diff__change">(\w+)<', html)
    assert changes == ["Changed", "Unchanged", "Added"]
    assert '<th scope="col" class="govuk-table__header console-diff__number">Version 2 line' in html


def test_the_diff_needs_both_versions(history: str, people: People) -> None:
    response = people.client("alice").get(f"{LIST}/{history}/diff?from=1")
    assert response.status_code == 422


def test_auditors_diff_published_versions_but_not_drafts(history: str, people: People) -> None:
    client = people.client("audrey")
    assert client.get(f"{LIST}/{history}/diff?from=1&to=2").status_code == 200
    assert client.get(f"{LIST}/{history}/diff?from=2&to=3").status_code == 404


def test_a_submitted_version_links_to_its_review(
    session: Session, history: str, people: People
) -> None:
    submit(session, people["alice"], history, 3)
    html = people.client("bob").get(f"{LIST}/{history}").text
    assert f"/console/templates/{history}/versions/3/review" in html


def test_a_retire_reason_too_long_is_shown_in_an_error_summary(
    session: Session, history: str, people: People
) -> None:
    page, url = f"{LIST}/{history}", f"{LIST}/{history}/retire"
    status, html = _post(people, "alice", page, url, {"confirm": "true", "reason": "x" * 501})
    assert status == 422
    assert "<title>Error: Are you sure" in html and 'href="#reason"' in html
    assert _template(session, history).status == "active"


def test_restoring_the_newest_wording_again_makes_no_version(
    session: Session, history: str, people: People
) -> None:
    client = people.client("alice")
    page = f"{LIST}/{history}"
    token = csrf_token_of(client.get(page).text)
    client.post(f"{page}/versions/1/restore", data={"csrf_token": token})
    response = client.post(
        f"{page}/versions/1/restore", data={"csrf_token": token}, follow_redirects=True
    )
    assert "Version 4 already has the wording of version 1." in response.text
    assert _template(session, history).latest_number == 4


def test_a_retired_template_offers_no_changes(
    session: Session, history: str, people: People
) -> None:
    page, url = f"{LIST}/{history}", f"{LIST}/{history}/retire"
    _post(people, "alice", page, url, {"confirm": "true"})
    html = people.client("bob").get(page).text
    assert "Retired" in html
    assert not RETIRE_BUTTON.search(html) and "Restore<span" not in html


def test_an_unknown_template_is_a_404_page(people: People) -> None:
    response = people.client("alice").get(f"{LIST}/no-such-template")
    assert response.status_code == 404
    assert response.mimetype == "text/html" and "Page not found" in response.text
