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
from fieldapp.models.base import utcnow
from fieldapp.principal_channel import Publisher, Subscription
from fieldapp.principal_store import PrincipalStore
from fieldapp.services import api_keys, device_sessions
from fieldapp.services.principal_changes import key_tag, session_tag, team_tag, user_tag, watch

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


def key_caller(presented: str) -> api_keys.KeyCaller:
    """The caller behind an API key (the key's row cached like a session's); 401 if none."""
    now = utcnow()
    prefix = api_keys.key_prefix(presented)
    store = get_principals().store if prefix is not None else None
    key = f"key:{prefix}"
    cached, token = store.lookup(key) if store is not None else (None, None)
    if cached is not None and not api_keys.use_due(cached, now=now):
        return api_keys.caller_from_row(cached, presented=presented, now=now)
    with get_database().autocommit.connect() as connection:
        row = None if prefix is None else api_keys.caller_row(connection, prefix)
        caller = api_keys.caller_from_row(row, presented=presented, now=now)
        written = row is not None and api_keys.note_use(connection, row, now=now)
    if store is not None and row is not None:
        if written:  # what this worker holds has the old last use: read it again next time
            store.invalidate([key])
        else:
            tags = [key_tag(row.key_id), user_tag(row.id), team_tag(row.team_id)]
            store.keep(key, row, tags, token)
    return caller
