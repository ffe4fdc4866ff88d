"""The merge-field picker: catalogue fields grouped by what they belong to, in a useful order."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from fieldapp.core.templating.catalogue import MergeField

# Who or what each root describes, in the order an author reaches for them.
GROUP_TITLES: dict[str, str] = {
    "victim": "The person being told",
    "case": "The case",
    "officer": "The officer in charge",
    "event": "What happened (the event the message is about)",
    "next_update": "The next update",
    "input": "Written by the officer when sending",
    "force": "The force",
}


@dataclass(frozen=True)
class FieldGroup:
    """The fields under one root, such as every ``victim.*`` field."""

    root: str
    title: str
    fields: tuple[MergeField, ...]


def group_fields(fields: Iterable[MergeField]) -> list[FieldGroup]:
    """Fields grouped by root: known roots in ``GROUP_TITLES`` order, then any others by name."""
    by_root: dict[str, list[MergeField]] = {}
    for field in fields:
        by_root.setdefault(field.root, []).append(field)
    order = [root for root in GROUP_TITLES if root in by_root]
    order += sorted(root for root in by_root if root not in GROUP_TITLES)
    return [
        FieldGroup(
            root, GROUP_TITLES.get(root, root.replace("_", " ").capitalize()), tuple(by_root[root])
        )
        for root in order
    ]
