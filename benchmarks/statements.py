"""The SQL statements each measured endpoint sends, counted once before the load.

``benchmarks.run`` calls :func:`count_statements` after creating its data: a child process
with fieldapp's environment (the bench database and instance) builds the app, sends each
fieldapp endpoint one request through Flask's test client with the run's token, and counts
what each engine sends with ``fieldapp.statement_counts``. The figure printed is the request's
session statements (the case data and its audit; the commit apart), plus the principal look-up
on the autocommit engine. Reference endpoints are not fieldapp's and are not counted.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from benchmarks.endpoint import Endpoint
from benchmarks.errors import BenchmarkError
from benchmarks.settings import REPO_ROOT
from fieldapp import create_app
from fieldapp.database import get_database
from fieldapp.statement_counts import AUTOCOMMIT, app_engines, counting

#: Paths under this prefix are the reference app's, not fieldapp's.
REFERENCE_PREFIX = "/_reference/"


@dataclass(frozen=True)
class Count:
    """What one request sent: statements and commits on its session, look-ups on autocommit."""

    status: int
    statements: int
    commits: int
    autocommit: int

    @property
    def label(self) -> str:
        """The table's figure: session statements, then the autocommit look-ups after '+'."""
        return f"{self.statements}+{self.autocommit}"


def count_statements(
    env: Mapping[str, str], requests: Mapping[str, Endpoint], token: str
) -> dict[str, Count]:
    """Send each fieldapp request (keyed by path template) once in a child process; the counts."""
    wanted = {
        path: {"path": r.path, "method": r.method, "body": r.body, "headers": dict(r.headers)}
        for path, r in requests.items()
        if not path.startswith(REFERENCE_PREFIX)
    }
    child = subprocess.run(
        [sys.executable, "-m", "benchmarks.statements"],
        input=json.dumps({"token": token, "requests": wanted}),
        capture_output=True,
        text=True,
        env=dict(env),
        cwd=REPO_ROOT,
        check=False,
    )
    if child.returncode != 0:
        raise BenchmarkError(f"counting statements failed: {child.stderr.strip()[-2000:]}")
    counted = {path: Count(**values) for path, values in json.loads(child.stdout).items()}
    failed = {path: c.status for path, c in counted.items() if not 200 <= c.status < 300}
    if failed:
        raise BenchmarkError(f"counting statements: non-2xx answers {failed}")
    return counted


def _count_in_this_process(
    token: str, requests: Mapping[str, Mapping[str, Any]]
) -> dict[str, dict[str, int]]:
    """The child's work: build the app from the environment and count each request."""
    app = create_app()
    # Without its own cookie jar, the client sends a request's Cookie header as it is.
    client = app.test_client(use_cookies=False)
    bearer = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    found: dict[str, dict[str, int]] = {}
    with counting(app_engines(get_database(app))) as log:
        for path, request in requests.items():
            log.clear()
            # An endpoint with its own headers (the console's cookie) is sent with those alone.
            headers = request.get("headers") or bearer
            response = client.open(
                request["path"], method=request["method"], data=request["body"], headers=headers
            )
            found[path] = {
                "status": response.status_code,
                "statements": log.statements(),
                "commits": log.commits(),
                "autocommit": log.statements(AUTOCOMMIT),
            }
    get_database(app).dispose()
    return found


if __name__ == "__main__":
    asked = json.load(sys.stdin)
    print(json.dumps(_count_in_this_process(asked["token"], asked["requests"])))
