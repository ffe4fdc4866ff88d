"""The "Templates" list, a template's page ("Restore", "Retire"), and the diff of two versions.

Everyone here reads as the API lets them (auditors: published wording only); changes are the
supervisors', through the same services as the API, so every one is reviewed and audited.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, redirect, request, url_for
from werkzeug.wrappers import Response

from fieldapp.api.context import audit_context, current_principal
from fieldapp.console.blueprint import bp
from fieldapp.console.forms import FormInvalid, parse_form
from fieldapp.console.notices import notify
from fieldapp.console.pages import render_page
from fieldapp.core.roles import ADMIN, AUDITOR, SUPERVISOR
from fieldapp.core.templating.context import TEMPLATE_LANGUAGES
from fieldapp.core.templating.dates import format_day, format_moment
from fieldapp.core.templating.library import CHANNELS, LIBRARY_EVENT_TYPES
from fieldapp.database import get_session
from fieldapp.models.template import TEMPLATE_STATUSES
from fieldapp.schemas.curation import DiffQuerySchema, RetireFormSchema, TemplateFilterSchema
from fieldapp.services.templates import comparison, history, listing
from fieldapp.services.templates.listing import TemplatePage
from fieldapp.services.templates.versions import list_versions, require_editor, sees_drafts
from fieldapp.web.access import allow

filter_form = TemplateFilterSchema()
diff_query = DiffQuerySchema()
retire_form = RetireFormSchema()
KEY_PATH = "/templates/<string(maxlength=80):key>"
#: What each filter of the list may be (the page words them).
OPTIONS = {
    "event_type": LIBRARY_EVENT_TYPES,
    "channel": CHANNELS,
    "language": TEMPLATE_LANGUAGES,
    "status": TEMPLATE_STATUSES,
}


def _list_page(
    status: int, *, errors: dict[str, str], filters: dict[str, Any], page: TemplatePage | None
) -> tuple[str, int]:
    """The templates list, its filter form filled in as asked."""
    return render_page(
        "console/templates/index.html",
        status,
        errors=errors,
        filters=filters,
        page=page,
        options=OPTIONS,
        drafts=sees_drafts(current_principal()),
        day=format_day,
    )


@bp.get("/templates")
@allow(SUPERVISOR, ADMIN, AUDITOR)
def templates() -> tuple[str, int]:
    """ "Templates": filter by event, channel, language and status; flags lagging siblings."""
    try:
        filters = parse_form(filter_form, request.args)
    except FormInvalid as exc:
        return _list_page(422, errors=exc.fields, filters={}, page=None)
    number = filters.pop("page")
    session, actor = get_session(), current_principal()
    found = listing.template_page(session, actor, filters=filters, number=number)
    return _list_page(200, errors={}, filters=filters, page=found)


@bp.get(KEY_PATH)
@allow(SUPERVISOR, ADMIN, AUDITOR)
def template(key: str) -> tuple[str, int]:
    """A template's page: its versions with author, reviewer, change note and status."""
    found = history.template_history(get_session(), current_principal(), key)
    # The editor is another feature: link to it once it is there.
    editor = "console.edit_template" in current_app.view_functions
    edit_url = url_for("console.edit_template", key=key) if editor else None
    return render_page(
        "console/templates/show.html", history=found, edit_url=edit_url, when=format_moment
    )


@bp.post(KEY_PATH + "/versions/<int(max=1000000):number>/restore")
@allow(SUPERVISOR, ADMIN)
def restore_version(key: str, number: int) -> Response:
    """ "Restore": an old version's wording becomes a new draft, to be reviewed again."""
    saved = history.restore_version(get_session(), audit_context(), key=key, number=number)
    if saved.created:
        notify(f"Version {saved.version.number} is a draft with the wording of version {number}.")
    else:
        notify(f"Version {saved.version.number} already has the wording of version {number}.")
    return redirect(url_for("console.template", key=key), 303)


@bp.post(KEY_PATH + "/retire")
@allow(SUPERVISOR, ADMIN)
def retire_template(key: str) -> tuple[str, int] | Response:
    """ "Retire": first a confirmation page, then the template is withdrawn (audited)."""
    require_editor(current_principal())
    found = history.template_history(get_session(), current_principal(), key)
    try:
        data = parse_form(retire_form, request.form)
    except FormInvalid as exc:
        return render_page("console/templates/retire.html", 422, history=found, errors=exc.fields)
    if not data["confirm"]:
        return render_page("console/templates/retire.html", history=found, errors={})
    history.retire(get_session(), audit_context(), key=key, reason=data.get("reason"))
    notify(f"{found.template.name} is retired: officers no longer see it.")
    return redirect(url_for("console.template", key=key), 303)


@bp.get(KEY_PATH + "/diff")
@allow(SUPERVISOR, ADMIN, AUDITOR)
def diff(key: str) -> tuple[str, int]:
    """The diff between any two versions, side by side, the change of each line in words."""
    query = parse_form(diff_query, request.args)
    session, actor = get_session(), current_principal()
    found = comparison.compare_versions(session, actor, key=key, **query)
    choices = list_versions(session, actor, key)  # for comparing others
    return render_page(
        "console/templates/diff.html", comparison=found, versions=choices, when=format_moment
    )
