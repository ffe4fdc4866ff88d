"""How long a background loop waits before trying a database that did not answer again.

Shared by the delivery workers and the audit sealer so that both back off alike: the first
wait is the loop's own pace (at least half a second), each next one twice the last, up to a
cap that bounds how late the loop notices the database is back.
"""

from __future__ import annotations

#: The longest wait between tries while the database does not answer (seconds).
MAX_OUTAGE_WAIT = 30.0


def next_outage_wait(previous: float, *, pace: float, cap: float = MAX_OUTAGE_WAIT) -> float:
    """The wait after ``previous`` (0 for the first failure of an outage)."""
    return min(max(previous * 2, pace, 0.5), cap)
