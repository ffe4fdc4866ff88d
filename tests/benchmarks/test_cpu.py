"""CPU time per request: reading /proc and dividing the difference by the requests."""

from __future__ import annotations

import os

from benchmarks.cpu import TICKS_PER_SECOND, cpu_ticks, ms_per_request, process_group


def test_a_process_in_between_counts_from_zero_and_a_known_one_by_its_difference() -> None:
    before = {1: 100}
    after = {1: 100 + TICKS_PER_SECOND, 2: TICKS_PER_SECOND}

    assert ms_per_request(before, after, requests=1000) == 2.0


def test_own_process_is_read_and_found_in_its_group() -> None:
    ticks = cpu_ticks(os.getpid())

    assert ticks is not None and ticks >= 0
    assert os.getpid() in process_group(os.getpgid(0))


def test_a_gone_process_reads_as_none() -> None:
    assert cpu_ticks(2**22 + 1) is None
