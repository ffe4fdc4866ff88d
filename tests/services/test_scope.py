"""The one team-scope rule: admins see every team, others their own; a miss is an audited 404."""

from __future__ import annotations

import uuid

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldapp.errors import NotFound
from fieldapp.models import Case
from fieldapp.services import scope
from fieldapp.services.audit import AuditContext
from fieldapp.services.users import principal_of
from tests.factories import audit_rows, create_team, create_user


def test_officer_is_in_scope_of_their_own_team_only(app: Flask, session: Session) -> None:
    own, other = create_team(session), create_team(session)
    officer = principal_of(create_user(app, session, team=own))
    assert scope.in_scope(officer, own.id)
    assert not scope.in_scope(officer, other.id)
    assert not scope.sees_all_teams(officer)


def test_admin_is_in_scope_of_every_team(app: Flask, session: Session) -> None:
    admin = principal_of(create_user(app, session, role="admin"))
    assert scope.sees_all_teams(admin)
    assert scope.in_scope(admin, create_team(session).id)


def test_scoped_query_filters_on_the_case_team_except_for_admins(
    app: Flask, session: Session
) -> None:
    officer = AuditContext(principal_of(create_user(app, session)), "test")
    admin = AuditContext(principal_of(create_user(app, session, role="admin")), "test")
    assert str(scope.scoped(select(Case), officer).whereclause) == "cases.team_id = :team_id_1"
    assert scope.scoped(select(Case), admin).whereclause is None


def test_nothing_found_is_a_404_audited_as_denied(app: Flask, session: Session) -> None:
    context = AuditContext(principal_of(create_user(app, session)), "test")
    missing = uuid.uuid4()
    with pytest.raises(NotFound):
        scope.require_found(
            session,
            context,
            None,
            resource_type="case",
            resource_id=missing,
            message="No such case.",
        )
    rows = audit_rows(session, resource_type="case", outcome="denied")
    assert [row.resource_id for row in rows] == [str(missing)]


def test_something_found_is_returned_and_not_audited(app: Flask, session: Session) -> None:
    context = AuditContext(principal_of(create_user(app, session)), "test")
    found = scope.require_found(
        session, context, "x", resource_type="case", resource_id=uuid.uuid4(), message="No."
    )
    assert found == "x"
    assert audit_rows(session, resource_type="case") == []
