"""The benchmark's requests: spreading one over several copies of its data, extra headers."""

from __future__ import annotations

from benchmarks.endpoint import Endpoint


def test_spread_endpoint_takes_each_copys_value_in_turn() -> None:
    endpoint = Endpoint("/cases/{case_id}/events", "POST", '{"at": "{at}"}', spread=3)
    values = {"case_id": "c0", "case_id#0": "c0", "case_id#1": "c1", "case_id#2": "c2", "at": "t"}

    requests = endpoint.filled_all(values)

    assert [r.path for r in requests] == [
        "/cases/c0/events",
        "/cases/c1/events",
        "/cases/c2/events",
    ]
    assert {r.body for r in requests} == {'{"at": "t"}'}


def test_copy_numbers_are_matched_whole_not_by_suffix() -> None:
    values = {"case_id": "base", **{f"case_id#{n}": f"c{n}" for n in range(12)}}

    requests = Endpoint("/cases/{case_id}", spread=12).filled_all(values)

    assert requests[1].path == "/cases/c1"
    assert requests[11].path == "/cases/c11"


def test_unspread_endpoint_is_one_request_with_headers_filled_in() -> None:
    endpoint = Endpoint("/console/cases/{case_id}", headers=(("Cookie", "{cookie}"),))

    requests = endpoint.filled_all({"case_id": "c", "cookie": "session=abc"})

    assert requests == [Endpoint("/console/cases/c", headers=(("Cookie", "session=abc"),))]
