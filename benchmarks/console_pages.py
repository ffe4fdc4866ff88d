"""Time the supervisor console's pages under gunicorn: median and p95 of 50 loads of each.

``make bench-console`` runs ``python -m benchmarks.console_pages`` from the repository root.

1. A fresh instance folder and database (SQLite in a temporary folder, or with ``BENCH_DB=postgres``
   the wiped ``FIELDAPP_BENCH_DATABASE_URL``), migrated, the built-in templates imported, and the
   demo data loaded (``flask --app wsgi demo load``: its accounts and cases).
2. The demo's second supervisor (``ps.mensah``) saves and submits version 2 of
   ``arrested-sms-en`` through the API, so the review queue of the supervisor timed
   (``ps.okafor``), the review page and the diff page have something.
3. 1,000 extra duties on 100 extra cases (one victim and one to three events each), 80 of them
   in the demo team and 20 in a second team; deadlines over the last 30 days and the next 3,
   with a fixed random mix of outcomes.
4. gunicorn serves ``wsgi:app`` (sync workers) on 127.0.0.1; the demo supervisor and the demo
   admin (``admin.lee``) sign in through the console's sign-in form (CSRF token and cookie, as a
   browser would); the sign-in page itself is loaded by a browser not signed in.
5. Each page is loaded 3 times to warm up, then 50 times, one after another; each load is timed
   from the request to the last byte of the body. The editor's live check is posted as htmx
   posts it (the form with its CSRF token), with the sample data and with a real case. Pages
   that do not answer 200 (not built yet on this branch) are skipped and listed.

Timing never goes into a test; this is the only place it is measured.
"""

from __future__ import annotations

import argparse
import html
import http.client
import json
import math
import os
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
import urllib.parse
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from benchmarks.errors import BenchmarkError
from benchmarks.instance import app_environment, fresh_database, run_checked, venv_command
from benchmarks.server import exit_cleanly_on_sigterm, log_problems, serve, warn_about_problems
from benchmarks.settings import DEFAULT_POSTGRES_URL, HOST, Settings

LOADS = 50
WARMUP_LOADS = 3
EXTRA_DUTIES = 1000
EXTRA_CASES = 100
SUPERVISOR = "ps.okafor"  # the demo supervisor (fieldapp/demo/accounts.py)
AUTHOR = "ps.mensah"  # the demo's second supervisor
ADMIN = "admin.lee"  # the demo admin
OTHER_OFFICER = "bench.south"
OTHER_TEAM = "Southtown Response Team"
DEMO_TEAM = "Northtown Neighbourhood Team"
TEMPLATE = "arrested-sms-en"
PREVIEW_CASE = "42/100231/26"  # the demo's case with an arrest (fieldapp/demo/cases.py)
FILTERS = "event_type=arrested&channel=sms&language=en&status=active"  # the list's four filters
EVENT_TYPES = (
    "arrested",
    "interviewed",
    "charged",
    "bailed",
    "released_under_investigation",
    "no_further_action",
    "crime_recorded",
)


@dataclass(frozen=True)
class Page:
    """One console page to time: its name, its path (with the query string), a form to post."""

    name: str
    path: str
    form: Mapping[str, str] | None = None

    @property
    def method(self) -> str:
        """POST when the page is a form's answer, else GET."""
        return "GET" if self.form is None else "POST"


@dataclass(frozen=True)
class Timing:
    """The loads of one page: the status, the body size and the times in milliseconds."""

    page: Page
    status: int
    size: int
    times_ms: list[float]

    @property
    def median(self) -> float:
        """The median load time."""
        return statistics.median(self.times_ms)

    @property
    def p95(self) -> float:
        """The 95th percentile by nearest rank (the 48th of 50 sorted loads)."""
        ordered = sorted(self.times_ms)
        return ordered[math.ceil(0.95 * len(ordered)) - 1]


