"""The benchmark's one error: raised when the run cannot go on, and reported by ``main``."""

from __future__ import annotations


class BenchmarkError(RuntimeError):
    """The benchmark cannot go on; the message says why."""
