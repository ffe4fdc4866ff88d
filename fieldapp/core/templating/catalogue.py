"""The merge-field catalogue: every field a template may use, from ``merge_fields.json``.

A field is named ``root.leaf`` (``victim.first_name``); its type is ``string`` or ``list``, and
its ``sms`` policy says whether it may go in a text message (allowed, caution or forbidden).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any

from fieldapp.core.templating.context import PACKAGE, build_context, sample_merge_data

FIELD_TYPES = ("string", "list")
SMS_POLICIES = ("allowed", "caution", "forbidden")


@dataclass(frozen=True)
class MergeField:
    """One documented merge field, with its value in the sample data as an example."""

    name: str
    type: str
    sms: str
    description: str
    example: str | tuple[str, ...] | None = None

    @property
    def root(self) -> str:
        """The context key the field lives under, such as ``victim``."""
        return self.name.split(".", 1)[0]


@dataclass(frozen=True)
class Catalogue:
    """The merge fields by name, and the version of the catalogue they come from."""

    version: str
    fields: Mapping[str, MergeField]

    @property
    def roots(self) -> frozenset[str]:
        """The top-level names a template may start a field with."""
        return frozenset(spec.root for spec in self.fields.values())

    def __contains__(self, name: object) -> bool:
        """Whether ``name`` is a documented field."""
        return name in self.fields


def parse_catalogue(
    document: Mapping[str, Any], examples: Mapping[str, Any] | None = None
) -> Catalogue:
    """A catalogue from the decoded JSON document; ``ValueError`` if a field is malformed."""
    fields: dict[str, MergeField] = {}
    for raw in document["fields"]:
        name, kind, sms = str(raw["name"]), str(raw["type"]), str(raw["sms"])
        parts = name.split(".")
        if len(parts) != 2 or not all(part.isidentifier() for part in parts):
            raise ValueError(f"merge field {name!r} must be root.leaf")
        if any(part.startswith("_") for part in parts):
            raise ValueError(f"merge field {name!r} must not start with an underscore")
        if kind not in FIELD_TYPES or sms not in SMS_POLICIES:
            raise ValueError(f"merge field {name!r} has an unknown type or sms policy")
        if name in fields:
            raise ValueError(f"merge field {name!r} appears twice")
        fields[name] = MergeField(
            name, kind, sms, str(raw["description"]), _example((examples or {}).get(name))
        )
    return Catalogue(version=str(document["version"]), fields=MappingProxyType(fields))


def _example(value: Any) -> str | tuple[str, ...] | None:
    """A sample value in an immutable form."""
    if isinstance(value, list):
        return tuple(str(item) for item in value)
    return None if value is None else str(value)


def flatten_context(context: Mapping[str, Any]) -> dict[str, Any]:
    """A context's values by dotted field name (``{"victim.first_name": "Sam", ...}``)."""
    flat: dict[str, Any] = {}
    for root, part in context.items():
        if isinstance(part, Mapping):
            flat.update({f"{root}.{leaf}": value for leaf, value in part.items()})
    return flat


@cache
def load_catalogue() -> Catalogue:
    """The shipped catalogue, with examples from the English sample data (read once)."""
    text = resources.files(PACKAGE).joinpath("merge_fields.json").read_text(encoding="utf-8")
    examples = flatten_context(build_context(sample_merge_data(), language="en"))
    return parse_catalogue(json.loads(text), examples)
