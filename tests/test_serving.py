"""SIGTERM: gunicorn answers every connection already queued before the worker exits; /ready
is answered even while every thread is busy.

A real gunicorn (one worker, one thread, one connection at a time) is held busy by a request
whose body has not all arrived; more connections queue in the listen backlog behind it. With
gunicorn's own gthread worker, SIGTERM resets every queued connection; with fieldapp's, each
gets a whole answer, and /ready says 503 meanwhile. Every wait ends on an event (a log line,
a socket answer); the timeouts are hang guards only.
"""

from __future__ import annotations

import json
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO

from tests.conftest import TEST_SECRETS

PROJECT = Path(__file__).resolve().parents[1]
HANG_GUARD_SECONDS = 60
BODY = b'{"username": "pc.nobody", "password": "not the password", "device_name": "Phone"}'


class _Lines:
    """gunicorn's log lines, read as they come, to wait for the one that says something."""

    def __init__(self, stream: IO[str]) -> None:
        self.seen: list[str] = []
        self._stream = stream
        self._lines: queue.Queue[str] = queue.Queue()
        self._reader = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self._reader.start()

    def close(self) -> None:
        """Read to the end (the process has exited) and close the stream."""
        self._reader.join(timeout=HANG_GUARD_SECONDS)
        self._stream.close()

    def _read(self, stream: IO[str]) -> None:
        for line in stream:
            self._lines.put(line)

    def wait_for(self, pattern: str) -> re.Match[str]:
        """The first line from now on that matches ``pattern``."""
        while True:
            line = self._lines.get(timeout=HANG_GUARD_SECONDS)
            self.seen.append(line)
            if found := re.search(pattern, line):
                return found


def _start(
    database_url: str, instance: Path, connections: int = 1
) -> tuple[subprocess.Popen[str], _Lines, int]:
    """gunicorn with the project's settings and one thread (one connection at a time unless
    told); its log and port."""
    environment = {
        **os.environ,
        **{f"FIELDAPP_{name}": value for name, value in TEST_SECRETS.items()},
        "FIELDAPP_INSTANCE_PATH": str(instance),
        "FIELDAPP_DATABASE_URL": database_url,
        "FIELDAPP_REDIS_URL": "",
        "FIELDAPP_AUDIT_SEALER": "off",
        "FIELDAPP_WEBHOOK_WORKER": "off",
    }
    command = [
        *(sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"),
        *("--bind", "127.0.0.1:0", "--workers", "1", "--threads", "1"),
        *("--worker-connections", str(connections), "--graceful-timeout", "30", "wsgi:app"),
    ]
    process = subprocess.Popen(
        command, cwd=PROJECT, env=environment, stderr=subprocess.PIPE, text=True
    )
    assert process.stderr is not None
    lines = _Lines(process.stderr)
    port = int(lines.wait_for(r"Listening at: http://127\.0\.0\.1:(\d+)").group(1))
    return process, lines, port


def _connect(port: int, request: bytes) -> socket.socket:
    """A connection that has sent ``request`` (and waits, queued, for its answer)."""
    connection = socket.create_connection(("127.0.0.1", port), timeout=HANG_GUARD_SECONDS)
    connection.sendall(request)
    return connection


def _answer(connection: socket.socket) -> bytes:
    """Everything the server sent until it closed the connection (raises on a reset)."""
    chunks = []
    while chunk := connection.recv(65536):
        chunks.append(chunk)
    connection.close()
    return b"".join(chunks)


def _complete(answer: bytes) -> tuple[int, bytes]:
    """The status and body of a whole HTTP answer (its body as long as it says)."""
    head, _, body = answer.partition(b"\r\n\r\n")
    status = int(head.split(b" ")[1])
    [length] = re.findall(rb"(?im)^content-length: (\d+)", head)
    assert len(body) == int(length), answer
    return status, body


def _get(path: str) -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: fieldapp\r\nConnection: close\r\n\r\n".encode()


def _held_login(port: int) -> socket.socket:
    """A sign-in whose body has not all arrived: it holds a thread until the rest is sent."""
    return _connect(
        port,
        b"POST /api/v1/auth/login HTTP/1.1\r\nHost: fieldapp\r\nConnection: close\r\n"
        b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(BODY) + BODY[:10],
    )


def _one_answer(connection: socket.socket) -> tuple[bytes, bytes]:
    """The head and body of the next answer on a kept-alive connection."""
    received = b""
    while b"\r\n\r\n" not in received:
        received += connection.recv(65536) or _closed()
    head, _, body = received.partition(b"\r\n\r\n")
    [length] = re.findall(rb"(?im)^content-length: (\d+)", head)
    while len(body) < int(length):
        body += connection.recv(65536) or _closed()
    return head, body


def _closed() -> bytes:
    raise AssertionError("the server closed the connection before a whole answer")


def test_sigterm_answers_every_queued_connection_and_stops_being_ready(
    database_url: str, tmp_path: Path
) -> None:
    process, lines, port = _start(database_url, tmp_path / "instance")
    try:
        assert _complete(_answer(_connect(port, _get("/health"))))[0] == 200  # the worker is up
        held = _held_login(port)
        queued = [_connect(port, _get(path)) for path in ["/health"] * 5 + ["/ready"]]

        process.send_signal(signal.SIGTERM)
        lines.wait_for("draining: answering queued connections")
        held.sendall(BODY[10:])

        assert _complete(_answer(held))[0] == 401  # no such user: a whole answer all the same
        answers = [_complete(_answer(connection)) for connection in queued]
        assert [status for status, _ in answers] == [200] * 5 + [503]
        assert b"shutting down" in answers[-1][1]
        assert process.wait(timeout=HANG_GUARD_SECONDS) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        lines.close()


def test_ready_is_answered_while_the_only_thread_is_busy(database_url: str, tmp_path: Path) -> None:
    process, lines, port = _start(database_url, tmp_path / "instance", connections=10)
    try:
        assert _complete(_answer(_connect(port, _get("/health"))))[0] == 200  # the worker is up
        held = _held_login(port)  # accepted first: the one thread waits for the rest of it

        # Two /ready on one kept-alive connection, both answered while the thread is held.
        ready = _connect(
            port, b"GET /ready HTTP/1.1\r\nHost: fieldapp\r\nX-Request-ID: r-1\r\n\r\n"
        )
        head, body = _one_answer(ready)
        assert head.startswith(b"HTTP/1.1 200 "), head
        assert json.loads(body) == {"status": "ready"}
        assert re.search(rb"(?im)^x-request-id: r-1\r?$", head), head
        assert re.search(rb"(?im)^connection: close\r?$", head) is None  # still kept alive
        lines.wait_for('"request_id": "r-1"')  # the app's access log line, as for any request
        ready.sendall(_get("/ready").replace(b"GET", b"HEAD"))
        head = _answer(ready)
        assert head.startswith(b"HTTP/1.1 200 ") and head.endswith(b"\r\n\r\n"), head

        held.sendall(BODY[10:])
        assert _complete(_answer(held))[0] == 401  # the held request, whole all the same
        assert _complete(_answer(_connect(port, _get("/health")))) == (200, b'{"status":"ok"}\n')
        assert _complete(_answer(_connect(port, _get("/ready"))))[0] == 200
    finally:
        process.terminate()
        process.wait(timeout=HANG_GUARD_SECONDS)
        lines.close()
