"""The "Compliance" page, its CSV download, and the case page its duty lists link to.

Roles and scope are the API's: supervisors and admins (as for ``/api/v1/metrics/compliance``);
a supervisor sees their own team, an admin every team or the one they pick. Figures, duty
lists and cases are read through the same services as the API, which audit every read and
answer 404 for anything out of scope. The filters are the API's own query schema (``from``,
``to``, ``team_id``). The page and its CSV may read the replica (``@reads_replica``), as the API's
figures do; the case page shows what officers just changed, so it reads the primary.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask import Response, current_app, request

from fieldapp.api.context import audit_context, current_principal
from fieldapp.console import compliance_page as shown
from fieldapp.console.blueprint import bp
from fieldapp.console.compliance_csv import figures_csv, filename
from fieldapp.console.forms import form_errors, parse_form
from fieldapp.console.pages import render_page
from fieldapp.core.roles import ADMIN, SUPERVISOR
from fieldapp.core.victims_code.outcomes import duty_outcome
from fieldapp.database import get_session
from fieldapp.errors import ValidationFailed
from fieldapp.models.base import utcnow
from fieldapp.schemas.metrics import ComplianceQuerySchema
from fieldapp.services.case_overview import case_overview
from fieldapp.services.compliance_figures import Figures, compliance_figures, team_choices
from fieldapp.services.duties.deadlines import near_deadline
from fieldapp.web.access import allow
from fieldapp.web.data_sources import read_session, reads_replica

ROLES = (SUPERVISOR, ADMIN)
# The page's filter form sends only from, to and team_id; group_by is the API's and unused here.
filters_schema = ComplianceQuerySchema(only=("start", "end", "team_id"))
#: What every compliance template may call to write labels and times.
WORDS: dict[str, Callable[..., str]] = {
    "event_label": shown.event_label,
    "day_text": shown.day_text,
    "moment_text": shown.moment_text,
}


def _figures() -> Figures:
    """The figures the query string asks for; bad filters are a ValidationFailed (422)."""
    query = parse_form(filters_schema, request.args)
    return compliance_figures(
        audit_context(),
        reads=read_session(),
        writes=get_session(),
        start=query.get("start"),
        end=query.get("end"),
        team_id=query.get("team_id"),
    )


def _page(status: int = 200, **page: Any) -> tuple[str, int]:
    """The compliance page with the filter form as the caller filled it in."""
    teams = team_choices(read_session(), current_principal())
    return render_page(
        "console/compliance/index.html", status, filters=request.args, teams=teams, **WORDS, **page
    )


@bp.get("/compliance")
@allow(*ROLES)
@reads_replica
def compliance() -> tuple[str, int]:
    """Victims' Code figures by team, officer, event type and week; duties near their deadline."""
    try:
        figures = _figures()
    except ValidationFailed as exc:
        return _page(422, errors=form_errors(exc))
    hours = current_app.config["DUE_SOON_HOURS"]
    near = near_deadline(
        audit_context(),
        reads=read_session(),
        writes=get_session(),
        team_id=figures.team_id,
        within=timedelta(hours=hours),
        now=figures.generated_at,
    )
    tables, charts = shown.tables(figures), shown.compliance_charts(figures)
    return _page(figures=figures, tables=tables, charts=charts, near=near, hours=hours)


@bp.get("/compliance.csv")
@allow(*ROLES)
@reads_replica
def compliance_csv() -> Response:
    """The same figures, with the same filters and scope, as a CSV download."""
    figures = _figures()
    return Response(
        figures_csv(figures),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename(figures)}"'},
    )


@bp.get("/cases/<uuid:case_id>")
@allow(*ROLES)
def case(case_id: uuid.UUID) -> tuple[str, int]:
    """One case in scope: its reference, recipients, events and duties with their deadlines."""
    overview = case_overview(get_session(), audit_context(), case_id)
    return render_page(
        "console/compliance/case.html",
        200,
        overview=overview,
        now=utcnow(),
        duty_outcome=duty_outcome,
        **WORDS,
    )
