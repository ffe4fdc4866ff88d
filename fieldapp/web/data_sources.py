"""Which database a request reads: the replica for the views that declare it, else the primary.

Routed by endpoint, not by guess. Reports that may be a few seconds behind (compliance figures,
the audit listing) declare ``@reads_replica``; every other view, above all those that show
officers their own changes, reads the primary (read-your-writes). Writes always go to the
primary, whatever the view: a declared view reads with ``read_session()`` and writes (its audit
records, its refusals) with ``get_session()``. While the replica is down or lagging
(``fieldapp.replica``) a declared view reads the primary, and if the replica fails under a
view, the view runs again on the primary: a replica never causes an error answer. The response
names what was read in ``X-Data-Source``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar, cast

from flask import Flask, Response, g
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from fieldapp.database import close_replica_session, get_database, get_replica_session, get_session
from fieldapp.replica import raised_by_replica

DATA_SOURCE_HEADER = "X-Data-Source"
PRIMARY, REPLICA = "primary", "replica"
#: The header as the OpenAPI document describes it, on the declared views' success responses.
DATA_SOURCE_DOC = {
    DATA_SOURCE_HEADER: {
        "description": (
            "Which database this answer was read from: 'replica' (a streaming copy, at most "
            "FIELDAPP_REPLICA_MAX_LAG_SECONDS behind) or 'primary'."
        ),
        "schema": {"type": "string", "enum": [PRIMARY, REPLICA]},
    }
}
_MARK = "reads_replica"

F = TypeVar("F", bound=Callable[..., Any])


def reads_replica(view: F) -> F:
    """Declare that a view's reads may come from the replica; its writes stay on the primary."""

    @functools.wraps(view)
    def run(*args: Any, **kwargs: Any) -> Any:
        replica = get_database().replica
        g.data_source = REPLICA if replica is not None and replica.usable() else PRIMARY
        try:
            return view(*args, **kwargs)
        except SQLAlchemyError as error:
            if replica is None or g.data_source != REPLICA or not raised_by_replica(error):
                raise
            replica.failed(error)
        # Run again on the primary from a clean session. What the failed run did not commit is
        # dropped; an audit record it committed stays, and is true: it did read those figures.
        close_replica_session()
        get_session().rollback()
        g.data_source = PRIMARY
        return view(*args, **kwargs)

    setattr(run, _MARK, True)
    return cast(F, run)


def declares_replica_reads(view: Callable[..., Any] | None) -> bool:
    """Whether a view function declared ``@reads_replica``."""
    return bool(getattr(view, _MARK, False))


def read_session() -> Session:
    """The session a view reads with: the replica's when declared and usable, else the primary's."""
    if g.get("data_source") == REPLICA:
        return get_replica_session()
    return get_session()


def name_data_source(response: Response) -> Response:
    """Say which database a declared view read (nothing on other views)."""
    source = g.get("data_source")
    if source is not None:
        response.headers[DATA_SOURCE_HEADER] = source
    return response


def init_app(app: Flask) -> None:
    """Name the data source on the responses of declared views."""
    app.after_request(name_data_source)
