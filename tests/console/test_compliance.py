"""The "Compliance" page, its CSV download and the case page: figures, scope, audit, refusals."""

from __future__ import annotations

import csv
import io
import re
import uuid
from datetime import UTC, datetime, timedelta
from html import unescape
from html.parser import HTMLParser
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldapp.core.victims_code import LONDON
from fieldapp.core.victims_code.working_days import end_of_local_day
from fieldapp.models import AuditRecord
from tests.console.conftest import console_login
from tests.factories import create_team, create_user
from tests.services.test_compliance import create_case, create_duty

URL = "/console/compliance"
CSV_URL = "/console/compliance.csv"


class _Tables(HTMLParser):
    """The text of every cell of one table, row by row (headers included)."""

    def __init__(self, table_id: str) -> None:
        super().__init__()
        self.table_id, self.depth, self.rows = table_id, 0, []
        self.cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Enter the table, a row or a cell."""
        if tag == "table" and (self.depth or dict(attrs).get("id") == self.table_id):
            self.depth += 1
        elif self.depth and tag == "tr":
            self.rows.append([])
        elif self.depth and tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag: str) -> None:
        """Leave a cell or the table."""
        if self.depth and tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append(" ".join("".join(self.cell).split()))
            self.cell = None
        elif self.depth and tag == "table":
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        """Collect a cell's text."""
        if self.cell is not None:
            self.cell.append(data)


def table(html: str, table_id: str) -> list[list[str]]:
    """The rows of the table with this id, each a list of cell texts."""
    parser = _Tables(table_id)
    parser.feed(html)
    assert parser.rows, f"no table #{table_id}"
    return parser.rows


@pytest.fixture
def world(app: Flask, session: Session) -> dict[str, Any]:
    """North's duties due three days ago (one of each outcome) and today; one of South's."""
    north, south = create_team(session, name="North"), create_team(session, name="South")
    ann = create_user(app, session, team=north, display_name="PC Ann")
    cat = create_user(app, session, team=south, display_name="PC Cat")
    today = datetime.now(UTC).astimezone(LONDON).date()
    deadline = end_of_local_day(today - timedelta(days=3))
    north_case, south_case = create_case(session, ann), create_case(session, cat)
    on_time = deadline - timedelta(days=1)
    create_duty(session, north_case, due_at=deadline, status="met", closed_at=on_time)
    create_duty(session, north_case, due_at=deadline, status="met",
                closed_at=deadline + timedelta(hours=2))  # fmt: skip
    create_duty(session, north_case, due_at=deadline, status="missed", event_type="charged",
                closed_at=deadline)  # fmt: skip
    overdue = create_duty(session, north_case, due_at=deadline)
    soon = create_duty(session, north_case, due_at=datetime.now(UTC) + timedelta(hours=5),
                       event_type=None)  # fmt: skip
    south_overdue = create_duty(session, south_case, due_at=deadline)
    for username, role, team in (
        ("sgt.north", "supervisor", north),
        ("sgt.south", "supervisor", south),
        ("admin", "admin", north),
        ("auditor", "auditor", north),
        ("pc.north", "officer", north),
    ):
        create_user(app, session, username=username, role=role, team=team)
    # Up to tomorrow, so that the duty due in five hours counts whatever the time of day.
    until = f"?to={(today + timedelta(days=1)).isoformat()}"
    return {"north": north, "south": south, "north_case": north_case,
            "south_case": south_case, "overdue": overdue, "soon": soon,
            "south_overdue": south_overdue, "until": until}  # fmt: skip


def _records(session: Session, resource_type: str) -> list[AuditRecord]:
    """The audit records about one kind of resource, oldest first."""
    query = select(AuditRecord).where(AuditRecord.resource_type == resource_type)
    return list(session.scalars(query.order_by(AuditRecord.seq)))


def test_supervisor_sees_their_team_figures_as_arranged(
    client: FlaskClient, session: Session, world: dict[str, Any]
) -> None:
    console_login(client, "sgt.north")
    response = client.get(URL + world["until"])
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<h1 class="govuk-heading-l">Compliance</h1>' in html
    assert re.search(r"<title>\s*Compliance \u2013 fieldapp console", html)
    header, north, total = table(html, "by-team")
    assert header == ["Team", "Due", "Met on time", "Met late", "Missed", "Overdue",
                      "Open, not yet due", "On-time rate"]  # fmt: skip
    assert north == ["North", "5", "1", "1", "1", "1", "1", "25%"]
    assert total[0] == "Total" and total[1:] == north[1:]
    assert table(html, "by-officer")[1] == ["PC Ann", *north[1:]]
    events = {row[0]: row[1:] for row in table(html, "by-event-type")[1:]}
    assert events["Arrested"] == ["3", "1", "1", "0", "1", "0", "33.3%"]
    assert events["Charged"] == ["1", "0", "0", "1", "0", "0", "0%"]
    assert events["Periodic update"][:6] == ["1", "0", "0", "0", "0", "1"]
    assert "South" not in html and "PC Cat" not in html
    assert [r.resource_id for r in _records(session, "compliance_report")] == [
        str(world["north"].id)
    ]


