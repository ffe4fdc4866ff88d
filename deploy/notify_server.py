"""The GOV.UK Notify stand-in (tests/notify_standin.py) as a process on its own port.

``python -m deploy.notify_server --port 57090 --service-id ID --secret SECRET`` serves Notify's
v2 API as the tests' stand-in does, plus ``GET /_standin/accepted``: how many notifications it
accepted under each reference (our message ids), which the cluster run compares with the
database to show every message was sent exactly once; and ``POST /_standin/faults`` (JSON), by
which the run's ``notify-faults`` phase makes it misbehave: ``{"fail": 500, "count": 1000}``
answers the next sends with that status, ``{"hold": true}`` holds every answer after accepting
the send (a slow provider), ``{"clear": true}`` ends both; the answer says how many sends were
still owed a failure.
"""

from __future__ import annotations

import argparse
import json
import signal
from collections.abc import Iterable
from types import FrameType
from typing import Any

from werkzeug.serving import make_server

from tests.notify_standin import NotifyStandIn, _QuietHandler

COUNTS_PATH = "/_standin/accepted"
FAULTS_PATH = "/_standin/faults"


def apply_faults(standin: NotifyStandIn, order: dict[str, Any]) -> dict[str, int]:
    """Carry out one ``/_standin/faults`` order; how many failures were still owed before it."""
    owed = 0
    if order.get("clear"):
        owed = standin.clear_failures()
        standin.stop_holding()
    if "fail" in order:
        standin.fail_next(int(order.get("count", 1)), int(order["fail"]))
    if order.get("hold"):
        standin.hold_new_answers()
    return {"owed_before": owed}


class CountingStandIn:
    """The stand-in's WSGI app, with the count of accepted sends per reference beside it."""

    def __init__(self, standin: NotifyStandIn) -> None:
        self.standin = standin

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        """Answer the counts on COUNTS_PATH; everything else is Notify's API."""
        if environ.get("PATH_INFO") == COUNTS_PATH:
            body = json.dumps(dict(self.standin.sends_by_reference())).encode()
            start_response("200 OK", [("Content-Type", "application/json")])
            return [body]
        if environ.get("PATH_INFO") == FAULTS_PATH and environ.get("REQUEST_METHOD") == "POST":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            order = json.loads(environ["wsgi.input"].read(length) or b"{}")
            body = json.dumps(apply_faults(self.standin, order)).encode()
            start_response("200 OK", [("Content-Type", "application/json")])
            return [body]
        result: Iterable[bytes] = self.standin(environ, start_response)
        return result


def main() -> None:
    """Serve until SIGTERM or Ctrl-C."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--service-id", required=True)
    parser.add_argument("--secret", required=True)
    args = parser.parse_args()
    standin = NotifyStandIn(service_id=args.service_id, secret=args.secret)
    standin.base_url = f"http://127.0.0.1:{args.port}"
    server = make_server(
        "127.0.0.1",
        args.port,
        CountingStandIn(standin),
        threaded=True,
        request_handler=_QuietHandler,
    )

    def stop(_signum: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
