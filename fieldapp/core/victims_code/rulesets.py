"""Versioned Victims' Code rule sets: their shape, the shipped data file, and choosing one.

The rules live in ``rulesets.json`` beside this module, not in code, because the Code changes
(a new Code is in consultation) and every duty records the version it was computed under, to be
recomputed under that same version later (e.g. when the victim's enhanced rights change).

Document format 2::

    {"format": 2,
     "information_items": [...],          # information.py: what a victim must be told
     "rulesets": [{"version", "effective_from", "source", "default_update_interval_days",
                   "events": {...},       # event_rules.py: every event type's duties and flags
                   "revised_by"?: "<version>"}]}

Versions. A new *Code* gets a new rule set with a later ``effective_from``: events are judged by
the rule set in force on the London date they happened. A corrected *reading of the same Code*
gets a new version with the same ``effective_from`` and the old entry names it in
``revised_by``: a revised entry is never chosen for a new event, but stays so that duties that
recorded it can still be recomputed exactly as they were made. That is how the shipped data
holds the 2020 Code: ``2020-code.1`` (14 event types, the support-referral clock started by the
referral, no required information) is revised by ``2020-code.2`` (the whole Code as read for
issue 12: 27 event types, the referral clock from the report, witness-care clocks, required
information items). Both take effect on 1 April 2021, because the Code itself did not change: an
event that happened in, say, November 2026 but is recorded today is judged by the corrected
reading, not by the one the software happened to carry in November. In ``2020-code.1`` the event
types added later say ``no_duty``; its required items are those of ``2020-code.2`` for the same
duty, so that a message written today for an old open duty must carry what the Code asks.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from importlib import resources
from types import MappingProxyType

from fieldapp.core.victims_code.errors import (
    InvalidRuleSet,
    NoRuleSetApplies,
    UnknownEventType,
    UnknownRuleSetVersion,
)
from fieldapp.core.victims_code.event_rules import EVENT_TYPES, EventRule, parse_events
from fieldapp.core.victims_code.information import ItemCatalogue, parse_items
from fieldapp.core.victims_code.validation import json_object, only_keys, positive_int, text
from fieldapp.core.victims_code.working_days import local_date

__all__ = ["EVENT_TYPES", "RuleSet", "load_rulesets", "parse_rulesets", "ruleset_by_version",
           "ruleset_for"]  # fmt: skip

DATA_FILE = "rulesets.json"
DATA_FORMAT = 2

_PACKAGE = __name__.rpartition(".")[0]
_DOCUMENT_KEYS = frozenset({"format", "information_items", "rulesets"})
_RULESET_KEYS = frozenset(
    {"version", "effective_from", "source", "default_update_interval_days", "events"}
)


@dataclass(frozen=True)
class RuleSet:
    """One version of the rules, in force from ``effective_from`` until a later one starts."""

    version: str
    effective_from: date
    source: str
    default_update_interval_days: int
    events: Mapping[str, EventRule]
    items: ItemCatalogue
    revised_by: str | None = None

    def rule_for(self, event_type: str) -> EventRule:
        """What an event type means under this rule set; unknown types are refused."""
        try:
            return self.events[event_type]
        except KeyError:
            raise UnknownEventType(event_type) from None


def _parse_ruleset(value: object, where: str, items: ItemCatalogue) -> RuleSet:
    """One rule set from its JSON object."""
    entry = json_object(value, where)
    only_keys(entry, _RULESET_KEYS | {"revised_by"}, where, required=_RULESET_KEYS)
    version = text(entry, "version", where)
    where = f"rule set {version!r}"
    try:
        effective_from = date.fromisoformat(text(entry, "effective_from", where))
    except ValueError as exc:
        raise InvalidRuleSet(f"{where}: 'effective_from' must be a YYYY-MM-DD date.") from exc
    events = parse_events(entry["events"], f"{where}.events", items=items.items.keys())
    return RuleSet(
        version=version,
        effective_from=effective_from,
        source=text(entry, "source", where),
        default_update_interval_days=positive_int(entry, "default_update_interval_days", where),
        events=MappingProxyType(events),
        items=items,
        revised_by=text(entry, "revised_by", where) if "revised_by" in entry else None,
    )


def _check_versions(rulesets: Sequence[RuleSet]) -> None:
    """Versions unique; a revision names a current entry of the same date; one current per date."""
    by_version = {ruleset.version: ruleset for ruleset in rulesets}
    if len(by_version) != len(rulesets):
        raise InvalidRuleSet("Two rule sets share the same version.")
    for ruleset in rulesets:
        if ruleset.revised_by is None:
            continue
        revision = by_version.get(ruleset.revised_by)
        if revision is None or revision.revised_by is not None:
            raise InvalidRuleSet(
                f"rule set {ruleset.version!r}: revised_by must name a current rule set, "
                f"got {ruleset.revised_by!r}."
            )
        if revision.effective_from != ruleset.effective_from:
            raise InvalidRuleSet(
                f"rule set {ruleset.version!r}: its revision must take effect on the same date."
            )
    dates = [ruleset.effective_from for ruleset in rulesets if ruleset.revised_by is None]
    if len(set(dates)) != len(dates):
        raise InvalidRuleSet("Two current rule sets share the same effective_from.")


def parse_rulesets(document: object) -> tuple[RuleSet, ...]:
    """Validate a decoded rule-set document and return its rule sets, oldest first."""
    root = json_object(document, "The rule-set document")
    if root.get("format") != DATA_FORMAT:
        raise InvalidRuleSet(f"The rule-set document must have format {DATA_FORMAT}.")
    only_keys(root, _DOCUMENT_KEYS, "The rule-set document", required=_DOCUMENT_KEYS)
    items = parse_items(root["information_items"])
    entries = root["rulesets"]
    if not isinstance(entries, list) or not entries:
        raise InvalidRuleSet("The rule-set document must list at least one rule set.")
    rulesets = [
        _parse_ruleset(entry, f"rulesets[{index}]", items) for index, entry in enumerate(entries)
    ]
    _check_versions(rulesets)
    return tuple(sorted(rulesets, key=lambda ruleset: ruleset.effective_from))


@cache
def load_rulesets() -> tuple[RuleSet, ...]:
    """The rule sets shipped with the package, read once from ``rulesets.json``."""
    text_ = resources.files(_PACKAGE).joinpath(DATA_FILE).read_text(encoding="utf-8")
    return parse_rulesets(json.loads(text_))


def ruleset_for(moment: datetime, rulesets: Sequence[RuleSet] | None = None) -> RuleSet:
    """The latest current (not revised) rule set in force on the London date of ``moment``."""
    day = local_date(moment)
    known = [r for r in (load_rulesets() if rulesets is None else rulesets) if r.revised_by is None]
    in_force = [ruleset for ruleset in known if ruleset.effective_from <= day]
    if not in_force:
        earliest = min((ruleset.effective_from for ruleset in known), default=None)
        raise NoRuleSetApplies(
            f"No Victims' Code rule set was in force on {day}; the earliest takes effect on "
            f"{earliest}."
        )
    latest = max(in_force, key=lambda ruleset: ruleset.effective_from)
    if sum(ruleset.effective_from == latest.effective_from for ruleset in in_force) > 1:
        raise InvalidRuleSet(f"Two rule sets take effect on {latest.effective_from}.")
    return latest


def ruleset_by_version(version: str, rulesets: Sequence[RuleSet] | None = None) -> RuleSet:
    """The rule set with a given version, e.g. the one an open duty was computed under."""
    known = load_rulesets() if rulesets is None else rulesets
    for ruleset in known:
        if ruleset.version == version:
            return ruleset
    raise UnknownRuleSetVersion(version)