def test_weekly_trend_table_counts_each_duty_once(
    client: FlaskClient, world: dict[str, Any]
) -> None:
    console_login(client, "sgt.north")
    rows = table(client.get(URL + world["until"]).get_data(as_text=True), "by-week")
    weeks = rows[1:-1]
    assert all(re.match(r"\d{4}-W\d\d \(", row[0]) for row in weeks)
    assert sum(int(row[1]) for row in weeks) == 5
    assert rows[-1][:2] == ["Total", "5"]


def test_overdue_and_due_soon_duties_link_to_their_case(
    client: FlaskClient, session: Session, world: dict[str, Any]
) -> None:
    console_login(client, "sgt.north")
    html = client.get(URL).get_data(as_text=True)
    case_url = f"/console/cases/{world['north_case'].id}"
    overdue = table(html, "overdue")
    assert len(overdue) == 2 and overdue[1][0].startswith(world["north_case"].crime_reference)
    assert table(html, "due-soon")[1][2] == "Periodic update"
    assert html.count(f'href="{case_url}"') == 2
    assert f"/console/cases/{world['south_case'].id}" not in html
    shown = {r.resource_id for r in _records(session, "duty")}
    assert shown == {str(world["overdue"].id), str(world["soon"].id)}


def test_charts_are_inline_svg_after_their_tables_and_hidden_from_screen_readers(
    client: FlaskClient, world: dict[str, Any]
) -> None:
    console_login(client, "sgt.north")
    html = client.get(URL).get_data(as_text=True)
    assert "style=" not in html and "<canvas" not in html and "<script>" not in html
    for table_id in ("by-team", "by-event-type", "by-week"):
        assert html.index(f'id="{table_id}"') < html.index("<svg", html.index(f'id="{table_id}"'))
    charts = re.findall(r'<div class="govuk-!-margin-bottom-8" aria-hidden="true">', html)
    assert len(charts) == 3
    for colour in ("#12436D", "#28A197", "#801650", "#F46A25"):
        assert colour in html
    assert re.search(r'<rect x="[\d.]+" y="[\d.]+" width="[\d.]+" height="[\d.]+"', html)
    for label in ("Met on time", "Met late", "Missed", "Overdue (open, deadline passed)"):
        assert label in html
    assert "govuk-!-font-tabular-numbers" in html


def test_admin_sees_every_team_and_may_pick_one(client: FlaskClient, world: dict[str, Any]) -> None:
    console_login(client, "admin")
    html = client.get(URL).get_data(as_text=True)
    assert [row[0] for row in table(html, "by-team")[1:-1]] == ["North", "South"]
    assert '<select class="govuk-select" id="team_id" name="team_id"' in html
    assert "for every team" in html
    south = client.get(f"{URL}?team_id={world['south'].id}").get_data(as_text=True)
    assert [row[0] for row in table(south, "by-team")[1:-1]] == ["South"]
    assert "for South" in south
    assert str(world["south_overdue"].id) not in south  # duties are shown by case, not id
    assert table(south, "overdue")[1][0].startswith(world["south_case"].crime_reference)


def test_supervisor_has_no_team_choice_and_naming_another_team_is_a_404(
    client: FlaskClient, session: Session, world: dict[str, Any]
) -> None:
    console_login(client, "sgt.north")
    assert 'name="team_id"' not in client.get(URL).get_data(as_text=True)
    response = client.get(f"{URL}?team_id={world['south'].id}")
    assert response.status_code == 404
    assert "South" not in response.get_data(as_text=True)
    denied = _records(session, "compliance_report")[-1]
    assert (denied.resource_id, denied.outcome) == (str(world["south"].id), "denied")