class Browser:
    """A cookie-keeping client for 127.0.0.1 only: enough of a browser to sign in and load pages."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, form: Mapping[str, str] | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        """One request on a new connection (sync workers close each one); status, headers, body."""
        connection = http.client.HTTPConnection(HOST, self.port, timeout=60)
        headers = {"Accept": "text/html", "Sec-Fetch-Site": "same-origin"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = f"http://{HOST}:{self.port}"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read()
            for name, value in response.getheaders():
                if name.lower() == "set-cookie":
                    pair = value.split(";", 1)[0]
                    key, _, cookie = pair.partition("=")
                    self.cookies[key.strip()] = cookie.strip()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, data
        finally:
            connection.close()

    def form_page(self, path: str) -> tuple[str, bytes]:
        """A page with a form: its CSRF token and its body."""
        status, _, page = self.request("GET", path)
        match = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page)
        if status != 200 or match is None:
            raise BenchmarkError(f"GET {path} answered {status} without a CSRF token")
        return match.group(1).decode(), page

    def sign_in(self, username: str, password: str) -> None:
        """Sign in through the console's form, as a browser would."""
        token, _ = self.form_page("/console/sign-in")
        form = {"username": username, "password": password, "csrf_token": token}
        status, headers, _ = self.request("POST", "/console/sign-in", form)
        if status not in (302, 303):
            raise BenchmarkError(f"signing in as {username} answered {status}, not a redirect")
        if "sign-in" in headers.get("location", ""):
            raise BenchmarkError(f"signing in as {username} was refused")


