"""The duty scan: find open duties that became due soon or overdue, and record each event once.

Run by every webhook worker each ``scan_interval``. A duty becomes *due soon* when the window
before its deadline (``FIELDAPP_DUE_SOON_HOURS``) opens, and *overdue* when the deadline
passes while it is still open. Only crossings within ``scan_lookback`` are announced, so a
first scan (or one after a long stop) does not replay months of old deadlines. Each
(duty, kind) is recorded at most once whoever scans: the event's unique ``dedupe_key`` makes
the database choose one writer among workers on any number of machines.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldapp.models import Case, ContactDuty, WebhookEvent, WebhookSubscription
from fieldapp.services.webhooks.events import duty_data, record_event_once

DUE_SOON = "duty.due_soon"
OVERDUE = "duty.overdue"


def dedupe_key(event_type: str, duty_id: object) -> str:
    """The one name of a (duty, kind) event."""
    return f"{event_type}:{duty_id}"


def scan_duties(
    session: Session,
    *,
    now: datetime,
    due_soon: timedelta,
    lookback: timedelta,
) -> Counter[str]:
    """Record due-soon and overdue events for open duties; commits; counts by type."""
    tally: Counter[str] = Counter()
    wanted = _subscribed_types(session)
    windows = {
        # The crossing is due_at - due_soon (due soon) or due_at (overdue): within the lookback.
        DUE_SOON: (now - lookback + due_soon, now + due_soon, now),
        OVERDUE: (now - lookback, now, None),
    }
    for event_type, (earliest, latest, not_yet_due_after) in windows.items():
        if event_type not in wanted:
            continue
        for duty, case in _crossed(session, event_type, earliest, latest, not_yet_due_after):
            created = record_event_once(
                session,
                event_type,
                dedupe_key=dedupe_key(event_type, duty.id),
                data=duty_data(duty, case),
                team_id=case.team_id,
                now=now,
            )
            tally[event_type if created else "already"] += 1
    session.commit()
    return tally


def _subscribed_types(session: Session) -> set[str]:
    """The event types some active subscription wants (no subscriber: nothing to record)."""
    lists = session.scalars(
        select(WebhookSubscription.events).where(WebhookSubscription.status == "active")
    )
    return {event_type for events in lists for event_type in events}


def _crossed(
    session: Session,
    event_type: str,
    earliest: datetime,
    latest: datetime,
    due_after: datetime | None,
) -> list[tuple[ContactDuty, Case]]:
    """Open duties due in [earliest, latest] (and after ``due_after``) with no such event yet.

    The window is bounded by the lookback, so it holds a day's deadlines at most.
    """
    query = (
        select(ContactDuty, Case)
        .join(Case, Case.id == ContactDuty.case_id)
        .where(
            ContactDuty.status == "open",
            ContactDuty.due_at >= earliest,
            ContactDuty.due_at <= latest,
        )
        .order_by(ContactDuty.due_at, ContactDuty.id)
    )
    if due_after is not None:
        query = query.where(ContactDuty.due_at > due_after)
    found = [(row[0], row[1]) for row in session.execute(query)]
    keys = [dedupe_key(event_type, duty.id) for duty, _case in found]
    announced: set[str] = set()
    for start in range(0, len(keys), 500):
        announced.update(
            key
            for key in session.scalars(
                select(WebhookEvent.dedupe_key).where(
                    WebhookEvent.dedupe_key.in_(keys[start : start + 500])
                )
            )
            if key is not None
        )
    return [
        (duty, case) for duty, case in found if dedupe_key(event_type, duty.id) not in announced
    ]