@pytest.mark.parametrize("username", ["pc.north", "auditor"])
def test_officers_and_auditors_are_refused_as_the_api_refuses_them(
    client: FlaskClient, session: Session, world: dict[str, Any], username: str
) -> None:
    """The API's compliance figures are for supervisors and admins: so is the page."""
    console_login(client, username)
    for url in (URL, CSV_URL, f"/console/cases/{world['north_case'].id}"):
        response = client.get(url)
        assert response.status_code == 403
        assert response.mimetype == "text/html"
    refused = [r for r in _records(session, "route") if r.outcome == "denied"]
    assert len(refused) == 3


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("?from=2026-03-10&to=2026-03-01", "to", "'to' must be on or after 'from'."),
        ("?from=2024-01-01&to=2026-01-01", "to", "A range covers at most 366 days."),
        ("?from=yesterday", "from", "Not a valid date."),
    ],
)
def test_bad_filters_show_the_error_summary(
    client: FlaskClient, world: dict[str, Any], query: str, field: str, message: str
) -> None:
    console_login(client, "sgt.north")
    response = client.get(URL + query)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "There is a problem" in html
    assert f'href="#{field}"' in html and message in unescape(html)
    assert re.search(r"<title>\s*Error: Compliance", html)


def test_csv_has_the_same_figures_as_an_attachment(
    client: FlaskClient, world: dict[str, Any]
) -> None:
    console_login(client, "sgt.north")
    response = client.get(CSV_URL + world["until"])
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Cache-Control"] == "no-store"
    disposition = response.headers["Content-Disposition"]
    assert re.fullmatch(
        r'attachment; filename="compliance-\d{4}-\d\d-\d\d-to-\d{4}-\d\d-\d\d\.csv"', disposition
    )
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0][:4] == ["grouping", "key", "label", "due"]
    by_group = {(row[0], row[2]): row[3:] for row in rows[1:]}
    assert by_group[("team", "North")] == ["5", "1", "1", "1", "1", "1", "0", "0", "25.0"]
    assert by_group[("officer", "PC Ann")] == by_group[("team", "North")]
    assert by_group[("event_type", "periodic_update")][0] == "1"
    assert by_group[("total", "Total")] == by_group[("team", "North")]
    assert sum(int(row[3]) for row in rows if row[0] == "week") == 5
    assert not any("South" in cell for row in rows for cell in row)


def test_csv_keeps_the_filters_and_scope(client: FlaskClient, world: dict[str, Any]) -> None:
    console_login(client, "admin")
    rows = list(csv.reader(io.StringIO(
        client.get(f"{CSV_URL}?team_id={world['south'].id}").get_data(as_text=True)
    )))  # fmt: skip
    assert [row[2] for row in rows if row[0] == "team"] == ["South"]
    client.get("/console/sign-out")
    console_login(client, "sgt.north")
    assert client.get(f"{CSV_URL}?team_id={world['south'].id}").status_code == 404
    assert client.get(f"{CSV_URL}?from=2026-03-10&to=2026-03-01").status_code == 422


def test_csv_text_that_would_run_as_a_formula_is_written_as_text(
    app: Flask, client: FlaskClient, session: Session, world: dict[str, Any]
) -> None:
    officer = create_user(app, session, team=world["north"], display_name='=HYPERLINK("x")')
    case = create_case(session, officer)
    create_duty(session, case, due_at=end_of_local_day(datetime.now(LONDON).date()))
    console_login(client, "sgt.north")
    rows = list(csv.reader(io.StringIO(client.get(CSV_URL).get_data(as_text=True))))
    labels = [row[2] for row in rows if row[0] == "officer"]
    assert '\'=HYPERLINK("x")' in labels
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_case_page_shows_reference_victims_events_and_duties(
    client: FlaskClient, session: Session, world: dict[str, Any]
) -> None:
    console_login(client, "sgt.north")
    case = world["north_case"]
    response = client.get(f"/console/cases/{case.id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f"Case {case.crime_reference}</h1>" in html
    assert "Sam Jones" in html
    duties = table(html, "duties")
    assert len(duties) == 1 + 5  # the header, then North's five duties
    assert {row[-1] for row in duties[1:]} == {"Met on time", "Met late", "Missed", "Overdue",
                                               "Open"}  # fmt: skip
    assert [row[0] for row in table(html, "events")[1:]].count("Arrested") == 3
    consulted = {r.resource_type for r in session.scalars(select(AuditRecord))}
    assert {"case", "victim", "event", "duty"} <= consulted


@pytest.mark.parametrize("which", ["other-team", "missing"])
def test_case_out_of_scope_is_a_404_audited_as_denied(
    client: FlaskClient, session: Session, world: dict[str, Any], which: str
) -> None:
    case_id = world["north_case"].id if which == "other-team" else uuid.uuid4()
    console_login(client, "sgt.south")
    response = client.get(f"/console/cases/{case_id}")
    assert response.status_code == 404
    assert world["north_case"].crime_reference not in response.get_data(as_text=True)
    denied = [r for r in _records(session, "case") if r.outcome == "denied"]
    assert [r.resource_id for r in denied] == [str(case_id)]
