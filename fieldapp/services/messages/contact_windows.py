"""Safe contact times at delivery: when a queued text or email may be handed to the provider.

The window arithmetic is pure (``core.victims_code.contact_times``); this reads the recipient as
they are now, so a change of their times applies to messages already queued.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from fieldapp.core.victims_code.contact_times import next_opening
from fieldapp.core.victims_code.recipients import timed_channels
from fieldapp.models import Message, Victim


def outside_window(session: Session, message: Message, *, now: datetime) -> datetime | None:
    """When the recipient's next safe window opens, or None if the message may go now."""
    if message.channel not in timed_channels():
        return None
    victim = session.get(Victim, message.victim_id)
    if victim is None or not victim.safe_contact_times:
        return None
    opening = next_opening(victim.safe_contact_times, now)
    return None if opening <= now else opening
