"""Optimistic concurrency: commit a change made against a version, or answer 412."""

from __future__ import annotations

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from fieldapp.errors import PreconditionFailed


def commit_versioned(session: Session) -> None:
    """Commit; if another writer saved the same record in between, roll back with a 412."""
    try:
        session.commit()
    except StaleDataError as exc:
        session.rollback()
        raise PreconditionFailed() from exc
