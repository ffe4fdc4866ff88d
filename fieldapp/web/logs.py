"""JSON logs with a request id, the headers every response carries, and safe failure summaries."""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import traceback
import uuid
from typing import Any

from flask import Flask, Response, g, has_app_context, request

REQUEST_ID_HEADER = "X-Request-ID"
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
access_log = logging.getLogger("fieldapp.access")


class JsonFormatter(logging.Formatter):
    """One JSON object per line, with the request id when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        """Render a record as JSON."""
        entry: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(getattr(record, "fields", {}))
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def configure_logging(level: str) -> None:
    """Send fieldapp's logs to stderr as JSON."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("fieldapp")
    logger.handlers[:] = [handler]
    logger.setLevel(level)
    logger.propagate = False


def gunicorn_logconfig() -> dict[str, Any]:
    """gunicorn's own log lines as JSON in the app's shape, on stderr: its ``logconfig_dict``.

    The arbiter's and the workers' lines (``gunicorn.error``: "Booting worker", signals,
    timeouts) and its access log if one is turned on (``gunicorn.access``; the app logs each
    request itself as ``fieldapp.access``). gunicorn's ``--log-level`` still applies.
    """
    stderr = {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": JsonFormatter}},
        "handlers": {"json_stderr": stderr},
        "loggers": {
            "gunicorn.error": {"handlers": ["json_stderr"], "propagate": False},
            "gunicorn.access": {"handlers": ["json_stderr"], "propagate": False},
        },
        "root": {"level": "INFO", "handlers": []},
    }


def start_request() -> None:
    """Take the caller's request id if it is safe, else make one."""
    incoming = request.headers.get(REQUEST_ID_HEADER, "")
    g.request_id = incoming if _SAFE_REQUEST_ID.match(incoming) else uuid.uuid4().hex
    g.started = time.perf_counter()


def finish_request(response: Response) -> Response:
    """Echo the request id, forbid caching of personal data, and log the request."""
    request_id = g.get("request_id") or uuid.uuid4().hex
    response.headers[REQUEST_ID_HEADER] = request_id
    response.headers.setdefault("Cache-Control", "no-store")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    if access_log.isEnabledFor(logging.INFO):
        principal = g.get("principal")
        elapsed = (time.perf_counter() - g.get("started", time.perf_counter())) * 1000
        access_log.info(
            "request",
            extra={
                "fields": {
                    "request_id": request_id,
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round(elapsed, 2),
                    "user_id": str(principal.user_id) if principal else None,
                }
            },
        )
    return response


def failure_summary(error: BaseException) -> dict[str, Any]:
    """What may be logged of an unexpected failure: classes and code locations, no messages.

    An exception's message can carry anything it was built from: SQL parameters, a database's
    ``DETAIL: Key (phone)=(...)``, a request body, a token. So the log gets the class of each
    exception in the chain and the stack (file, line, function), which is enough to find the
    fault, and never ``str(error)`` or a formatted traceback.
    """
    chain: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen and len(chain) < 10:
        seen.add(id(current))
        chain.append(f"{type(current).__module__}.{type(current).__qualname__}")
        current = current.__cause__ or current.__context__
    frames = traceback.extract_tb(error.__traceback__)
    return {
        "request_id": getattr(g, "request_id", None) if has_app_context() else None,
        "error": chain[0],
        "causes": chain[1:],
        "stack": [f"{frame.filename}:{frame.lineno} in {frame.name}" for frame in frames[-15:]],
    }


def init_app(app: Flask) -> None:
    """Install logging and the request-id hooks."""
    configure_logging(app.config["LOG_LEVEL"])
    app.before_request(start_request)
    app.after_request(finish_request)
