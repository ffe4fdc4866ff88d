"""Which principals a transaction changed, announced once it has committed.

Hooks on the session factory note every change that can end a session or change who a caller
is: a flushed change to a user, team, device session or API key row, and any bulk UPDATE or
DELETE of those tables. After COMMIT the noted tags go to ``announce`` (the principal cache:
drop them here, publish them to every other worker); after a rollback they are forgotten. No
writer has to remember to invalidate: a bulk write that does not say what it changed (with
:func:`declared`) invalidates everything, which is safe, merely slower.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import Table, event
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction, sessionmaker
from sqlalchemy.orm.unitofwork import UOWTransaction

from fieldapp.core.principal_cache import EVERYTHING
from fieldapp.models import ApiKey, Base, DeviceSession, Team, User

#: Where a session keeps the tags noted since its transaction began.
PENDING = "fieldapp.principal_changes"
#: The execution option by which a bulk write says exactly which tags it changes.
OPTION = "principal_tags"

_TAG_PREFIX: dict[type[Base], str] = {DeviceSession: "s", User: "u", Team: "t", ApiKey: "k"}
_WATCHED_TABLES: frozenset[Any] = frozenset(model.__table__ for model in _TAG_PREFIX)


def session_tag(session_id: uuid.UUID) -> str:
    """The tag of one device session."""
    return f"s:{session_id}"


def user_tag(user_id: uuid.UUID) -> str:
    """The tag of everything read from one user's row."""
    return f"u:{user_id}"


def team_tag(team_id: uuid.UUID) -> str:
    """The tag of everything read from one team's row."""
    return f"t:{team_id}"


def key_tag(key_id: uuid.UUID) -> str:
    """The tag of one API key."""
    return f"k:{key_id}"


def declared(*tags: str) -> dict[str, Any]:
    """Execution options for a bulk write that changes exactly these tags (none: nothing cached)."""
    return {OPTION: frozenset(tags)}


def note(session: Session, tags: Iterable[str]) -> None:
    """Add tags to what this session's transaction will announce when it commits."""
    pending: set[str] = session.info.setdefault(PENDING, set())
    pending.update(tags)


def _flushed(session: Session, _context: UOWTransaction) -> None:
    """Note the watched rows this flush changed or deleted (new rows are in no cache)."""
    changed = [obj for obj in session.dirty if session.is_modified(obj)]
    tags = []
    for obj in [*changed, *session.deleted]:
        prefix = _TAG_PREFIX.get(type(obj))
        if prefix is not None:
            tags.append(f"{prefix}:{obj.id}")
    if tags:
        note(session, tags)


def _bulk_write(state: ORMExecuteState) -> None:
    """Note a bulk UPDATE or DELETE of a watched table: its declared tags, else everything."""
    if not (state.is_update or state.is_delete):
        return
    table: Table | None = getattr(state.statement, "table", None)
    if table not in _WATCHED_TABLES:
        return
    declared_tags = state.execution_options.get(OPTION)
    note(state.session, [EVERYTHING] if declared_tags is None else declared_tags)


def _transaction_ended(session: Session, transaction: SessionTransaction) -> None:
    """Forget the noted tags when the outermost transaction ends, committed or not."""
    # After the after_commit hooks have read them; a savepoint's end keeps them for its parent.
    if transaction.parent is None:
        session.info.pop(PENDING, None)


def watch(sessions: sessionmaker[Session], announce: Callable[[frozenset[str]], None]) -> None:
    """Hook the session factory so that every committed principal change is announced."""

    def committed(session: Session) -> None:
        """Announce what the transaction changed, now that others can read it."""
        tags = session.info.get(PENDING)
        if tags:
            announce(frozenset(tags))

    event.listen(sessions, "after_flush", _flushed)
    event.listen(sessions, "do_orm_execute", _bulk_write)
    event.listen(sessions, "after_commit", committed)
    event.listen(sessions, "after_transaction_end", _transaction_ended)
