"""Who is calling: a device session's row from the worker's principal cache, else the database.

With ``FIELDAPP_REDIS_URL`` set, every committed principal change is published on the Redis
channel (whether or not this instance caches), and, unless ``FIELDAPP_PRINCIPAL_CACHE`` is off,
each worker caches session rows it has read (see ``principal_store.py`` for when it trusts
them). Without Redis there is no cache: every request reads the database.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app
from sqlalchemy import Row

from fieldapp.core.principal_cache import TaggedCache
from fieldapp.database import get_database
from fieldapp.principal_channel import Publisher, Subscription
from fieldapp.principal_store import PrincipalStore
from fieldapp.services import device_sessions
from fieldapp.services.principal_changes import session_tag, team_tag, user_tag, watch

EXTENSION_KEY = "fieldapp.principals"


@dataclass(frozen=True)
class Principals:
    """This app's principal cache (None when off) and its publisher (None without Redis)."""

    store: PrincipalStore | None
    publisher: Publisher | None

    def announce(self, tags: Iterable[str]) -> None:
        """A committed change: drop it here at once, then tell every other worker."""
        tags = frozenset(tags)
        if self.store is not None:
            self.store.invalidate(tags)
        if self.publisher is not None:
            self.publisher.publish(tags)


def init_app(app: Flask) -> None:
    """Build the cache and publisher from the settings and hook the session factory."""
    url: str = app.config["REDIS_URL"]
    channel: str = app.config["PRINCIPAL_CHANNEL"]
    store = None
    if url and app.config["PRINCIPAL_CACHE"]:
        cache: TaggedCache[Any] = TaggedCache(
            max_entries=app.config["PRINCIPAL_CACHE_SIZE"],
            ttl_seconds=app.config["PRINCIPAL_CACHE_TTL_SECONDS"],
        )
        store = PrincipalStore(cache, Subscription(url, channel))
    principals = Principals(store, Publisher(url, channel) if url else None)
    app.extensions[EXTENSION_KEY] = principals
    watch(get_database(app).sessions, principals.announce)


def get_principals(app: Flask | None = None) -> Principals:
    """The app's principal cache and publisher."""
    principals: Principals = (app or current_app).extensions[EXTENSION_KEY]
    return principals


def session_row(session_id: uuid.UUID) -> Row[Any] | None:
    """A device session with its user and team: cached, or read in one query."""
    store = get_principals().store
    key = session_tag(session_id)
    cached, token = store.lookup(key) if store is not None else (None, None)
    if cached is not None:
        row: Row[Any] | None = cached
        return row
    with get_database().autocommit.connect() as connection:
        row = device_sessions.session_row(connection, session_id)
    if row is not None and store is not None:
        store.keep(key, row, [user_tag(row.user_id), team_tag(row.team_id)], token)
    return row
