"""wrk's Lua scripts: a plain GET needs none; headers and several paths are sent as asked."""

from __future__ import annotations

from pathlib import Path

from benchmarks.endpoint import Endpoint
from benchmarks.wrk import write_script


def test_plain_get_needs_no_script(tmp_path: Path) -> None:
    assert write_script([Endpoint("/api/v1/me")], tmp_path, "me") is None


def test_headers_go_into_the_script(tmp_path: Path) -> None:
    endpoint = Endpoint("/console/cases/c", headers=(("Cookie", "session=abc"),))

    script = write_script([endpoint], tmp_path, "page")

    assert script is not None
    text = script.read_text()
    assert 'wrk.headers["Cookie"] = "session=abc"' in text
    assert "request = function()" not in text


def test_several_requests_are_sent_in_turn(tmp_path: Path) -> None:
    requests = [Endpoint(f"/cases/c{n}/events", "POST", "{}") for n in range(2)]

    script = write_script(requests, tmp_path, "events")

    assert script is not None
    text = script.read_text()
    assert 'wrk.method = "POST"' in text
    assert 'local requests = {{"/cases/c0/events", "{}"}, {"/cases/c1/events", "{}"}}' in text
    assert "n = n % #requests + 1" in text
