"""The mixed officer load as a locustfile, run headless by ``make cluster`` (deploy/load.py).

Each locust user is one virtual officer, signed in once, going round a shift's requests through
the balancer: list cases, read the officer's case, record an event, list duties, read the
previous round's message back, write a message with an Idempotency-Key (retried with the same
key until it is written) and queue it for Notify (``/send``, which a retry leaves unchanged).
Every request is written to the journal (deploy/journal.py) by locust's ``request`` event hook.
Waits use ``time.sleep``, which locust's gevent monkey-patching makes yield to the other users.

The run passes its files in the environment: LOAD_OFFICERS (JSON list of officers),
LOAD_JOURNAL (the journal), LOAD_PAUSE (while it exists, officers finish their round and
idle; when all are idle, the pause's token is written to LOAD_PAUSE + ".idle") and
LOAD_DOUBLE_TAP (while it exists, every message write is sent twice at once with the same key,
as a phone whose officer taps twice). Users beyond the number of officers share an officer and
its sign-in (one token per officer, so that 256 users do not sign in 256 times).
"""

from __future__ import annotations

import itertools
import json
import os
import time
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import gevent  # type: ignore[import-untyped]  # no stubs; locust depends on it
from locust import HttpUser, constant, events, task

from deploy import journal
from deploy.client import Officer, arrested_event
from deploy.report import NO_ANSWER

#: Answers after which a write is tried again with the same Idempotency-Key: no answer, the
#: balancer's or the app's 5xx, and 409 (the same key still in progress, e.g. on a dead worker).
RETRYABLE = frozenset({NO_ANSWER, 409, 500, 502, 503, 504})
#: How long one write keeps retrying before it is given up (and counted as not written).
WRITE_RETRY_SECONDS = 120.0
REQUEST_TIMEOUT = 60.0

OFFICERS = [Officer(**o) for o in json.loads(Path(os.environ["LOAD_OFFICERS"]).read_text())]
_NEXT_OFFICER = itertools.count()
# Line-buffered: each event reaches the file whole, so the run can read it while locust runs.
JOURNAL = Path(os.environ["LOAD_JOURNAL"]).open("a", encoding="utf-8", buffering=1)  # noqa: SIM115
PAUSE = Path(os.environ["LOAD_PAUSE"])
DOUBLE_TAP = Path(os.environ.get("LOAD_DOUBLE_TAP", "/nonexistent"))
#: Access token per officer username, shared by the users working as that officer.
TOKENS: dict[str, str] = {}
SIGNING_IN: set[str] = set()


class Rounds:
    """How many officers are in a round, and the pause the run asks for (one process, greenlets)."""

    in_round = 0

    @staticmethod
    def pause_token() -> str:
        """The token of the pause asked for, or "" when the officers may go round."""
        try:
            return PAUSE.read_text()
        except FileNotFoundError:
            return ""

    @classmethod
    def idle_if_quiet(cls, token: str) -> None:
        """Tell the run that every officer is idle for pause ``token``, once none is in a round."""
        if token and cls.in_round == 0:
            Path(f"{PAUSE}.idle").write_text(token)


def record(
    name: str,
    response_time: float,
    response: Any = None,
    exception: BaseException | None = None,
    **_: Any,
) -> None:
    """Write one request to the journal as a sample (status 0 when no answer came)."""
    status = int(getattr(response, "status_code", 0) or NO_ANSWER)
    headers = getattr(response, "headers", None) or {}
    error = type(exception).__name__ if exception is not None else ""
    sample = journal.sample_from_hook(
        time.monotonic(), name, response_time, status, headers.get("X-Served-By", ""), error
    )
    JOURNAL.write(journal.sample_line(sample))


events.request.add_listener(record)  # type: ignore[no-untyped-call]  # untyped in locust


