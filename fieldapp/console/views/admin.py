"""Admin pages: users, teams and API keys, through the API's own schemas, services and audit.

The create services only flush, as the API's creates expect (its idempotency layer commits);
here the view commits instead, once, after the service has done its work.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from flask import redirect, request, url_for
from werkzeug.wrappers import Response

from fieldapp.api.context import audit_context, passwords
from fieldapp.api.paging import cursor_key, time_id_key
from fieldapp.console.blueprint import bp
from fieldapp.console.forms import form_errors, parse_form
from fieldapp.console.notices import notify
from fieldapp.console.pages import render_page
from fieldapp.core.changes import changed_fields
from fieldapp.core.cursors import encode_cursor
from fieldapp.core.roles import ADMIN, ROLE_DESCRIPTIONS, ROLES
from fieldapp.core.scopes import SCOPES
from fieldapp.core.templating.dates import format_moment
from fieldapp.database import get_session
from fieldapp.errors import Conflict, PreconditionFailed, ValidationFailed
from fieldapp.models import ApiKey, User
from fieldapp.models.base import utcnow
from fieldapp.schemas.admin_forms import NewApiKeyForm, NewUserForm, TeamForm, UserChangeForm
from fieldapp.schemas.api_keys import DEFAULT_RATE_LIMIT
from fieldapp.schemas.users import UserSchema
from fieldapp.services import api_keys, teams, users
from fieldapp.web.access import allow

T = TypeVar("T")
Page = Response | tuple[str, int]

PAGE_SIZE = 50
NO_SUCH_USER = "No such user, or the account is disabled."
STALE = "Someone changed this account while you were looking at it. Check it and try again."
#: What each change on a user's page did, for the success banner.
CHANGE_NOTICES = {"role": "role changed", "team": "team changed", "password": "password set"}

new_user_form = NewUserForm()
user_change_form = UserChangeForm()
team_form = TeamForm()
new_api_key_form = NewApiKeyForm()
user_schema = UserSchema()

bp.add_app_template_filter(format_moment, "datetime_text")


def _next_url(endpoint: str, found: Sequence[T], key: Callable[[T], list[Any]]) -> str | None:
    """The next page's address, when the service found one row more than a page shows."""
    if len(found) <= PAGE_SIZE:
        return None
    return url_for(endpoint, cursor=encode_cursor(key(found[PAGE_SIZE - 1])))


@bp.get("/users", endpoint="users")
@allow(ADMIN)
def list_users() -> Page:
    """The "Users" page: every account by username, a page at a time."""
    after = cursor_key(request.args, types=(str,))
    found = users.list_users(get_session(), after=after[0] if after else None, limit=PAGE_SIZE + 1)
    next_url = _next_url("console.users", found, lambda user: [user.username])
    return render_page(
        "console/admin/users.html", accounts=found[:PAGE_SIZE], first=not after, next_url=next_url
    )


def _new_user_page(status: int = 200, errors: Mapping[str, str] | None = None) -> Page:
    """The "Create user" form, with what was typed (never the password) and any errors."""
    return render_page(
        "console/admin/new_user.html",
        status,
        errors=errors or {},
        form=request.form,
        roles=ROLES,
        role_hints=ROLE_DESCRIPTIONS,
        teams=teams.list_teams(get_session()),
    )


@bp.route("/users/new", methods=["GET", "POST"])
@allow(ADMIN)
def new_user() -> Page:
    """The "Create user" page: the API's create, with its rules and its audit record."""
    if request.method == "GET":
        return _new_user_page()
    session = get_session()
    try:
        data = parse_form(new_user_form, request.form)
        account = users.create_user(session, audit_context(), passwords=passwords(), data=data)
        session.commit()
    except ValidationFailed as exc:
        return _new_user_page(422, form_errors(exc))
    except Conflict as exc:
        return _new_user_page(409, {"username": exc.detail})
    notify(f"User {account.username} created.")
    return redirect(url_for("console.user", user_id=account.id), 303)


def _user_page(account: User, status: int = 200, errors: Mapping[str, str] | None = None) -> Page:
    """A user's page: their account and the changes an admin may make."""
    return render_page(
        "console/admin/user.html",
        status,
        account=account,
        errors=errors or {},
        roles=ROLES,
        role_hints=ROLE_DESCRIPTIONS,
        teams=teams.list_teams(get_session()),
    )


def _change_notice(account: User, changes: Mapping[str, Any]) -> str:
    """What a change did, in words: "pc.smith: role changed. Signed out everywhere."."""
    if not changes:
        return f"{account.username}: nothing changed."
    done = [CHANGE_NOTICES.get(name, "") for name in changes]
    if "disabled" in changes:
        done.append("account disabled" if changes["disabled"] else "account enabled")
    said = ", ".join(text for text in done if text)
    ended = " Signed out everywhere." if users.SESSION_ENDING_FIELDS & changes.keys() else ""
    return f"{account.username}: {said}.{ended}"


