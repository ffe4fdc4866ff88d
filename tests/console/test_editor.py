"""The template editor: Wording and Subject, the live check with lines, preview, save and submit."""

from __future__ import annotations

import re
import uuid

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldapp.core.templating.library import LIBRARY_DIRECTORY, load_library
from fieldapp.models import Case, MessageTemplate, Team, TemplateVersion, User, Victim
from fieldapp.services.templates.library import import_library
from tests.console.conftest import console_login, csrf_token_of
from tests.factories import audit_rows, create_team, create_user

SMS_KEY, EMAIL_KEY, WELSH_KEY = "arrested-sms-en", "arrested-email-en", "arrested-sms-cy"
EDIT = "/console/templates/{}/edit"
CHECK = "/console/templates/{}/check"
CLEAN = (
    "Dear {{ victim.first_name }}, your crime reference is {{ case.crime_reference }}.\n"
    "We arrested someone on {{ event.date }}.\n"
    "Call {{ officer.name }} on {{ officer.contact_phone }}."
)


@pytest.fixture
def team(session: Session) -> Team:
    """The supervisors' team."""
    return create_team(session)


@pytest.fixture
def library(session: Session) -> None:
    """The built-in arrest text (English and Welsh) and email, published."""
    wanted = {SMS_KEY, EMAIL_KEY, WELSH_KEY}
    import_library(
        session, [item for item in load_library(LIBRARY_DIRECTORY) if item.key in wanted]
    )
    session.commit()


@pytest.fixture
def supervisor(app: Flask, session: Session, team: Team, library: None) -> User:
    """A supervisor of the team."""
    return create_user(app, session, username="sup.editor", role="supervisor", team=team)


@pytest.fixture
def editor(client: FlaskClient, supervisor: User) -> FlaskClient:
    """The test client signed in to the console as the supervisor."""
    console_login(client, supervisor.username)
    return client


def _post(client: FlaskClient, url: str, data: dict[str, str], *, page: str) -> object:
    """POST the editor's form as the browser does, with the CSRF token from ``page``."""
    token = csrf_token_of(client.get(page).text)
    return client.post(url, data={**data, "csrf_token": token})


def _check(client: FlaskClient, key: str, data: dict[str, str]) -> object:
    """POST the live check as htmx does: the form's fields, the token in a header."""
    token = csrf_token_of(client.get(EDIT.format(key)).text)
    return client.post(
        CHECK.format(key), data=data, headers={"X-CSRFToken": token, "HX-Request": "true"}
    )


def _versions(session: Session, key: str) -> list[tuple[int, str]]:
    """A template's versions as (number, status), oldest first."""
    session.expire_all()
    template = session.scalars(select(MessageTemplate).where(MessageTemplate.key == key)).one()
    found = session.scalars(
        select(TemplateVersion)
        .where(TemplateVersion.template_id == template.id)
        .order_by(TemplateVersion.number)
    )
    return [(v.number, v.status) for v in found]


def test_the_editor_shows_the_latest_wording_with_its_check_and_the_merge_fields(
    editor: FlaskClient,
) -> None:
    page = editor.get(EDIT.format(SMS_KEY))
    assert page.status_code == 200
    html = page.text
    assert '<h1 class="govuk-heading-l">Edit Suspect arrested (text)</h1>' in html
    assert "<title>Edit Suspect arrested (text) \u2013 fieldapp console</title>" in html
    assert re.search(r'<label class="govuk-label govuk-label--m" for="wording">\s*Wording', html)
    assert "Dear {{ victim.first_name }}, here is an update" in html
    assert 'id="check-status" role="status">No problems</p>' in html
    assert 'hx-trigger="input changed delay:400ms"' in html
    assert f'hx-post="/console/templates/{SMS_KEY}/check"' in html
    assert re.search(r'aria-describedby="[^"]*check-status', html)
    assert "{{ victim.first_name }}</code>" in html  # the picker: the exact text to copy
    assert "Merge fields you can use" in html
    for button in ("Save draft", "Submit for review"):
        assert button in html
    assert "Subject" not in html  # texts have no subject
    assert "Will be charged as 2 text messages: 4.66p plus VAT." in html
    assert "GSM-7" in html
    assert "hx-on" not in html and "js:" not in html
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), "duplicate ids"


def test_the_email_editor_has_a_subject(editor: FlaskClient) -> None:
    html = editor.get(EDIT.format(EMAIL_KEY)).text
    assert '<label class="govuk-label govuk-label--m" for="subject">Subject</label>' in html
    assert 'value="An update on your case: {{ case.crime_reference }}"' in html


