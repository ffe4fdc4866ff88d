"""The words for structured event details, read from the JSON beside this module.

Three files, each rule data in English and Welsh: ``conditions.json`` (bail condition types and
their sentences), ``reasons.json`` (the closed lists of reason codes and their sentences) and
``outcomes.json`` (every other closed list: outcomes, results, remand status, ways of contact).
Their keys are the closed lists the event schemas accept, so a code and its words cannot drift
apart. This module only reads the data; ``conditions``, ``reasons`` and ``details`` write with it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any

PACKAGE = "fieldapp.core.templating"
LANGUAGES = ("en", "cy")


@cache
def _document(name: str) -> Mapping[str, Any]:
    """One wording file, decoded (read once; callers must not change it)."""
    text = resources.files(PACKAGE).joinpath(f"{name}.json").read_text(encoding="utf-8")
    document: Mapping[str, Any] = json.loads(text)
    return document


def condition_rules() -> Mapping[str, Any]:
    """Each bail condition type: its required fields and its sentences, most specific first."""
    types: Mapping[str, Any] = _document("conditions")["types"]
    return types


def condition_types() -> tuple[str, ...]:
    """The bail condition types, in the order the data gives them."""
    return tuple(condition_rules())


def reason_lists() -> Mapping[str, Any]:
    """The closed lists of reason codes, each with the event types it applies to."""
    lists: Mapping[str, Any] = _document("reasons")["lists"]
    return lists


def reason_codes(event_type: str) -> tuple[str, ...]:
    """The reason codes an event type accepts (empty when it takes no reason codes)."""
    for reason_list in reason_lists().values():
        if event_type in reason_list["event_types"]:
            return tuple(reason_list["codes"])
    return ()


def reason_sentence(code: str, language: str) -> str | None:
    """The sentence for a reason code; ``None`` for ``other`` or an unknown code."""
    for reason_list in reason_lists().values():
        words = reason_list["codes"].get(code)
        if words is not None:
            return str(words[language])
    return None


def table_codes(table: str) -> tuple[str, ...]:
    """The codes of one closed list in ``outcomes.json``, such as ``remand_status``."""
    return tuple(_document("outcomes")["tables"][table])


def words(table: str, code: object, language: str) -> str | None:
    """The words for a code in a closed list; ``None`` when the code is absent or unknown."""
    entry = _document("outcomes")["tables"][table].get(str(code))
    return None if entry is None else str(entry[language])
