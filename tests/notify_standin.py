"""A stand-in for GOV.UK Notify on loopback, speaking the documented v2 API the client uses.

It checks the client's JWT (HS256 with the key's secret, ``iss`` = service id, ``iat`` within
30 s), accepts SMS and email sends against one-placeholder templates and precompiled letters
(a base64 PDF of at most 10 A4 pages, with a postage Notify knows), answers look-ups by
reference and by id, and records every accepted notification so that tests can count sends per
reference. It can be told to fail the next N sends or status checks (500, 429, 400, ...), to
move a notification on to any of Notify's statuses, and to hold its answer *after* accepting (as
a slow provider can) until the test releases it. Tests wait for sends with ``wait_for_accepted``,
woken by each accepted send, never by polling.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import jwt
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

SMS_TEMPLATE_ID = "f33517ff-2a88-4f6e-b855-c550268ce08a"
EMAIL_TEMPLATE_ID = "0a2e6b5c-3d43-4f62-9e2d-3c7f4c9b8e11"
CLOCK_LEEWAY_SECONDS = 30
#: A hang guard only: a held answer is released by the test, or by this long at the latest.
HOLD_GUARD_SECONDS = 60
#: What each template needs, as Notify would require of a one-placeholder template.
TEMPLATES = {
    ("sms", SMS_TEMPLATE_ID): ("body",),
    ("email", EMAIL_TEMPLATE_ID): ("subject", "body"),
}
#: Notify's words for the failures a test can ask for.
FAILURES = {
    400: ("ValidationError", "phone_number Not a UK mobile number"),
    429: (
        "RateLimitError",
        "Exceeded rate limit for key type LIVE of 3000 requests per 60 seconds",
    ),
    500: ("Exception", "Internal server error"),
}
RECIPIENT_FIELD = {"sms": "phone_number", "email": "email_address"}
#: Notify's documented statuses of a text message or email (``sent``: international SMS), and
#: of a precompiled letter (``accepted`` .. ``received``, or a failed check).
NOTIFICATION_STATUSES = frozenset(
    {
        "created",
        "sending",
        "pending",
        "sent",
        "delivered",
        "permanent-failure",
        "temporary-failure",
        "technical-failure",
        "pending-virus-check",
        "accepted",
        "received",
        "cancelled",
        "validation-failed",
        "virus-scan-failed",
    }
)
#: Postage Notify accepts for a precompiled letter, and its page limit.
LETTER_POSTAGE = frozenset({"first", "second", "economy", "europe", "rest-of-world"})
LETTER_MAX_PAGES = 10
A4_POINTS = (595.28, 841.89)


class _QuietHandler(WSGIRequestHandler):
    """No access log lines in the test output."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Stay quiet."""


