"""gunicorn settings, read by every gunicorn started from the repository root.

Command-line options (``--workers``, ``--bind``) still override these.
"""

# Threaded workers: a worker busy with one slow request (a render, a report) still answers
# /health and other requests on its other threads, so a load balancer does not take a busy
# instance for a dead one. Renders are bounded too (core/templating/budget.py).
worker_class = "gthread"
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
