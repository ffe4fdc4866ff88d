"""The cluster report's arithmetic: phases, percentiles, attribution and the exactly-once tally."""

from __future__ import annotations

from deploy.report import (
    NO_ANSWER,
    Phase,
    Sample,
    endpoint_errors,
    exactly_once,
    failed_on,
    format_table,
    percentile,
    rows_against_answers,
    status_counts,
    summarise,
)


def sample(started: float, ms: float, status: int = 200, server: str = "app1") -> Sample:
    """A request that started at ``started`` and took ``ms`` milliseconds."""
    return Sample(started, started + ms / 1000, "read case", status, server)


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 0.50) == 50.0
    assert percentile(values, 0.99) == 99.0
    assert percentile([7.0], 0.99) == 7.0
    assert percentile([], 0.5) == 0.0


def test_summarise_counts_only_requests_started_in_the_phase() -> None:
    samples = [sample(0.5, 10), sample(1.0, 20), sample(1.5, 30, 503), sample(2.0, 40)]
    row = summarise(samples, Phase("during", 1.0, 2.0))
    assert row["requests"] == 2
    assert row["per_second"] == 2.0
    assert row["errors"] == {"503": 1}
    assert row["p50_ms"] == 20.0
    assert row["p99_ms"] == 30.0
    assert row["max_ms"] == 30.0


def test_status_counts_name_no_answer_and_skip_successes() -> None:
    samples = [sample(0, 1, 201), sample(0, 1, NO_ANSWER), sample(0, 1, 502), sample(0, 1, 502)]
    assert status_counts(samples) == {"502": 2, "no answer": 1}


def test_failed_on_attributes_failures_to_the_instance_in_the_window() -> None:
    samples = [
        sample(10.0, 5, 502, "app1"),  # in the window, on app1
        sample(10.5, 5, 200, "app1"),  # a success
        sample(11.0, 5, 502, "app2"),  # another instance
        sample(25.0, 5, 502, "app1"),  # after the window
        sample(12.0, 5, NO_ANSWER, "app1"),
    ]
    assert failed_on(samples, "app1", 10.0, 20.0) == 2


def test_exactly_once_tells_duplicates_missing_and_unknown_apart() -> None:
    sent = ["a", "b", "c", "d"]
    accepted = {"a": 1, "b": 2, "d": 1, "x": 1}
    assert exactly_once(sent, accepted) == {
        "sent_in_database": 4,
        "accepted_by_provider": 5,
        "once": 2,
        "duplicated": 1,
        "missing": 1,
        "unknown": 1,
    }


def test_format_table_has_a_row_per_phase_with_its_errors() -> None:
    rows = [
        summarise([sample(0, 10)], Phase("steady", 0, 1)),
        summarise([sample(1, 10, 503), sample(1.1, 12, 503)], Phase("stopped", 1, 2)),
    ]
    lines = format_table(rows).splitlines()
    assert lines[0].split()[:3] == ["phase", "s", "requests"]
    assert lines[1].startswith("steady") and lines[1].endswith("-")
    assert lines[2].startswith("stopped") and lines[2].endswith("503x2")


def test_endpoint_errors_name_the_endpoint_who_answered_and_why_none_did() -> None:
    samples = [
        Sample(0, 1, "write message", 503, "app1"),
        Sample(0, 2, "write message", 503, "app1"),
        Sample(0, 1, "write message", 503, ""),
        Sample(0, 1, "read case", NO_ANSWER, "", "RemoteDisconnected"),
        Sample(0, 1, "read case", 200, "app1"),
    ]
    assert endpoint_errors(samples) == {
        "write message 503 from app1": 2,
        "write message 503 from the balancer": 1,
        "read case no answer (RemoteDisconnected)": 1,
    }


def test_rows_against_answers_counts_201s_of_the_endpoint_and_the_rows_beyond_them() -> None:
    samples = [
        Sample(0, 1, "record event", 201),
        Sample(1, 2, "record event", 201),
        Sample(2, 3, "record event", 503),
        Sample(3, 4, "record event", NO_ANSWER),
        Sample(4, 5, "write message", 201),
    ]
    assert rows_against_answers(10, samples, "record event", set_up=8) == {
        "in_database": 10, "answered_201": 2, "set_up": 8, "extra": 0,
    }  # fmt: skip
    assert rows_against_answers(11, samples, "record event", set_up=8)["extra"] == 1
