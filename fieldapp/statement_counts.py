"""Counting the SQL statements and commits an app sends, per engine, with SQLAlchemy's hooks.

A statement is one ``before_cursor_execute`` (one round trip to the database; an executemany
batch counts once). Commits and rollbacks are counted apart. Tests pin each endpoint's count
with it so that round trips cannot creep back, and the benchmark prints the same figures.
The request's session engine and the autocommit engine (the principal look-up) are counted
separately. Two round trips on PostgreSQL do not pass through these hooks, so are not counted:
the pool's check of a connection it hands out (``pool_pre_ping``, one per checkout) and the
``BEGIN`` psycopg sends before a transaction's first statement.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, event

from fieldapp.database import Database

SESSION = "session"
AUTOCOMMIT = "autocommit"


@dataclass
class EngineLog:
    """What one engine sent while counting: each statement's SQL, and the commits and rollbacks."""

    statements: list[str] = field(default_factory=list)
    commits: int = 0
    rollbacks: int = 0


@dataclass
class StatementLog:
    """The log of each counted engine, by label."""

    engines: dict[str, EngineLog]

    def statements(self, label: str = SESSION) -> int:
        """How many statements an engine sent."""
        return len(self.engines[label].statements)

    def commits(self, label: str = SESSION) -> int:
        """How many transactions an engine committed."""
        return self.engines[label].commits

    def clear(self) -> None:
        """Forget what was counted so far (e.g. after arranging data)."""
        for label in self.engines:
            self.engines[label] = EngineLog()


def app_engines(database: Database) -> dict[str, Engine]:
    """The app's engines by label: the request's session engine and the autocommit one."""
    return {SESSION: database.engine, AUTOCOMMIT: database.autocommit}


@contextmanager
def counting(engines: Mapping[str, Engine]) -> Iterator[StatementLog]:
    """Count what each engine sends inside the block; the hooks are removed afterwards."""
    log = StatementLog({label: EngineLog() for label in engines})
    hooks: list[tuple[Engine, str, Any]] = []
    for label, engine in engines.items():
        hooks += [
            (engine, "before_cursor_execute", _on_statement(log, label)),
            (engine, "commit", _on_end(log, label, committed=True)),
            (engine, "rollback", _on_end(log, label, committed=False)),
        ]
    for engine, name, hook in hooks:
        event.listen(engine, name, hook)
    try:
        yield log
    finally:
        for engine, name, hook in hooks:
            event.remove(engine, name, hook)


def _on_statement(log: StatementLog, label: str) -> Any:
    """A ``before_cursor_execute`` hook that records the statement's SQL."""

    def hook(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        log.engines[label].statements.append(statement)

    return hook


def _on_end(log: StatementLog, label: str, *, committed: bool) -> Any:
    """A ``commit`` or ``rollback`` hook that counts the transaction's end."""

    def hook(_conn: Any) -> None:
        engine_log = log.engines[label]
        if committed:
            engine_log.commits += 1
        else:
            engine_log.rollbacks += 1

    return hook
