"""The work one render may do: a deadline and a cap on output chunks, checked while streaming.

The allow-list (no calls, no ``**``, no nested loops) and the output cap already keep a render
small; the budget is the backstop that holds whatever the template and data: a render that
passes either bound stops with ``RenderTooCostly`` (a refusal, 422), so a request worker is
never held for long. The deadline is in the rendering thread's own CPU time, not wall time, so
a busy machine (other threads, other processes) never turns a sound render into a refusal; only
the render's own work counts. The clock is injected so that tests need no sleeping.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from fieldapp.core.templating.errors import Problem, TemplateRefused

#: CPU seconds of the rendering thread: far above any real message (an SMS renders in well
#: under a millisecond of CPU, in a few chunks).
RENDER_SECONDS = 2.0
RENDER_MAX_CHUNKS = 20_000


class RenderTooCostly(TemplateRefused):
    """A render passed its time or work budget."""

    def __init__(self, what: str) -> None:
        super().__init__([Problem("render_budget", f"the message took too much {what} to merge")])


@dataclass(frozen=True)
class RenderBudget:
    """How long a render may take (by ``clock``) and how many output chunks it may produce."""

    seconds: float = RENDER_SECONDS
    max_chunks: int = RENDER_MAX_CHUNKS
    # This thread's CPU time: waiting for the CPU while others run does not count against it.
    clock: Callable[[], float] = field(default=time.thread_time)

    def meter(self) -> BudgetMeter:
        """Start counting one render against this budget."""
        return BudgetMeter(self, self.clock() + self.seconds)


@dataclass
class BudgetMeter:
    """One render's spending: call ``spend()`` for every chunk it produces."""

    budget: RenderBudget
    deadline: float
    chunks: int = 0

    def spend(self) -> None:
        """Count a chunk; ``RenderTooCostly`` once either bound is passed."""
        self.chunks += 1
        if self.chunks > self.budget.max_chunks:
            raise RenderTooCostly("work")
        if self.budget.clock() > self.deadline:
            raise RenderTooCostly("time")


DEFAULT_BUDGET = RenderBudget()