def test_save_draft_creates_a_draft_version(editor: FlaskClient, session: Session) -> None:
    response = _post(
        editor,
        EDIT.format(SMS_KEY),
        {"wording": CLEAN.replace("\n", "\r\n"), "change_note": "Shorter.", "action": "save"},
        page=EDIT.format(SMS_KEY),
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(EDIT.format(SMS_KEY))
    assert _versions(session, SMS_KEY) == [(1, "published"), (2, "draft")]
    version = session.scalars(select(TemplateVersion).where(TemplateVersion.number == 2)).one()
    assert version.body == CLEAN  # the browser's CRLF kept as LF
    assert version.change_note == "Shorter."
    assert [r.reason for r in audit_rows(session, resource_id=f"{SMS_KEY}/2")] == ["saved"]
    assert "Draft saved as version 2." in editor.get(EDIT.format(SMS_KEY)).text


def test_saving_the_same_wording_makes_no_version(editor: FlaskClient, session: Session) -> None:
    wording = editor.get(EDIT.format(SMS_KEY))
    body = session.scalars(
        select(TemplateVersion.body).join(MessageTemplate).where(MessageTemplate.key == SMS_KEY)
    ).one()
    response = editor.post(
        EDIT.format(SMS_KEY),
        data={"wording": body, "action": "save", "csrf_token": csrf_token_of(wording.text)},
    )
    assert response.status_code == 303
    assert _versions(session, SMS_KEY) == [(1, "published")]
    assert "Nothing changed." in editor.get(EDIT.format(SMS_KEY)).text


def test_submit_for_review_saves_and_submits(editor: FlaskClient, session: Session) -> None:
    response = _post(
        editor,
        EDIT.format(SMS_KEY),
        {"wording": CLEAN, "action": "submit"},
        page=EDIT.format(SMS_KEY),
    )
    assert response.status_code == 303
    # to the template's page when this app serves it (templates), else back to the editor
    assert response.headers["Location"] in (f"/console/templates/{SMS_KEY}", EDIT.format(SMS_KEY))
    assert _versions(session, SMS_KEY) == [(1, "published"), (2, "submitted")]
    steps = [r.reason for r in audit_rows(session, resource_id=f"{SMS_KEY}/2")]
    assert steps == ["saved", "submitted"]


def test_a_lint_problem_is_shown_with_the_line_of_the_wording(editor: FlaskClient) -> None:
    wording = CLEAN + "\nRead more at http://example.org/help."
    page = _post(
        editor, EDIT.format(SMS_KEY), {"wording": wording, "action": "check"},
        page=EDIT.format(SMS_KEY),
    )  # fmt: skip
    assert page.status_code == 200
    assert 'role="status">1 problem: line 4</p>' in page.text
    assert "Line 4: Use a link that starts with https://" in page.text
    assert "govuk-error-summary" not in page.text  # while checking: advice, not errors


def test_submitting_a_wording_with_a_lint_error_shows_errors_by_line_and_keeps_nothing(
    editor: FlaskClient, session: Session
) -> None:
    wording = CLEAN + "\n\nTell us your date of birth."
    page = _post(
        editor, EDIT.format(SMS_KEY), {"wording": wording, "action": "submit"},
        page=EDIT.format(SMS_KEY),
    )  # fmt: skip
    assert page.status_code == 422
    html = page.text
    assert "<title>Error: Edit Suspect arrested (text) \u2013 fieldapp console</title>" in html
    assert "There is a problem" in html and 'data-module="govuk-error-summary"' in html
    assert re.search(r'<a href="#wording">\s*Line 5: Do not put a date of birth', html)
    assert 'class="govuk-textarea govuk-textarea--error"' in html
    assert 'id="wording-error"' in html
    assert "Tell us your date of birth." in html  # the text typed is kept in the form
    assert _versions(session, SMS_KEY) == [(1, "published")]


def test_saving_an_unknown_merge_field_is_refused_with_its_line(
    editor: FlaskClient, session: Session
) -> None:
    wording = CLEAN + "\n{{ victim.nickname }}"
    page = _post(
        editor, EDIT.format(SMS_KEY), {"wording": wording, "action": "save"},
        page=EDIT.format(SMS_KEY),
    )  # fmt: skip
    assert page.status_code == 422
    assert re.search(r'<a href="#wording">\s*Line 4: ', page.text)
    assert "victim.nickname" in page.text
    assert _versions(session, SMS_KEY) == [(1, "published")]


def test_saving_an_empty_wording_asks_for_one(editor: FlaskClient) -> None:
    page = _post(
        editor, EDIT.format(SMS_KEY), {"wording": "  ", "action": "save"}, page=EDIT.format(SMS_KEY)
    )
    assert page.status_code == 422
    assert re.search(r'<a href="#wording">\s*Enter the wording.', page.text)


def test_an_email_without_a_subject_is_refused_on_the_subject(editor: FlaskClient) -> None:
    page = _post(
        editor, EDIT.format(EMAIL_KEY), {"wording": CLEAN, "subject": "", "action": "save"},
        page=EDIT.format(EMAIL_KEY),
    )  # fmt: skip
    assert page.status_code == 422
    assert re.search(r'<a href="#subject">\s*An email needs a subject.', page.text)


def test_the_check_endpoint_answers_no_problems_for_clean_text(editor: FlaskClient) -> None:
    response = _check(editor, SMS_KEY, {"wording": CLEAN})
    assert response.status_code == 200
    assert response.text.startswith("No problems")
    assert '<div id="check-details"' in response.text and 'hx-swap-oob="true"' in response.text
    assert "Dear Sam, your crime reference is" in response.text  # the sample data
    assert "<html" not in response.text


def test_the_check_endpoint_answers_200_with_the_problems_by_line(editor: FlaskClient) -> None:
    wording = "{% if victim.first_name %}\nHi {{ victim.first_name }}.\n{% endif %}\n" + CLEAN
    wording += "\nSee http://example.org"
    response = _check(editor, SMS_KEY, {"wording": wording})
    assert response.status_code == 200
    assert response.text.startswith("1 problem: line 7")
    assert "Line 7: Use a link that starts with https://" in response.text


def test_welsh_circumflexes_make_a_text_ucs2(editor: FlaskClient) -> None:
    response = _check(editor, WELSH_KEY, {"wording": "Diolch, {{ victim.first_name }}. Ŵyr."})
    assert "UCS-2 (because of Ŵ)" in response.text
    assert 'lang="cy"' in response.text


def _case(session: Session, team: Team, officer: User, reference: str) -> tuple[Case, Victim]:
    """A case of the team with one victim."""
    case = Case(
        crime_reference=reference,
        offence="Burglary of a home",
        team_id=team.id,
        officer_in_charge_id=officer.id,
    )
    session.add(case)
    session.flush()
    victim = Victim(
        case_id=case.id,
        first_name="Priya",
        last_name="Shah",
        recipient_role="victim",
        phone="+447700900123",
        preferred_channel="sms",
        safe_channels=["sms"],
    )
    session.add(victim)
    session.commit()
    return case, victim


def test_preview_with_a_real_case_in_scope_is_merged_and_audited(
    editor: FlaskClient, session: Session, team: Team, supervisor: User
) -> None:
    case, victim = _case(session, team, supervisor, "42/7001/26")
    page = editor.get(EDIT.format(SMS_KEY)).text
    assert f'<option value="{case.id}/{victim.id}">Priya Shah (42/7001/26)</option>' in page
    wording = "Dear {{ victim.first_name }}, your reference is {{ case.crime_reference }}."
    response = _check(editor, SMS_KEY, {"wording": wording, "preview": f"{case.id}/{victim.id}"})
    assert response.status_code == 200
    assert "Dear Priya, your reference is 42/7001/26." in response.text
    assert "Merged with the chosen case and victim." in response.text
    combined = audit_rows(session, operation="combination", resource_id=str(victim.id))
    assert [r.outcome for r in combined] == ["allowed"]


def test_preview_with_a_case_out_of_scope_is_refused_and_audited(
    app: Flask, editor: FlaskClient, session: Session
) -> None:
    elsewhere = create_team(session)
    officer = create_user(app, session, role="officer", team=elsewhere)
    case, victim = _case(session, elsewhere, officer, "42/7002/26")
    assert str(case.id) not in editor.get(EDIT.format(SMS_KEY)).text
    response = _check(editor, SMS_KEY, {"wording": CLEAN, "preview": f"{case.id}/{victim.id}"})
    assert response.status_code == 404
    assert "Priya" not in response.text
    denied = audit_rows(session, resource_type="case", resource_id=str(case.id))
    assert [r.outcome for r in denied] == ["denied"]


def test_a_malformed_preview_choice_is_refused(editor: FlaskClient) -> None:
    response = _check(editor, SMS_KEY, {"wording": CLEAN, "preview": f"{uuid.uuid4()}/nonsense"})
    assert response.status_code == 422


@pytest.mark.parametrize("role", ["officer", "auditor", "admin"])
def test_only_supervisors_may_edit_as_in_the_api(
    app: Flask, client: FlaskClient, session: Session, library: None, role: str
) -> None:
    user = create_user(app, session, role=role)
    console_login(client, user.username)
    assert client.get(EDIT.format(SMS_KEY)).status_code == 403
    assert client.get("/console/templates/new").status_code == 403
    token = csrf_token_of(client.get("/console/sign-in").text)
    posted = client.post(CHECK.format(SMS_KEY), data={"wording": CLEAN, "csrf_token": token})
    assert posted.status_code == 403


def test_a_post_without_the_csrf_token_is_refused(editor: FlaskClient, session: Session) -> None:
    response = editor.post(EDIT.format(SMS_KEY), data={"wording": CLEAN, "action": "save"})
    assert response.status_code == 403
    assert editor.post(CHECK.format(SMS_KEY), data={"wording": CLEAN}).status_code == 403
    assert _versions(session, SMS_KEY) == [(1, "published")]
    refusals = audit_rows(session, resource_type="route", reason="csrf_failed")
    assert len(refusals) == 2


def test_a_cross_site_post_is_refused(editor: FlaskClient, session: Session) -> None:
    token = csrf_token_of(editor.get(EDIT.format(SMS_KEY)).text)
    response = editor.post(
        EDIT.format(SMS_KEY),
        data={"wording": CLEAN, "action": "save", "csrf_token": token},
        headers={"Sec-Fetch-Site": "cross-site"},
    )
    assert response.status_code == 403
    assert _versions(session, SMS_KEY) == [(1, "published")]


def test_an_unknown_template_is_a_404_page(editor: FlaskClient) -> None:
    response = editor.get(EDIT.format("no-such-template"))
    assert response.status_code == 404
    assert "Page not found" in response.text


NEW = "/console/templates/new"
NEW_TEMPLATE = {
    "name": "Suspect arrested (short text)",
    "key": "arrested-sms-en-short",
    "event_type": "arrested",
    "channel": "sms",
    "language": "en",
    "description": "A shorter arrest text.",
    "wording": CLEAN,
}


def test_a_new_template_asks_for_what_the_api_needs(editor: FlaskClient) -> None:
    page = editor.get(NEW)
    assert page.status_code == 200
    for label in ("Name", "Key", "Event", "Channel", "Language", "Wording", "Subject"):
        assert f">{label}" in page.text or f"> {label}" in page.text or label in page.text
    assert 'hx-post="/console/templates/new/check"' in page.text


def test_a_new_template_is_created_as_a_draft(editor: FlaskClient, session: Session) -> None:
    response = _post(editor, NEW, {**NEW_TEMPLATE, "action": "save"}, page=NEW)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(EDIT.format(NEW_TEMPLATE["key"]))
    assert _versions(session, NEW_TEMPLATE["key"]) == [(1, "draft")]


def test_a_new_template_can_go_straight_to_review(editor: FlaskClient, session: Session) -> None:
    response = _post(editor, NEW, {**NEW_TEMPLATE, "action": "submit"}, page=NEW)
    assert response.status_code == 303
    assert _versions(session, NEW_TEMPLATE["key"]) == [(1, "submitted")]


def test_a_new_template_with_missing_or_bad_fields_is_refused_field_by_field(
    editor: FlaskClient, session: Session
) -> None:
    data = {**NEW_TEMPLATE, "name": "", "key": "Not A Key", "channel": "", "action": "save"}
    page = _post(editor, NEW, data, page=NEW)
    assert page.status_code == 422
    assert re.search(r'<a href="#name">\s*Enter a name.', page.text)
    assert re.search(r'<a href="#channel">\s*Choose a channel.', page.text)
    assert (
        session.scalars(select(MessageTemplate).where(MessageTemplate.key == "Not A Key")).first()
        is None
    )


def test_the_apis_own_rules_for_a_new_template_show_on_the_form(editor: FlaskClient) -> None:
    data = {**NEW_TEMPLATE, "key": "arrested-sms-en-easy-read", "action": "save"}
    page = _post(editor, NEW, data, page=NEW)
    assert page.status_code == 422
    assert re.search(r'<a href="#key">\s*An easy-read template', page.text)


def test_a_taken_key_is_refused_on_the_form(editor: FlaskClient) -> None:
    page = _post(editor, NEW, {**NEW_TEMPLATE, "key": SMS_KEY, "action": "save"}, page=NEW)
    assert page.status_code == 409
    assert "There is a problem" in page.text
    assert f"A template with key &#39;{SMS_KEY}&#39; exists." in page.text
