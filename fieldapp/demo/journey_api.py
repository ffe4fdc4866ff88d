"""A signed-in HTTP client for the demo journey: JSON in, JSON out, a clear error otherwise."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient


class JourneyError(RuntimeError):
    """A journey request the API refused; the message names the request and the problem."""


class JourneyApi:
    """The API as one signed-in user sees it, through a Flask test client."""

    def __init__(self, client: FlaskClient, *, username: str, password: str) -> None:
        """Sign in with the user's password, as the phone app does."""
        self.client = client
        body = {"username": username, "password": password, "device_name": "demo journey"}
        token = self.post("/api/v1/auth/login", body, status=200, signed_in=False)
        self.headers = {"Authorization": f"Bearer {token['access_token']}"}

    def post(
        self, path: str, body: dict[str, Any], *, status: int = 201, signed_in: bool = True
    ) -> dict[str, Any]:
        """POST JSON; the response body, or a ``JourneyError`` if the status is not ``status``."""
        headers = self.headers if signed_in else {}
        response = self.client.post(path, json=body, headers=headers)
        return self._checked(f"POST {path}", response.status_code, response.get_json(), status)

    def get(self, path: str) -> dict[str, Any]:
        """GET; the response body, or a ``JourneyError`` unless 200."""
        response = self.client.get(path, headers=self.headers)
        return self._checked(f"GET {path}", response.status_code, response.get_json(), 200)

    def duties(self, case_id: str) -> list[dict[str, Any]]:
        """Every duty on the case, earliest deadline first (the team's worklist, all statuses)."""
        page = self.get(f"/api/v1/duties?case_id={case_id}&scope=team&limit=200")
        found: list[dict[str, Any]] = page["value"]
        return found

    @staticmethod
    def _checked(request: str, status: int, body: Any, expected: int) -> dict[str, Any]:
        """The body if the status is the expected one."""
        if status != expected or not isinstance(body, dict):
            raise JourneyError(f"{request} answered {status}: {body}")
        return body
