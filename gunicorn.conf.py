"""gunicorn settings, read by every gunicorn started from the repository root.

Command-line options (``--workers``, ``--bind``) still override these.
"""

import os
import subprocess
import sys

# Threaded workers: a worker busy with one slow request (a render, a report) still answers
# /health and other requests on its other threads, so a load balancer does not take a busy
# instance for a dead one. Renders are bounded too (core/templating/budget.py).
# fieldapp.serving's worker is gthread that, on SIGTERM, answers the connections still queued
# in the listen backlog before it stops (gthread alone resets them), and fails /ready meanwhile.
worker_class = "fieldapp.serving.DrainingWorker"
threads = 4

# gunicorn's own limit answers with an HTML page before fieldapp sees the request; raise it to
# gunicorn's maximum so that long URLs (e.g. many query parameters) reach the app and get a
# problem-details answer. Longer request lines are refused by gunicorn (or the load balancer).
limit_request_line = 8190

# gunicorn 27 opens a control socket at one fixed path per user; two servers would clash.
control_socket_disable = True


def post_worker_init(worker: object) -> None:
    """Load lint's syllable dictionary before the first request, not during it (~1 s)."""
    from fieldapp.core.templating.lint import warm_up

    warm_up()


# The audit sealer (flask --app wsgi audit seal) runs beside the workers, started and stopped
# by the arbiter, so `make run` keeps the trail sealed. Set FIELDAPP_AUDIT_SEALER=off where it
# runs as its own service instead (e.g. production web servers that do not hold the keys).
# The webhook worker (flask --app wsgi webhooks deliver) likewise, so `make run` delivers
# webhooks; FIELDAPP_WEBHOOK_WORKER=off where workers run as their own service.
_sealer: list[subprocess.Popen[bytes]] = []
_OFF = {"0", "off", "no", "false"}


def when_ready(server: object) -> None:
    """Start the audit sealer and the webhook worker once the arbiter is ready (unless off)."""
    if os.environ.get("FIELDAPP_AUDIT_SEALER", "on").strip().lower() not in _OFF:
        command = [sys.executable, "-m", "flask", "--app", "wsgi", "audit", "seal"]
        _sealer.append(subprocess.Popen(command))  # noqa: S603 - a fixed command
    if os.environ.get("FIELDAPP_WEBHOOK_WORKER", "on").strip().lower() not in _OFF:
        command = [sys.executable, "-m", "flask", "--app", "wsgi", "webhooks", "deliver"]
        _sealer.append(subprocess.Popen(command))  # noqa: S603 - a fixed command


def on_exit(server: object) -> None:
    """Stop the audit sealer and webhook worker with the arbiter (each finishes its round)."""
    for process in _sealer:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
