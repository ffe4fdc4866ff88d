"""Contact duties: created from events by the Victims' Code rules, their lifecycle, the worklist.

``creation`` makes duties from events (and for a victim added late), ``lifecycle`` handles
periodic updates, opting out and erasure, ``notes`` the note a periodic update must carry, and
``worklist`` lists and closes duties. Callers use this package: ``duties.after_update(...)``.
"""

from __future__ import annotations

from fieldapp.services.duties.creation import (
    DutyChanges,
    duties_for_event,
    meet_by_event,
    owed_to_new_victim,
    recompute_for_victim,
)
from fieldapp.services.duties.lifecycle import (
    PERIODIC_KIND,
    after_update,
    apply_opt_out,
    close_all_for_victim,
    end_periodic_updates,
    opted_out_reason,
    periodic_stop_reason,
    schedule_periodic,
)
from fieldapp.services.duties.notes import periodic_note_problem
from fieldapp.services.duties.worklist import RESOURCE, DutyRow, close_duty, list_duties

__all__ = [
    "PERIODIC_KIND",
    "RESOURCE",
    "DutyChanges",
    "DutyRow",
    "after_update",
    "apply_opt_out",
    "close_all_for_victim",
    "close_duty",
    "duties_for_event",
    "end_periodic_updates",
    "list_duties",
    "meet_by_event",
    "opted_out_reason",
    "owed_to_new_victim",
    "periodic_note_problem",
    "periodic_stop_reason",
    "recompute_for_victim",
    "schedule_periodic",
]