class OfficerUser(HttpUser):
    """One virtual officer: signs in once, then goes round until the run stops locust."""

    wait_time = constant(0)

    def on_start(self) -> None:
        """Take the next officer; the first round signs in."""
        self.officer = OFFICERS[next(_NEXT_OFFICER) % len(OFFICERS)]
        self.previous: str | None = None
        self.client.headers["Accept"] = "application/json"

    def call(
        self,
        name: str,
        method: str,
        path: str,
        body: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> tuple[int, Any]:
        """One request (recorded by the hook); its status (0: no answer) and JSON body or None."""
        response = self.client.request(
            method, path, name=name, json=body, headers=dict(headers or {}), timeout=REQUEST_TIMEOUT
        )
        payload = None
        if response.headers.get("Content-Type", "").endswith("json") and response.content:
            try:
                payload = response.json()
            except ValueError:
                payload = None
        return int(response.status_code or NO_ANSWER), payload

    @task
    def shift(self) -> None:
        """One round, unless the run asked for a pause (then idle until it ends)."""
        token = Rounds.pause_token()
        if token:
            Rounds.idle_if_quiet(token)
            time.sleep(0.5)
            return
        Rounds.in_round += 1
        try:
            if "Authorization" in self.client.headers or self.take_token():
                self.round()
        finally:
            Rounds.in_round -= 1
            Rounds.idle_if_quiet(Rounds.pause_token())

    def take_token(self) -> bool:
        """The officer's token, signing in if no other user of the officer is doing it."""
        name = self.officer.username
        if name not in TOKENS and name not in SIGNING_IN:
            SIGNING_IN.add(name)
            try:
                self.sign_in()
            finally:
                SIGNING_IN.discard(name)
        if name in TOKENS:
            self.client.headers["Authorization"] = f"Bearer {TOKENS[name]}"
            return True
        time.sleep(0.5 if name in SIGNING_IN else 1.0)
        return False

    def sign_in(self) -> int:
        """POST /api/v1/auth/login and keep the access token; the status."""
        credentials = {
            "username": self.officer.username,
            "password": self.officer.password,
            "device_name": "cluster-load",
        }
        status, body = self.call("sign-in", "POST", "/api/v1/auth/login", credentials)
        if status == 200 and isinstance(body, dict):
            TOKENS[self.officer.username] = str(body["access_token"])
        return status

    def round(self) -> None:
        """One round of an officer's requests."""
        case = f"/api/v1/cases/{self.officer.case_id}"
        statuses = [
            self.call("list cases", "GET", "/api/v1/cases?limit=20")[0],
            self.call("read case", "GET", case)[0],
            self.call("record event", "POST", f"{case}/events", arrested_event())[0],
            self.call("list duties", "GET", "/api/v1/duties?limit=20")[0],
        ]
        if self.previous is not None:
            statuses.append(
                self.call("read message", "GET", f"/api/v1/messages/{self.previous}")[0]
            )
        if 401 in statuses:  # signed out or expired: sign in again
            token = self.client.headers.pop("Authorization", "").removeprefix("Bearer ")
            if TOKENS.get(self.officer.username) == token:
                del TOKENS[self.officer.username]
            return
        ids = self.write()
        for message_id in ids:
            self.queue(message_id)
        if ids:
            self.previous = ids[0]

    def write(self) -> list[str]:
        """Write a message, retrying with the same Idempotency-Key; the ids written."""
        key = str(uuid.uuid4())
        body = {"victim_id": self.officer.victim_id, "template_key": "arrested-sms-en"}
        path = f"/api/v1/cases/{self.officer.case_id}/messages"
        deadline = time.monotonic() + WRITE_RETRY_SECONDS
        for attempt in range(1000):
            taps = 2 if DOUBLE_TAP.exists() else 1
            answers = self.send_write(path, body, key, taps)
            named = [_ids(answer) for status, answer in answers if status in (200, 201)]
            named = [ids for ids in named if ids]
            if named:
                if taps == 2:
                    JOURNAL.write(journal.double_tap_line(key, named))
                ids = sorted({i for found in named for i in found})
                JOURNAL.write(journal.written_line(key, ids, attempt))
                return ids
            if any(s not in RETRYABLE for s, _ in answers) or time.monotonic() > deadline:
                break
            time.sleep(min(0.25 * 2**attempt, 2.0))  # a client's backoff
        JOURNAL.write(journal.given_up_line(key))
        return []

    def send_write(
        self, path: str, body: Mapping[str, Any], key: str, taps: int
    ) -> list[tuple[int, Any]]:
        """The write sent ``taps`` times at once (greenlets) under one key; every answer."""
        headers = {"Idempotency-Key": key}
        if taps == 1:
            return [self.call("write message", "POST", path, body, headers)]
        name = "write message (double tap)"
        greenlets = [
            gevent.spawn(self.call, name, "POST", path, body, headers) for _ in range(taps)
        ]
        gevent.joinall(greenlets)
        return [g.value if g.value is not None else (NO_ANSWER, None) for g in greenlets]

    def queue(self, message_id: str) -> None:
        """Queue the message for Notify; a retry of /send changes nothing, so retry freely."""
        deadline = time.monotonic() + WRITE_RETRY_SECONDS
        for attempt in range(1000):
            status, _ = self.call("send message", "POST", f"/api/v1/messages/{message_id}/send")
            if status == 202:
                JOURNAL.write(journal.queued_line(message_id))
                return
            if status not in RETRYABLE or time.monotonic() > deadline:
                return
            time.sleep(min(0.25 * 2**attempt, 2.0))


def _ids(answer: Any) -> list[str]:
    """The message ids a write's JSON answer names (a group write names several)."""
    if not isinstance(answer, dict):
        return []
    return [str(i) for i in answer.get("group_message_ids") or [answer["id"]]]
