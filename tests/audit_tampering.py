"""Working around the audit tables' append-only triggers, as an owner or superuser could.

Used by the per-test cleanup and by the tamper tests: the triggers stay on everywhere else.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, text


@contextmanager
def triggers_disabled(connection: Connection) -> Iterator[None]:
    """Within the connection's transaction, let UPDATE and DELETE reach the audit tables.

    PostgreSQL: ``session_replication_role = replica`` for this transaction only (the test
    role is a superuser). SQLite: drop the triggers and re-create them from their stored SQL.
    """
    if connection.dialect.name == "postgresql":
        connection.execute(text("SET LOCAL session_replication_role = replica"))
        yield
        connection.execute(text("SET LOCAL session_replication_role = origin"))
        return
    triggers = connection.execute(
        text(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name LIKE 'audit%'"
        )
    ).all()
    for name, _sql in triggers:
        connection.execute(text(f'DROP TRIGGER "{name}"'))
    yield
    for _name, sql in triggers:
        connection.execute(text(sql))
