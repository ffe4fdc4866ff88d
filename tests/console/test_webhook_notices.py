"""The console warns admins on every page about webhooks disabled after repeated failures."""

from __future__ import annotations

from flask import Flask
from sqlalchemy.orm import Session

from tests.console.conftest import console_login
from tests.factories import create_team, create_user
from tests.factories.webhooks import create_webhook

HOOK = "https://hooks.example.org/in"
REASON = "Disabled after 15 consecutive failed attempts; re-enable when fixed."


def test_admins_see_a_webhook_disabled_by_failures_and_supervisors_do_not(
    app: Flask,
    session: Session,
    signed_in_as,  # type: ignore[no-untyped-def]
) -> None:
    team = create_team(session)
    admin = create_user(app, session, username="admin.console", role="admin", team=team)
    create_user(app, session, username="sup.console", role="supervisor", team=team)
    hook = create_webhook(app, session, admin, HOOK, ["duty.overdue"])
    hook.record.status, hook.record.disabled_reason = "disabled", REASON
    session.commit()
    page = signed_in_as("admin.console").get("/console/", follow_redirects=True)
    assert page.status_code == 200
    assert "The webhook to https://hooks.example.org/in was disabled" in page.text
    assert f"/api/v1/webhooks/{hook.id}" in page.text
    other = app.test_client()
    console_login(other, "sup.console")
    assert "was disabled" not in other.get("/console/", follow_redirects=True).text
