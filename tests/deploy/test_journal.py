"""The load's journal: locust's request events in, the report's samples and tally out."""

from __future__ import annotations

from pathlib import Path

from deploy import journal
from deploy.report import NO_ANSWER, Phase, Sample, summarise


def test_a_hook_event_becomes_a_sample_ending_now_and_lasting_its_response_time() -> None:
    sample = journal.sample_from_hook(100.0, "read case", 250.0, 200, "app2", "")
    assert sample == Sample(99.75, 100.0, "read case", 200, "app2", "")


def test_the_exception_is_kept_only_when_no_answer_came() -> None:
    refused = journal.sample_from_hook(5.0, "sign-in", 1.0, NO_ANSWER, "", "ConnectionError")
    answered = journal.sample_from_hook(5.0, "sign-in", 1.0, 503, "app1", "HTTPError")
    assert (refused.detail, refused.failed) == ("ConnectionError", True)
    assert (answered.detail, answered.status) == ("", 503)


def test_samples_written_and_read_back_make_the_same_rows(tmp_path: Path) -> None:
    samples = [
        Sample(1.0, 1.1, "list cases", 200, "app1"),
        Sample(2.0, 2.5, "write message", 503, "app2"),
        Sample(3.0, 3.2, "read case", NO_ANSWER, "", "RemoteDisconnected"),
        Sample(9.0, 9.1, "read case", 200, "app3"),
    ]
    path = tmp_path / "journal.jsonl"
    path.write_text("".join(journal.sample_line(s) for s in samples))
    read, _ = journal.read(path)
    phase = Phase("steady", 0.0, 5.0)
    assert read == samples
    assert summarise(read, phase) == summarise(samples, phase)
    assert summarise(read, phase)["requests"] == 3


def test_the_tally_counts_writes_retries_give_ups_and_queued_messages() -> None:
    lines = [
        journal.written_line("k1", ["m1"], 0),
        journal.written_line("k2", ["m2", "m3"], 3),
        journal.given_up_line("k3"),
        journal.queued_line("m1"),
        journal.queued_line("m1"),
        journal.queued_line("m2"),
    ]
    samples, tally = journal.parse(lines)
    assert samples == []
    assert tally.written == {"k1": ["m1"], "k2": ["m2", "m3"]}
    assert (tally.write_retries, tally.given_up, tally.queued) == (3, 1, {"m1", "m2"})


def test_a_line_still_being_written_is_skipped(tmp_path: Path) -> None:
    whole = journal.sample_line(Sample(1.0, 1.5, "read case", 200, "app1"))
    path = tmp_path / "journal.jsonl"
    path.write_text(whole + whole[:20])
    samples, _ = journal.read(path)
    assert samples == [Sample(1.0, 1.5, "read case", 200, "app1")]


def test_no_journal_yet_means_no_samples(tmp_path: Path) -> None:
    samples, tally = journal.read(tmp_path / "missing.jsonl")
    assert (samples, tally.written, tally.given_up) == ([], {}, 0)


def test_double_taps_count_and_those_answered_with_different_rows_are_told_apart() -> None:
    lines = [
        journal.double_tap_line("k1", [["m1"], ["m1"]]),
        journal.double_tap_line("k2", [["m2"], ["m3"]]),  # two rows for one key
        journal.double_tap_line("k3", [["m4"]]),  # the other tap answered 409
    ]
    tally = journal.parse(lines)[1]
    assert (tally.double_taps, tally.double_taps_split) == (3, 1)


def test_tallies_of_two_loads_merge() -> None:
    first = journal.parse(
        [
            journal.written_line("k1", ["m1"], 2),
            journal.queued_line("m1"),
            journal.given_up_line("k0"),
        ]
    )[1]
    second = journal.parse(
        [journal.written_line("k2", ["m2"], 1), journal.double_tap_line("k2", [["m2"], ["m2"]])]
    )[1]
    merged = first.merge(second)
    assert merged.written == {"k1": ["m1"], "k2": ["m2"]}
    assert (merged.write_retries, merged.given_up, merged.double_taps) == (3, 1, 1)
    assert merged.queued == {"m1"}
