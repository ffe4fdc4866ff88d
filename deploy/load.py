"""The mixed officer load: virtual officers on threads, each signed in once, going round a
shift's requests through the balancer and recording every answer as a :class:`Sample`.

One round: list cases, read the officer's case, record an event, list duties, write a message
with an Idempotency-Key (retried with the same key until it is written), queue it for Notify
(``/send``, which a retry leaves unchanged) and read the previous round's message back.
"""

from __future__ import annotations

import http.client
import json
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from deploy.report import NO_ANSWER, Sample
from deploy.settings import HOST

#: Answers after which a write is tried again with the same Idempotency-Key: no answer, the
#: balancer's or the app's 5xx, and 409 (the same key still in progress, e.g. on a dead worker).
RETRYABLE = frozenset({NO_ANSWER, 409, 500, 502, 503, 504})
#: How long one write keeps retrying before it is given up (and counted as not written).
WRITE_RETRY_SECONDS = 120.0
REQUEST_TIMEOUT = 60.0


@dataclass(frozen=True)
class Officer:
    """A virtual officer and what they work on."""

    username: str
    password: str
    case_id: str
    victim_id: str


@dataclass
class Tally:
    """What the officers wrote and queued, for the exactly-once check."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    written: dict[str, list[str]] = field(default_factory=dict)  # key -> message ids
    given_up: int = 0
    write_retries: int = 0
    queued: set[str] = field(default_factory=set)


class Client:
    """One keep-alive connection to the balancer, recording each request's outcome."""

    def __init__(self, port: int, record: Callable[[Sample], None]) -> None:
        self.port = port
        self.record = record
        self.token = ""
        self.connection = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)

    def call(
        self,
        endpoint: str,
        method: str,
        path: str,
        body: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> tuple[int, Any]:
        """One request; its status (0 when no answer came) and JSON body (or None)."""
        sent = {"Accept": "application/json", **(headers or {})}
        if self.token:
            sent["Authorization"] = f"Bearer {self.token}"
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            sent["Content-Type"] = "application/json"
        started = time.monotonic()
        status, payload, server, detail = NO_ANSWER, None, "", ""
        try:
            self.connection.request(method, path, body=data, headers=sent)
            response = self.connection.getresponse()
            raw = response.read()
            status, server = response.status, response.getheader("X-Served-By", "")
            if response.getheader("Content-Type", "").endswith("json") and raw:
                payload = json.loads(raw)
        except (OSError, http.client.HTTPException, ValueError) as error:
            detail = type(error).__name__
            self.connection.close()  # reconnects on the next request
        self.record(Sample(started, time.monotonic(), endpoint, status, server, detail))
        return status, payload

    def sign_in(self, officer: Officer) -> int:
        """POST /api/v1/auth/login and keep the access token; the status."""
        self.token = ""
        credentials = {
            "username": officer.username,
            "password": officer.password,
            "device_name": "cluster-load",
        }
        status, body = self.call("sign-in", "POST", "/api/v1/auth/login", credentials)
        if status == 200 and isinstance(body, dict):
            self.token = str(body["access_token"])
        return status


class OfficerLoad:
    """Virtual officers going round until stopped; every answer lands in ``samples``."""

    def __init__(self, port: int, officers: list[Officer]) -> None:
        self.port = port
        self.officers = officers
        self.samples: list[Sample] = []
        self.tally = Tally()
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        # Paused officers finish their round and then make no request until resumed.
        self._going = threading.Event()
        self._going.set()
        self._rounds = threading.Condition()
        self._in_round = 0

    def record(self, sample: Sample) -> None:
        """Keep one sample (called from every officer's thread)."""
        with self._lock:
            self.samples.append(sample)

    def snapshot(self) -> list[Sample]:
        """The samples so far."""
        with self._lock:
            return list(self.samples)

    def start(self) -> None:
        """Start one thread per officer."""
        for officer in self.officers:
            thread = threading.Thread(target=self._shift, args=(officer,), daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        """Ask the officers to finish their round, and wait for them."""
        self.stopping.set()
        for thread in self._threads:
            thread.join(timeout=WRITE_RETRY_SECONDS + REQUEST_TIMEOUT)
        self._threads.clear()

    def pause(self, timeout: float) -> bool:
        """Let every officer finish their round, then idle; whether all did within ``timeout``."""
        self._going.clear()
        with self._rounds:
            return self._rounds.wait_for(lambda: self._in_round == 0, timeout)

    def resume(self) -> None:
        """Officers go round again."""
        self._going.set()

    def _shift(self, officer: Officer) -> None:
        """Sign in once, then go round until stopped (signing in again only on a 401)."""
        client = Client(self.port, self.record)
        previous: str | None = None
        while not self.stopping.is_set():
            if not self._going.wait(0.5):
                continue
            with self._rounds:
                self._in_round += 1
            try:
                if not client.token and client.sign_in(officer) != 200:
                    self.stopping.wait(1.0)
                    continue
                previous = self._round(client, officer, previous)
            finally:
                with self._rounds:
                    self._in_round -= 1
                    self._rounds.notify_all()

    def _round(self, client: Client, officer: Officer, previous: str | None) -> str | None:
        """One round of an officer's requests; the id of the message written, if any."""
        case = f"/api/v1/cases/{officer.case_id}"
        statuses = [
            client.call("list cases", "GET", "/api/v1/cases?limit=20")[0],
            client.call("read case", "GET", case)[0],
            client.call("record event", "POST", f"{case}/events", arrested_event())[0],
            client.call("list duties", "GET", "/api/v1/duties?limit=20")[0],
        ]
        if previous is not None:
            statuses.append(client.call("read message", "GET", f"/api/v1/messages/{previous}")[0])
        if 401 in statuses:
            client.token = ""  # signed out or expired: sign in again
            return previous
        ids = self._write(client, officer)
        for message_id in ids:
            self._queue(client, message_id)
        return ids[0] if ids else previous

    def _write(self, client: Client, officer: Officer) -> list[str]:
        """Write a message, retrying with the same Idempotency-Key; the ids written."""
        key = str(uuid.uuid4())
        body = {"victim_id": officer.victim_id, "template_key": "arrested-sms-en"}
        path = f"/api/v1/cases/{officer.case_id}/messages"
        deadline = time.monotonic() + WRITE_RETRY_SECONDS
        for attempt in range(1000):
            status, answer = client.call(
                "write message", "POST", path, body, {"Idempotency-Key": key}
            )
            if status in (200, 201) and isinstance(answer, dict):
                ids = [str(i) for i in answer.get("group_message_ids") or [answer["id"]]]
                with self.tally.lock:
                    self.tally.written[key] = ids
                    self.tally.write_retries += attempt
                return ids
            if status not in RETRYABLE or time.monotonic() > deadline:
                break
            time.sleep(min(0.25 * 2**attempt, 2.0))  # a client's backoff, not a test's wait
        with self.tally.lock:
            self.tally.given_up += 1
        return []

    def _queue(self, client: Client, message_id: str) -> None:
        """Queue the message for Notify; a retry of /send changes nothing, so retry freely."""
        deadline = time.monotonic() + WRITE_RETRY_SECONDS
        for attempt in range(1000):
            status, _ = client.call("send message", "POST", f"/api/v1/messages/{message_id}/send")
            if status == 202:
                with self.tally.lock:
                    self.tally.queued.add(message_id)
                return
            if status not in RETRYABLE or time.monotonic() > deadline:
                return
            time.sleep(min(0.25 * 2**attempt, 2.0))


def arrested_event() -> dict[str, str]:
    """An ``arrested`` event a minute ago (UTC), so that no clock difference makes it future."""
    occurred = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=1)
    return {"type": "arrested", "occurred_at": occurred.strftime("%Y-%m-%dT%H:%M:%SZ")}
