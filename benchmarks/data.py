"""The data behind the event, duties and console pairs: team members, cases, a console session.

:func:`benchmarks.run.create_data` makes the message benchmark's case; this module adds, through
the API and the console's sign-in form as a phone and a browser would:

- a colleague officer and a supervisor in the benchmark officer's team (``flask users create``);
- the officer's worklist: ``WORKLIST_CASES`` cases of their own, each with a victim and an
  ``arrested`` event, so ``GET /api/v1/duties`` (theirs, earliest deadline first) has a page;
- ``EVENT_CASES`` cases in the colleague's charge, each with a victim, which the event benchmark
  records on in turn (``Endpoint.spread``): every request is a valid new event creating a duty,
  and spread over the cases no case's timeline (which recording an event reads whole) grows
  past a few dozen events in a run; nor do those duties enter the officer's own worklist;
- a supervisor's console session cookie, and the reference app's session cookie.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from benchmarks.client import create_victim, http, record_event
from benchmarks.console_pages import Browser
from benchmarks.errors import BenchmarkError
from benchmarks.instance import run_checked, venv_command

#: The benchmark officer's team mates.
COLLEAGUE = "bench.colleague"
SUPERVISOR = "bench.supervisor"
#: Cases in the officer's own worklist (a duty each: a full page of 50); the console page shows
#: the first.
WORKLIST_CASES = 50
#: Cases the event benchmark spreads its events over.
EVENT_CASES = 50
#: The event the benchmark records, again and again: an arrest, which creates a duty per victim.
EVENT_TYPE = "arrested"
VICTIM = {
    "first_name": "Sam",
    "last_name": "Okoro",
    "phone": "07700 900456",
    "preferred_channel": "sms",
    "safe_channels": ["sms"],
}


def create_team_members(env: Mapping[str, str]) -> dict[str, str]:
    """The colleague officer and the supervisor, in team Bench; their passwords by username."""
    flask = [*venv_command("flask"), "--app", "wsgi"]
    passwords = {}
    for username, role in ((COLLEAGUE, "officer"), (SUPERVISOR, "supervisor")):
        password = secrets.token_urlsafe(24)
        run_checked(
            [*flask, "users", "create", "--username", username, "--role", role,
             "--team", "Bench", "--password-stdin"],
            env=env, stdin=password + "\n",
        )  # fmt: skip
        passwords[username] = password
    return passwords


def user_id(base_url: str, username: str, password: str) -> str:
    """Sign in as a user through the API and read their id from ``/api/v1/me``."""
    credentials = {"username": username, "password": password, "device_name": "bench"}
    status, body = http(f"{base_url}/api/v1/auth/login", body=credentials)
    if status != 200:
        raise BenchmarkError(f"signing in as {username} answered {status}")
    token = str(json.loads(body)["access_token"])
    status, body = http(f"{base_url}/api/v1/me", token=token)
    if status != 200:
        raise BenchmarkError(f"/api/v1/me as {username} answered {status}")
    return str(json.loads(body)["id"])


def event_body(occurred_at: datetime) -> dict[str, Any]:
    """The body of the event recorded, at a fixed moment in the recent past."""
    return {"type": EVENT_TYPE, "occurred_at": occurred_at.strftime("%Y-%m-%dT%H:%M:%SZ")}


def create_cases(
    base_url: str, token: str, prefix: str, count: int, *, officer_id: str | None = None
) -> list[str]:
    """``count`` cases, each with a victim; their ids."""
    ids = []
    for number in range(count):
        case = {"crime_reference": f"{prefix}/{number + 1:04d}/26", "offence": "Theft"}
        if officer_id is not None:
            case["officer_in_charge_id"] = officer_id
        path = "/api/v1/cases"
        status, body = http(f"{base_url}{path}", token=token, body=case)
        if status != 201:
            raise BenchmarkError(f"creating case {case['crime_reference']} answered {status}")
        case_id = str(json.loads(body)["id"])
        create_victim(base_url, token, case_id, VICTIM)
        ids.append(case_id)
    return ids


def console_cookie(port: int, password: str) -> str:
    """The supervisor's console session and the reference app's session, as a Cookie header."""
    browser = Browser(port)
    browser.sign_in(SUPERVISOR, password)
    status, _, _ = browser.request("GET", "/_reference/sign-in")
    if status != 200:
        raise BenchmarkError(f"the reference sign-in answered {status}")
    return "; ".join(f"{name}={value}" for name, value in browser.cookies.items())


def create_team_data(
    base_url: str, port: int, token: str, passwords: Mapping[str, str]
) -> dict[str, str]:
    """The worklist, the event cases and the cookies; the values for the path templates."""
    occurred_at = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=1)
    worklist = create_cases(base_url, token, "WORK", WORKLIST_CASES)
    for case_id in worklist:
        record_event(base_url, token, case_id, event_body(occurred_at))
    colleague = user_id(base_url, COLLEAGUE, passwords[COLLEAGUE])
    spread = create_cases(base_url, token, "EVENT", EVENT_CASES, officer_id=colleague)
    values = {f"event_case_id#{n}": case_id for n, case_id in enumerate(spread)}
    return values | {
        "event_case_id": spread[0],
        "event_occurred_at": event_body(occurred_at)["occurred_at"],
        "worklist_case_id": worklist[0],
        "console_cookie": console_cookie(port, passwords[SUPERVISOR]),
    }