@dataclass
class NotifyStandIn:
    """The fake service's state: its key, what it accepted, and the failures it owes."""

    service_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    secret: str = field(default_factory=lambda: str(uuid.uuid4()))
    #: Sends accepted after this many are held: accepted, then answered once ``release`` is set.
    hold_after: int | None = None
    release: threading.Event = field(default_factory=threading.Event)
    accepted: list[dict[str, Any]] = field(default_factory=list)
    #: The PDF of each accepted letter, by notification id.
    letters: dict[str, bytes] = field(default_factory=dict)
    requests: Counter[str] = field(default_factory=Counter)
    _failures: list[int] = field(default_factory=list)
    _status_failures: list[int] = field(default_factory=list)
    #: Guards the state above; notified on every accepted send.
    _lock: threading.Condition = field(default_factory=threading.Condition)
    base_url: str = ""

    @property
    def api_key(self) -> str:
        """A key in Notify's format: ``{key_name}-{service_id}-{secret}``."""
        return f"fieldapp_tests-{self.service_id}-{self.secret}"

    def fail_next(self, count: int, status: int) -> None:
        """Answer the next ``count`` sends with ``status`` instead of accepting them."""
        with self._lock:
            self._failures.extend([status] * count)

    def fail_next_status_checks(self, count: int, status: int) -> None:
        """Answer the next ``count`` GET /v2/notifications/{id} with ``status``."""
        with self._lock:
            self._status_failures.extend([status] * count)

    def hold_answers(self, *, after: int = 0) -> None:
        """Hold the answer to every send accepted after the first ``after``, until ``release``."""
        with self._lock:
            self.hold_after = after
        self.release.clear()

    def clear_failures(self) -> int:
        """Owe no more failures; how many sends were still owed one."""
        with self._lock:
            owed = len(self._failures)
            self._failures.clear()
            return owed

    def hold_new_answers(self) -> None:
        """Hold the answer to every send accepted from now on, until ``stop_holding``."""
        with self._lock:
            self.hold_after = len(self.accepted)
        self.release.clear()

    def stop_holding(self) -> None:
        """Answer every held send now and hold no more."""
        with self._lock:
            self.hold_after = None
        self.release.set()

    def wait_for_accepted(self, count: int, *, timeout: float) -> bool:
        """Whether ``count`` sends were accepted before ``timeout`` (a hang guard) ran out."""
        with self._lock:
            return self._lock.wait_for(lambda: len(self.accepted) >= count, timeout)

    def sends_by_reference(self) -> Counter[str]:
        """How many notifications were accepted under each reference."""
        with self._lock:
            return Counter(item["reference"] for item in self.accepted)

    def set_status(self, notification_id: str, status: str) -> None:
        """Move an accepted notification on, as delivery receipts would."""
        if status not in NOTIFICATION_STATUSES:
            raise ValueError(f"GOV.UK Notify has no status {status!r}")
        with self._lock:
            for item in self.accepted:
                if item["id"] == notification_id:
                    item["status"] = status

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        """The WSGI entry point."""
        request = Request(environ)
        with self._lock:
            self.requests[f"{request.method} {request.path}"] += 1
        return self._route(request)(environ, start_response)

    def _route(self, request: Request) -> Response:
        """Authenticate, then dispatch to the three documented endpoints used."""
        refusal = self._authenticate(request.headers.get("Authorization", ""))
        if refusal is not None:
            return refusal
        parts = request.path.strip("/").split("/")
        if request.method == "POST" and parts[:2] == ["v2", "notifications"] and len(parts) == 3:
            return self._send(parts[2], request)
        if request.method == "GET" and parts == ["v2", "notifications"]:
            return self._search(request.args.get("reference"))
        if request.method == "GET" and parts[:2] == ["v2", "notifications"] and len(parts) == 3:
            return self._get(parts[2])
        return _error(404, "NoResultFound", "No result found")

    def _authenticate(self, header: str) -> Response | None:
        """Notify's checks: a Bearer JWT, HS256, our service as issuer, a fresh iat."""
        if not header.startswith("Bearer "):
            return _error(401, "AuthError", "Unauthorized: authentication token must be provided")
        try:
            claims = jwt.decode(
                header[len("Bearer ") :],
                key=self.secret,
                algorithms=["HS256"],
                options={"require": ["iss", "iat"]},
            )
        except jwt.InvalidTokenError:
            return _error(403, "AuthError", "Invalid token: signature, api token not found")
        if claims["iss"] != self.service_id:
            return _error(403, "AuthError", "Invalid token: service not found")
        if abs(time.time() - int(claims["iat"])) > CLOCK_LEEWAY_SECONDS:
            return _error(403, "AuthError", "Error: Your system clock must be accurate")
        return None

    def _send(self, kind: str, request: Request) -> Response:
        """POST /v2/notifications/{sms,email}: validate, record, answer 201."""
        with self._lock:
            failure = self._failures.pop(0) if self._failures else None
        if failure is not None:
            return _error(failure, *FAILURES.get(failure, ("Exception", "Internal server error")))
        data = request.get_json(force=True, silent=True)
        if kind == "letter" and isinstance(data, dict):
            return self._send_letter(data)
        if kind not in RECIPIENT_FIELD or not isinstance(data, dict):
            return _error(400, "ValidationError", "Invalid JSON supplied in POST data")
        needed = TEMPLATES.get((kind, str(data.get("template_id"))))
        if needed is None:
            return _error(400, "BadRequestError", "Template not found")
        recipient = data.get(RECIPIENT_FIELD[kind])
        if not isinstance(recipient, str) or not recipient:
            return _error(400, "ValidationError", f"{RECIPIENT_FIELD[kind]} is a required property")
        personalisation = data.get("personalisation") or {}
        missing = [name for name in needed if personalisation.get(name) is None]
        if missing:
            return _error(400, "BadRequestError", f"Missing personalisation: {', '.join(missing)}")
        notification, held = self._accept(kind, data, recipient, personalisation)
        if held:  # accepted already: a client that gives up now has sent it
            self.release.wait(HOLD_GUARD_SECONDS)
        return _json(201, self._created(notification))

    def _send_letter(self, data: dict[str, Any]) -> Response:
        """POST /v2/notifications/letter, precompiled: a reference and a base64 A4 PDF."""
        reference, postage = data.get("reference"), data.get("postage", "second")
        if not isinstance(reference, str) or not reference:
            return _error(400, "ValidationError", "reference is a required property")
        if postage not in LETTER_POSTAGE:
            return _error(400, "ValidationError", f"postage invalid. It must be one of {postage}")
        try:
            pdf = base64.b64decode(str(data.get("content", "")), validate=True)
        except (binascii.Error, ValueError):
            return _error(400, "ValidationError", "content is not a valid base64 string")
        problem = _letter_problem(pdf)
        if problem is not None:
            return _error(400, "ValidationError", problem)
        notification = {
            "id": str(uuid.uuid4()),
            "reference": reference,
            "type": "letter",
            "status": "pending-virus-check",
            "postage": postage,
            "created_at": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
        }
        with self._lock:
            self.accepted.append(notification)
            self.letters[notification["id"]] = pdf
            self._lock.notify_all()
        return _json(201, {"id": notification["id"], "reference": reference, "postage": postage})

    def _accept(
        self, kind: str, data: dict[str, Any], recipient: str, personalisation: dict[str, Any]
    ) -> tuple[dict[str, Any], bool]:
        """Store an accepted notification; whether its answer is to be held."""
        notification = {
            "id": str(uuid.uuid4()),
            "reference": data.get("reference"),
            "type": kind,
            RECIPIENT_FIELD[kind]: recipient,
            "status": "created",
            "body": personalisation["body"],
            "subject": personalisation.get("subject"),
            "template": {"id": data["template_id"], "version": 1},
            "created_at": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
        }
        with self._lock:
            self.accepted.append(notification)
            self._lock.notify_all()
            held = self.hold_after is not None and len(self.accepted) > self.hold_after
        return notification, held

    def _created(self, notification: dict[str, Any]) -> dict[str, Any]:
        """The 201 body Notify documents for a send."""
        content: dict[str, Any] = {"body": notification["body"]}
        if notification["type"] == "email":
            content.update(subject=notification["subject"], from_email="test@notify.example")
        else:
            content["from_number"] = "GOVUK"
        return {
            "id": notification["id"],
            "reference": notification["reference"],
            "content": content,
            "uri": f"{self.base_url}/v2/notifications/{notification['id']}",
            "template": {**notification["template"], "uri": f"{self.base_url}/v2/template"},
            "scheduled_for": None,
        }

    def _search(self, reference: str | None) -> Response:
        """GET /v2/notifications?reference=..., newest first."""
        with self._lock:
            found = [dict(n) for n in self.accepted if reference in (None, n["reference"])]
        links = {"current": f"{self.base_url}/v2/notifications"}
        return _json(200, {"notifications": found[::-1], "links": links})

    def _get(self, notification_id: str) -> Response:
        """GET /v2/notifications/{id}."""
        with self._lock:
            failure = self._status_failures.pop(0) if self._status_failures else None
        if failure is not None:
            return _error(failure, *FAILURES.get(failure, ("Exception", "Internal server error")))
        with self._lock:
            found = [dict(n) for n in self.accepted if n["id"] == notification_id]
        return _json(200, found[0]) if found else _error(404, "NoResultFound", "No result found")


