"""The run's own HTTP client, for setting up the officers' cases and for probes (not the load).

The mixed officer load is locust's (deploy/locustfile.py); this client makes the few requests
the run itself sends through the balancer, and records each as a :class:`Sample` when asked.
"""

from __future__ import annotations

import http.client
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from deploy.report import NO_ANSWER, Sample
from deploy.settings import HOST

REQUEST_TIMEOUT = 60.0


@dataclass(frozen=True)
class Officer:
    """A virtual officer and what they work on."""

    username: str
    password: str
    case_id: str
    victim_id: str


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


def arrested_event() -> dict[str, str]:
    """An ``arrested`` event a minute ago (UTC), so that no clock difference makes it future."""
    occurred = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=1)
    return {"type": "arrested", "occurred_at": occurred.strftime("%Y-%m-%dT%H:%M:%SZ")}
