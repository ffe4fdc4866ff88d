"""The data the supervisor journeys start from: a team, its people, the library and an arrest."""

from __future__ import annotations

from sqlalchemy.orm import Session

from fieldapp.core.templating.library import LIBRARY_DIRECTORY, load_library
from fieldapp.demo.cases import load_demo_cases
from fieldapp.services.templates.library import import_library
from tests.console.browser.conftest import LiveServer
from tests.factories import create_team, create_user, login
from tests.factories.cases import add_victim, open_case, record_arrest

#: The two supervisors of the team: one writes a change, the other reviews it.
AUTHOR = "ps.author"
REVIEWER = "ps.reviewer"


def arrange_arrest_case(live_server: LiveServer, session: Session) -> tuple[str, str, str]:
    """Two supervisors and an officer in one team, the library, and a case with an arrest.

    Returns the officer's access token, the case id and the victim id.
    """
    app = live_server.app
    team = create_team(session, name="Northtown Neighbourhood Team")
    for username in (AUTHOR, REVIEWER):
        create_user(app, session, username=username, role="supervisor", team=team)
    create_user(app, session, username="pc.field", role="officer", team=team)
    import_library(session, load_library(LIBRARY_DIRECTORY))
    load_demo_cases(session, officer_username="pc.field")  # duties met, late and overdue
    session.commit()
    api = app.test_client()
    officer = login(api, "pc.field")["access_token"]
    case_id = open_case(api, officer, "NT/00042/26")
    victim_id = add_victim(api, officer, case_id, first_name="Robin")
    record_arrest(api, officer, case_id)
    return officer, case_id, victim_id