def api_json(port: int, method: str, path: str, token: str | None, body: object = None) -> object:
    """One JSON API call on 127.0.0.1; its parsed body, or an error naming the status."""
    connection = http.client.HTTPConnection(HOST, port, timeout=60)
    headers = {"Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = None
    if body is not None:
        data = json.dumps(body)
        headers["Content-Type"] = "application/json"
    try:
        connection.request(method, path, body=data, headers=headers)
        response = connection.getresponse()
        text = response.read()
    finally:
        connection.close()
    if response.status >= 400:
        raise BenchmarkError(f"{method} {path} answered {response.status}: {text[:300]!r}")
    return json.loads(text) if text else None


def submit_second_version(port: int, password: str) -> int:
    """As the second supervisor: save version 2 of the template with one more line, submit it."""
    credentials = {"username": AUTHOR, "password": password, "device_name": "bench"}
    login = api_json(port, "POST", "/api/v1/auth/login", None, credentials)
    token = str(login["access_token"]) if isinstance(login, dict) else ""
    base = f"/api/v1/templates/{TEMPLATE}"
    current = api_json(port, "GET", f"{base}/versions/1", token)
    body = str(current["body"]) if isinstance(current, dict) else ""
    change = {"body": body + "\nCall 101 if anything changes.", "change_note": "Benchmark edit"}
    saved = api_json(port, "POST", f"{base}/versions", token, change)
    number = int(saved["number"]) if isinstance(saved, dict) else 2
    api_json(port, "POST", f"{base}/versions/{number}/submit", token, {})
    return number


def create_user(flask: Sequence[str], env: Mapping[str, str], *options: str) -> str:
    """A user made with ``flask users create`` and a random password; the password."""
    password = uuid.uuid4().hex
    run_checked([*flask, "users", "create", *options, "--password-stdin"],
                env=env, stdin=password + "\n")  # fmt: skip
    return password


def add_duties(database_url: str, *, now: datetime, seed: int = 13) -> uuid.UUID:
    """The extra cases and duties, inserted directly; the id of one extra demo-team case."""
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from fieldapp.database import make_engine
    from fieldapp.models import Case, InvestigationEvent, Team, User, Victim

    chance = random.Random(seed)
    engine = make_engine(database_url)
    first_case: uuid.UUID | None = None
    with Session(engine) as session:
        officers = {
            team: session.scalars(
                select(User).join(Team, Team.id == User.team_id)
                .where(Team.name == team, User.role == "officer")
            ).first()
            for team in (DEMO_TEAM, OTHER_TEAM)
        }  # fmt: skip
        for number in range(EXTRA_CASES):
            officer = officers[DEMO_TEAM if number < EXTRA_CASES * 0.8 else OTHER_TEAM]
            if officer is None:
                raise BenchmarkError("the demo officers are missing")
            case = Case(crime_reference=f"42/{900000 + number}/26", offence="Theft",
                        team_id=officer.team_id, officer_in_charge_id=officer.id)  # fmt: skip
            session.add(case)
            session.flush()
            first_case = first_case or case.id
            victim = Victim(case_id=case.id, first_name="Bench", last_name=f"Victim {number}",
                            recipient_role="victim", preferred_channel="sms",
                            safe_channels=["sms"], phone="+447700900999")  # fmt: skip
            session.add(victim)
            events = []
            for _ in range(chance.randint(1, 3)):
                happened = now - timedelta(days=chance.uniform(0, 35))
                event = InvestigationEvent(case_id=case.id, type=chance.choice(EVENT_TYPES),
                                           occurred_at=happened, recorded_at=happened,
                                           recorded_by_id=officer.id)  # fmt: skip
                session.add(event)
                events.append(event)
            session.flush()
            for _ in range(EXTRA_DUTIES // EXTRA_CASES):
                session.add(_duty(chance, case, victim.id, chance.choice([*events, None]), now))
        session.commit()
    engine.dispose()
    assert first_case is not None
    return first_case


def preview_target(database_url: str) -> str:
    """The editor's preview choice for the demo case with an arrest: "case id/victim id"."""
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from fieldapp.database import make_engine
    from fieldapp.models import Case, Victim

    engine = make_engine(database_url)
    with Session(engine) as session:
        found = session.execute(
            select(Case.id, Victim.id).join(Victim, Victim.case_id == Case.id)
            .where(Case.crime_reference == PREVIEW_CASE)
        ).first()  # fmt: skip
    engine.dispose()
    if found is None:
        raise BenchmarkError(f"the demo case {PREVIEW_CASE} is missing")
    return f"{found[0]}/{found[1]}"


def _duty(
    chance: random.Random, case: object, victim_id: uuid.UUID, event: object, now: datetime
) -> object:
    """One duty with a deadline in the last 30 days or the next 3, and a plausible outcome."""
    from fieldapp.models import ContactDuty

    due = now + timedelta(hours=chance.uniform(-30 * 24, 3 * 24))
    roll = chance.random()
    status, closed = "open", None
    if due < now and roll < 0.55:
        status, closed = "met", due - timedelta(hours=chance.uniform(1, 48))
    elif due < now and roll < 0.7:
        status, closed = "met", min(now, due + timedelta(hours=chance.uniform(1, 72)))
    elif due < now and roll < 0.8:
        status, closed = "missed", due + timedelta(hours=1)
    elif roll < 0.85:
        status, closed = "not_required", min(now, due)
    return ContactDuty(
        case_id=case.id,  # type: ignore[attr-defined]
        victim_id=victim_id,
        event_id=event.id if event is not None else None,  # type: ignore[attr-defined]
        kind="key_decision" if event is not None else "periodic_update",
        title="Tell the victim about the decision" if event is not None else "Periodic update",
        due_at=due,
        ruleset_version="2020-code.1",
        status=status,
        closed_at=closed,
    )


SIGN_IN_PAGE = Page("sign-in page", "/console/sign-in")
ADMIN_PAGES = (
    Page("admin: users", "/console/users"),
    Page("admin: teams", "/console/teams"),
    Page("admin: API keys", "/console/api-keys"),
)


def supervisor_pages(case_id: uuid.UUID, number: int, target: str, browser: Browser) -> list[Page]:
    """Every console page a supervisor has, with real keys and ids (the editor's form read once)."""
    template = f"/console/templates/{TEMPLATE}"
    token, editor = browser.form_page(f"{template}/edit")
    wording = {"wording": sample_wording(editor), "change_note": "", "csrf_token": token}
    check = f"{template}/check"
    return [
        Page("review queue", "/console/reviews"),
        Page("templates", "/console/templates"),
        Page("templates, filtered", f"/console/templates?{FILTERS}"),
        Page("template page", template),
        Page("editor", f"{template}/edit"),
        Page("live check, sample data", check, {**wording, "preview": ""}),
        Page(f"live check, case {PREVIEW_CASE}", check, {**wording, "preview": target}),
        Page("diff", f"{template}/diff?from=1&to={number}"),
        Page("review page", f"{template}/versions/{number}/review"),
        Page("compliance", "/console/compliance"),
        Page("compliance CSV", "/console/compliance.csv"),
        Page("case page", f"/console/cases/{case_id}"),
    ]


def sample_wording(editor: bytes) -> str:
    """The wording in the editor's textarea, one word changed as the supervisor types."""
    match = re.search(rb'<textarea[^>]*name="wording"[^>]*>(.*?)</textarea>', editor, re.S)
    if match is None:
        raise BenchmarkError("the editor has no Wording textarea")
    return html.unescape(match.group(1).decode()).strip() + " Thanks."


def time_page(browser: Browser, page: Page) -> Timing:
    """Warm up, then time ``LOADS`` loads of one page."""
    status, _, body = browser.request(page.method, page.path, page.form)
    if status != 200:
        return Timing(page, status, len(body), [])
    for _ in range(WARMUP_LOADS - 1):
        browser.request(page.method, page.path, page.form)
    times = []
    for _ in range(LOADS):
        started = time.perf_counter()
        status, _, body = browser.request(page.method, page.path, page.form)
        times.append((time.perf_counter() - started) * 1000)
        if status != 200:
            raise BenchmarkError(f"{page.path} answered {status} during the timed loads")
    return Timing(page, status, len(body), times)


def report(timings: Sequence[Timing], db: str) -> str:
    """A Markdown table of the results, and the pages skipped."""
    lines = [
        f"Console pages, {LOADS} loads each after {WARMUP_LOADS} warm-up loads ({db}; demo data "
        f"plus {EXTRA_DUTIES} duties):",
        "",
        "| page | request | median ms | p95 ms | loads | bytes |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for t in timings:
        if t.times_ms:
            lines.append(f"| {t.page.name} | `{t.page.method} {t.page.path}` | {t.median:.1f} "
                         f"| {t.p95:.1f} | {len(t.times_ms)} | {t.size} |")  # fmt: skip
    skipped = [t for t in timings if not t.times_ms]
    if skipped:
        lines.append("")
        lines.append("Skipped (not answering 200 on this branch):")
        lines += [f"- {t.page.name} `{t.page.method} {t.page.path}`: {t.status}" for t in skipped]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Set up, serve, sign in, time each page, print the table."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.console_pages")
    parser.add_argument("--db", choices=("sqlite", "postgres"),
                        default=os.environ.get("BENCH_DB", "sqlite"))  # fmt: skip
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", "5078")))
    parser.add_argument("--workers", type=int, default=int(os.environ.get("BENCH_WORKERS", "2")))
    args = parser.parse_args(argv)
    settings = Settings(
        db=args.db, duration=1, connections=1, threads=1, workers=args.workers, rounds=1,
        port=args.port, warmup=0, keep_tmp=False,
        postgres_url=os.environ.get("FIELDAPP_BENCH_DATABASE_URL") or DEFAULT_POSTGRES_URL,
    )  # fmt: skip
    exit_cleanly_on_sigterm()
    workdir = Path(tempfile.mkdtemp(prefix="fieldapp-console-bench-"))
    try:
        env, _dropped = app_environment(workdir, fresh_database(settings, workdir))
        flask = [*venv_command("flask"), "--app", "wsgi"]
        print("setting up: migrations, templates, demo data...", flush=True)
        for command in (["db", "upgrade"], ["templates", "import"], ["demo", "load"]):
            run_checked([*flask, *command], env=env)
        credentials = json.loads((workdir / "instance" / "demo-credentials.json").read_text())
        create_user(flask, env, "--username", OTHER_OFFICER, "--role", "officer",
                    "--team", OTHER_TEAM)  # fmt: skip
        case_id = add_duties(env["FIELDAPP_DATABASE_URL"], now=datetime.now(UTC))
        target = preview_target(env["FIELDAPP_DATABASE_URL"])
        log_path = workdir / "gunicorn.log"
        with serve(settings, env, log_path, app="wsgi:app"):
            number = submit_second_version(settings.port, credentials[AUTHOR])
            supervisor, admin = Browser(settings.port), Browser(settings.port)
            supervisor.sign_in(SUPERVISOR, credentials[SUPERVISOR])
            admin.sign_in(ADMIN, credentials[ADMIN])
            timings = [time_page(Browser(settings.port), SIGN_IN_PAGE)]
            for page in supervisor_pages(case_id, number, target, supervisor):
                timings.append(time_page(supervisor, page))
            timings += [time_page(admin, page) for page in ADMIN_PAGES]
        print(report(timings, args.db))
        warn_about_problems(log_problems(log_path))
    except BenchmarkError as exc:
        print(f"bench-console: {exc}", file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