def letter_pages(pdf: bytes) -> int:
    """How many pages a PDF has (its page objects are not in compressed streams)."""
    return len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf))


def _page_sizes(pdf: bytes) -> list[tuple[float, float]]:
    """Every page size (MediaBox, in points) the PDF names."""
    boxes = re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)
    return [(float(width), float(height)) for width, height in boxes]


def _letter_problem(pdf: bytes) -> str | None:
    """Why Notify would refuse this precompiled letter, or None (checks a stand-in can make)."""
    if not pdf.startswith(b"%PDF-"):
        return "Letter content is not a valid PDF"
    if letter_pages(pdf) > LETTER_MAX_PAGES:
        return f"Letter exceeds {LETTER_MAX_PAGES} pages"
    sizes = _page_sizes(pdf)
    if not sizes or any(abs(w - A4_POINTS[0]) > 1 or abs(h - A4_POINTS[1]) > 1 for w, h in sizes):
        return "Your letter is not A4 portrait size"
    return None


def notify_config(standin: NotifyStandIn, **overrides: Any) -> dict[str, Any]:
    """Settings that point the provider at the stand-in."""
    return {
        "MESSAGE_PROVIDER": "notify",
        "NOTIFY_API_KEY": standin.api_key,
        "NOTIFY_BASE_URL": standin.base_url,
        "NOTIFY_SMS_TEMPLATE_ID": SMS_TEMPLATE_ID,
        "NOTIFY_EMAIL_TEMPLATE_ID": EMAIL_TEMPLATE_ID,
        "NOTIFY_TIMEOUT_SECONDS": 5,
        "FORCE": {"en": {"name": "Demo Constabulary"}, "cy": {"name": "Heddlu Demo"}},
        "LETTER_RETURN_ADDRESS": ["Police Headquarters", "1 Example Road", "DT1 1AA"],
        "LETTER_POSTAGE": "second",
        **overrides,
    }


def _json(status: int, body: dict[str, Any]) -> Response:
    """A JSON response."""
    return Response(json.dumps(body), status=status, mimetype="application/json")


def _error(status: int, error: str, message: str) -> Response:
    """Notify's v2 error envelope."""
    body = {"status_code": status, "errors": [{"error": error, "message": message}]}
    return _json(status, body)


@contextmanager
def running_standin() -> Iterator[NotifyStandIn]:
    """Serve a fresh stand-in on 127.0.0.1 on a free port for the duration."""
    standin = NotifyStandIn()
    server: BaseWSGIServer = make_server(
        "127.0.0.1", 0, standin, threaded=True, request_handler=_QuietHandler
    )
    standin.base_url = f"http://127.0.0.1:{server.server_port}"
    # A short poll so that shutting down does not cost each test half a second.
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield standin
    finally:
        standin.release.set()  # no held answer outlives the test
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
