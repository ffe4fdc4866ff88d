"""Keyset paging: the row comparison that seeks past the last row of a page.

Lists page by a (time, id) key, not by offset, so a deep page costs what the first does. The
comparison is a row comparison, so the database can seek in its (time, id) index.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, literal, tuple_
from sqlalchemy.orm import InstrumentedAttribute

Key = tuple[datetime, uuid.UUID]


def seek_after(
    stamp: InstrumentedAttribute[Any], row_id: InstrumentedAttribute[Any], after: Key
) -> ColumnElement[bool]:
    """Rows after ``after`` in (stamp, id) order."""
    last_stamp, last_id = after
    return tuple_(stamp, row_id) > tuple_(
        literal(last_stamp, stamp.type), literal(last_id, row_id.type)
    )
