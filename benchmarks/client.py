"""The HTTP client side: single requests to 127.0.0.1 and the officer's access token.

wrk carries the load; this module only checks endpoints, polls ``/health``, signs in and creates
the data the endpoints work on (a case, its victim, an event), and it refuses to send anything
anywhere but :data:`benchmarks.settings.HOST`.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from email.message import Message
from typing import IO, Any

from benchmarks.endpoint import Endpoint
from benchmarks.errors import BenchmarkError
from benchmarks.instance import USERNAME
from benchmarks.settings import HOST

#: Sign in again when the access token would expire within this margin of a wrk run's end.
TOKEN_MARGIN_SECONDS = 60.0


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """Treat a redirect as the answer: the benchmark wants 2xx, not a followed 3xx."""

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: Message,
        newurl: str,
    ) -> None:
        """Follow no redirect."""
        return None


_OPENER = urllib.request.build_opener(_NoRedirects)


def http(
    url: str,
    *,
    token: str | None = None,
    body: Mapping[str, Any] | None = None,
    method: str | None = None,
    json_text: str | None = None,
    extra_headers: Sequence[tuple[str, str]] = (),
) -> tuple[int, bytes]:
    """One request to 127.0.0.1: the status and the body, whatever the status.

    ``body`` is sent as JSON, or ``json_text`` as it is; either makes the default method POST.
    """
    if not url.startswith(f"http://{HOST}:"):
        raise BenchmarkError(f"refusing to send traffic anywhere but {HOST}: {url}")
    headers = {"Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if body is not None:
        json_text = json.dumps(body)
    data = None
    if json_text is not None:
        data = json_text.encode("utf-8")
        headers["Content-Type"] = "application/json"
    headers.update(extra_headers)
    request = urllib.request.Request(  # noqa: S310 (127.0.0.1 only, checked above)
        url, data=data, headers=headers, method=method
    )
    try:
        with _OPENER.open(request, timeout=30) as response:
            return int(response.status), bytes(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def check_endpoint(url: str, token: str, endpoint: Endpoint | None = None) -> bytes:
    """One request first, so that a 3xx or an error shows with its body, not just a count.

    ``endpoint`` gives the method and body to send; without it, a GET.
    """
    endpoint = endpoint or Endpoint(url)
    status, body = http(
        url,
        token=token,
        method=endpoint.method,
        json_text=endpoint.body,
        extra_headers=endpoint.headers,
    )
    method = endpoint.method
    if not 200 <= status < 300:
        raise BenchmarkError(f"{method} {url} answered {status}: {body.decode(errors='replace')}")
    return body


class Credentials:
    """The benchmark officer's access token, signing in again before it would expire."""

    def __init__(self, base_url: str, password: str) -> None:
        """Credentials for the app at ``base_url``, not signed in yet."""
        self.base_url = base_url
        self.password = password
        self.token = ""
        self.expires_at = 0.0

    def token_for(self, seconds: float) -> str:
        """A token still valid ``seconds`` from now, with a margin."""
        if time.monotonic() + seconds + TOKEN_MARGIN_SECONDS >= self.expires_at:
            self.sign_in()
        return self.token

    def sign_in(self) -> None:
        """POST /api/v1/auth/login and keep the access token."""
        started = time.monotonic()
        credentials = {"username": USERNAME, "password": self.password, "device_name": "wrk"}
        status, body = http(f"{self.base_url}/api/v1/auth/login", body=credentials)
        if status != 200:
            raise BenchmarkError(f"sign-in answered {status}: {body.decode(errors='replace')}")
        payload = json.loads(body)
        self.token = str(payload["access_token"])
        self.expires_at = started + float(payload["expires_in"])


def post_created(base_url: str, token: str, path: str, body: Mapping[str, Any], what: str) -> str:
    """POST ``body`` to ``path`` as the officer, expecting 201; the id of what it created."""
    status, answer = http(f"{base_url}{path}", token=token, body=body)
    if status != 201:
        raise BenchmarkError(
            f"creating {what} (POST {path}) answered {status}: {answer.decode(errors='replace')}"
        )
    return str(json.loads(answer)["id"])


def create_case(base_url: str, token: str, *, crime_reference: str, offence: str) -> str:
    """POST /api/v1/cases as the officer; the new case's id."""
    case = {"crime_reference": crime_reference, "offence": offence}
    return post_created(base_url, token, "/api/v1/cases", case, f"case {crime_reference}")


def create_victim(base_url: str, token: str, case_id: str, victim: Mapping[str, Any]) -> str:
    """POST /api/v1/cases/{case_id}/victims as the officer; the new victim's id."""
    path = f"/api/v1/cases/{case_id}/victims"
    return post_created(base_url, token, path, victim, "a victim")


def record_event(base_url: str, token: str, case_id: str, event: Mapping[str, Any]) -> str:
    """POST /api/v1/cases/{case_id}/events as the officer; the new event's id."""
    path = f"/api/v1/cases/{case_id}/events"
    return post_created(base_url, token, path, event, f"a {event.get('type')} event")
