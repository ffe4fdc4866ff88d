"""A render stops when it passes its time or work budget; lint scores a bounded text."""

from __future__ import annotations

import importlib
import time
from typing import Any

import pytest

from fieldapp.core.templating.budget import RenderBudget, RenderTooCostly
from fieldapp.core.templating.engine import render
from fieldapp.core.templating.errors import TemplateRefused
from fieldapp.core.templating.lint import READABILITY_MAX_CHARS, lint

# The module, not the function of the same name that the package exports.
lint_module = importlib.import_module("fieldapp.core.templating.lint")
SOURCE = "Dear {{ victim.first_name }}, {{ officer.name }} on {{ force.phone }}. {{ case.offence }}"


class SteppingClock:
    """A clock that moves on by ``step`` seconds every time it is read."""

    def __init__(self, step: float) -> None:
        self.now = 0.0
        self.step = step
        self.reads = 0

    def __call__(self) -> float:
        self.reads += 1
        self.now += self.step
        return self.now


def test_a_render_within_its_budget_completes(context: dict[str, Any]) -> None:
    clock = SteppingClock(0.001)
    text = render(SOURCE, context, max_chars=1000, budget=RenderBudget(seconds=1, clock=clock))
    assert text.startswith("Dear Sam, Jo Ashworth on 101.")
    assert clock.reads > 2  # the deadline was checked as the output streamed


def test_a_render_past_its_deadline_is_refused_while_streaming(context: dict[str, Any]) -> None:
    clock = SteppingClock(0.3)  # each chunk "takes" 0.3 s against a 0.5 s budget
    with pytest.raises(RenderTooCostly) as caught:
        render(SOURCE, context, max_chars=1000, budget=RenderBudget(seconds=0.5, clock=clock))
    assert isinstance(caught.value, TemplateRefused)
    assert [p.code for p in caught.value.problems] == ["render_budget"]
    assert "time" in caught.value.problems[0].message
    assert clock.reads < 5  # stopped early, not after the whole render


def test_a_render_producing_too_many_chunks_is_refused(context: dict[str, Any]) -> None:
    with pytest.raises(RenderTooCostly, match="work"):
        render(SOURCE, context, max_chars=1000, budget=RenderBudget(max_chunks=2))


def test_readability_scores_only_a_bounded_opening_of_a_long_text(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[int] = []
    real = lint_module.textstat.flesch_reading_ease

    def measuring(text: str) -> float:
        seen.append(len(text))
        return float(real(text))

    monkeypatch.setattr(lint_module.textstat, "flesch_reading_ease", measuring)
    body = "We have arrested someone. We will call you soon. " * 2_000  # 100,000 characters
    report = lint(
        channel="email",
        language="en",
        subject="Update",
        body=body,
        fields=frozenset(),
        sms_policy={},
    )
    assert report.reading_ease is not None
    assert seen and max(seen) <= READABILITY_MAX_CHARS


def test_the_default_deadline_counts_the_rendering_threads_cpu_time_not_the_wall_clock() -> None:
    # Time spent waiting for the CPU on a busy machine must never turn a sound render into a 422.
    assert RenderBudget().clock is time.thread_time
