"""When a failed webhook delivery is tried again: exponential backoff with jitter, as plain data.

The delay after attempt ``n`` is ``base * 2**(n-1)``, capped, then scaled by a random factor
between one half and one ("equal jitter"), so that receivers coming back after an outage are
not hit by every sender at once. The random source is passed in, so tests choose it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class Backoff:
    """The first delay, the longest, and how many attempts a delivery gets in all."""

    base: timedelta = timedelta(seconds=30)
    cap: timedelta = timedelta(hours=1)
    max_attempts: int = 12

    def delay(self, attempts: int, random: Callable[[], float]) -> timedelta:
        """The wait after ``attempts`` failed attempts; ``random`` returns a float in [0, 1)."""
        exponent = min(max(attempts - 1, 0), 30)  # far beyond the cap already: no overflow
        delay = min(self.base * (1 << exponent), self.cap)
        return delay * (0.5 + min(max(random(), 0.0), 1.0) / 2)

    def gives_up(self, attempts: int) -> bool:
        """Whether a delivery that failed ``attempts`` times is abandoned."""
        return attempts >= self.max_attempts