@bp.route("/users/<uuid:user_id>", methods=["GET", "POST"], endpoint="user")
@allow(ADMIN)
def change_user(user_id: uuid.UUID) -> Page:
    """A user's page; each form on it is one change the API's PATCH would make."""
    session = get_session()
    account = users.get_user(session, audit_context(), user_id)
    if request.method == "GET":
        return _user_page(account)
    try:
        form = parse_form(user_change_form, request.form)
        version = form.pop("version")
        changes = changed_fields(user_schema.dump(account), form)
        if changes:
            users.update_user(
                session,
                audit_context(),
                passwords=passwords(),
                user_id=user_id,
                expected_version=version,
                changes=changes,
            )
    except ValidationFailed as exc:
        session.rollback()  # the page shows the account as stored, never half-changed
        return _user_page(account, 422, form_errors(exc))
    except (Conflict, PreconditionFailed) as exc:
        session.rollback()
        message = STALE if isinstance(exc, PreconditionFailed) else exc.detail
        return _user_page(account, exc.status_code, {"": message})
    notify(_change_notice(account, changes))
    return redirect(url_for("console.user", user_id=user_id), 303)


@bp.post("/users/<uuid:user_id>/sign-out-everywhere")
@allow(ADMIN)
def revoke_user_sessions(user_id: uuid.UUID) -> Response:
    """The "Sign out everywhere" button: every device of the user must sign in again."""
    users.revoke_sessions(get_session(), audit_context(), user_id=user_id)
    notify("Signed out everywhere: every device must sign in again.")
    return redirect(url_for("console.user", user_id=user_id), 303)


def _teams_page(status: int = 200, errors: Mapping[str, str] | None = None) -> Page:
    """Every team, and the form to create one."""
    return render_page(
        "console/admin/teams.html",
        status,
        teams=teams.list_teams(get_session()),
        errors=errors or {},
        form=request.form,
    )


@bp.route("/teams", methods=["GET", "POST"], endpoint="teams")
@allow(ADMIN)
def create_team() -> Page:
    """The "Teams" page: every team, and "Create a team" with the API's rules."""
    if request.method == "GET":
        return _teams_page()
    session = get_session()
    try:
        data = parse_form(team_form, request.form)
        team = teams.create_team(session, name=data["name"], context=audit_context())
        session.commit()
    except ValidationFailed as exc:
        return _teams_page(422, form_errors(exc))
    except Conflict as exc:
        return _teams_page(409, {"name": exc.detail})
    notify(f"Team {team.name} created.")
    return redirect(url_for("console.teams"), 303)


@bp.get("/api-keys", endpoint="api_keys")
@allow(ADMIN)
def list_api_keys() -> Page:
    """The "API keys" page: oldest first, revoked ones included, never the keys themselves."""
    after = time_id_key(request.args)
    found = api_keys.list_keys(get_session(), after=after, limit=PAGE_SIZE + 1)
    now = utcnow()
    shown = [(key, api_keys.state_of(key, now=now)) for key in found[:PAGE_SIZE]]
    next_url = _next_url("console.api_keys", found, _key_position)
    return render_page(
        "console/admin/api_keys.html", keys=shown, first=not after, next_url=next_url
    )


def _key_position(key: ApiKey) -> list[Any]:
    """Where a key sits in the list, for the next page's cursor (as the API's)."""
    return [key.created_at.isoformat(), str(key.id)]


def _new_key_page(status: int, errors: Mapping[str, str], form: Mapping[str, Any]) -> Page:
    """The "Create API key" form, with what was chosen and any errors."""
    return render_page(
        "console/admin/new_api_key.html",
        status,
        errors=errors,
        form=form,
        chosen_scopes=request.form.getlist("scopes"),
        scopes=SCOPES,
    )


def _acting_user_id(username: str) -> uuid.UUID:
    """The id of the account a new key acts for, named by its username."""
    user = users.find_user(get_session(), username)
    if user is None:
        raise ValidationFailed(errors={"username": [NO_SUCH_USER]})
    return user.id


@bp.route("/api-keys/new", methods=["GET", "POST"])
@allow(ADMIN)
def new_api_key() -> Page:
    """The "Create API key" page; the key is on the page it answers with, and never again."""
    if request.method == "GET":
        typed = {"username": request.args.get("username", ""), "rate_limit": DEFAULT_RATE_LIMIT}
        return _new_key_page(200, {}, typed)
    session = get_session()
    try:
        data = parse_form(new_api_key_form, request.form, lists=frozenset({"scopes"}))
        data["user_id"] = _acting_user_id(data.pop("username"))
        issued = api_keys.create_key(session, context=audit_context(), data=data, now=utcnow())
        session.commit()
    except ValidationFailed as exc:
        errors = form_errors(exc)
        if "user_id" in errors:  # the service names the API's field
            errors = {"username": errors.pop("user_id"), **errors}
        return _new_key_page(422, errors, request.form)
    return render_page("console/admin/api_key_created.html", 201, issued=issued)


@bp.get("/api-keys/<uuid:key_id>/revoke")
@allow(ADMIN)
def confirm_revoke_api_key(key_id: uuid.UUID) -> Page:
    """The step before revoking a key: what it is, and a button to confirm (no script needed)."""
    return render_page(
        "console/admin/revoke_api_key.html", key=api_keys.get_key(get_session(), key_id)
    )


@bp.post("/api-keys/<uuid:key_id>/revoke")
@allow(ADMIN)
def revoke_api_key(key_id: uuid.UUID) -> Response:
    """Revoke a key at once (audited, as the API's DELETE); revoking it again changes nothing."""
    session = get_session()
    api_keys.revoke_key(session, context=audit_context(), key_id=key_id, now=utcnow())
    notify(f"API key {api_keys.get_key(session, key_id).name} revoked.")
    return redirect(url_for("console.api_keys"), 303)
