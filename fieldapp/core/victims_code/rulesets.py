"""Versioned Victims' Code rule sets: their shape, the shipped data file, and choosing one.

The rules live in ``rulesets.json`` beside this module, not in code, because the Code changes
(a new Code is in consultation) and every duty must record the version it was computed under.
Each rule set maps every investigation event type either to the duty it creates or, explicitly,
to ``{"no_duty": "<reason>"}``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import TypeVar

from fieldapp.core.victims_code.errors import (
    InvalidRuleSet,
    NoRuleSetApplies,
    UnknownEventType,
    UnknownRuleSetVersion,
)
from fieldapp.core.victims_code.working_days import local_date

# The investigation event types of the API (api-outline.md); every rule set must cover each one.
EVENT_TYPES: tuple[str, ...] = (
    "crime_recorded",
    "support_referral",
    "not_investigated",
    "arrested",
    "interviewed",
    "bailed",
    "bail_varied",
    "released_under_investigation",
    "no_further_action",
    "out_of_court_resolution",
    "charged",
    "case_closed",
    "vrr_requested",
    "complaint_received",
)

DATA_FILE = "rulesets.json"
DATA_FORMAT = 1

_PACKAGE = __name__.rpartition(".")[0]
_KIND = re.compile(r"[a-z][a-z_]*")
_RULE_KEYS = frozenset({"kind", "title", "working_days", "basis"})
_T = TypeVar("_T")


@dataclass(frozen=True)
class DutyRule:
    """The contact duty one event type creates, and how many working days it allows."""

    kind: str
    title: str
    standard_working_days: int
    enhanced_working_days: int
    basis: str

    def working_days(self, *, enhanced_rights: bool) -> int:
        """The working days allowed for a victim with or without enhanced rights."""
        return self.enhanced_working_days if enhanced_rights else self.standard_working_days


@dataclass(frozen=True)
class RuleSet:
    """One version of the rules, in force from ``effective_from`` until a later one starts."""

    version: str
    effective_from: date
    source: str
    default_update_interval_days: int
    duties: Mapping[str, DutyRule]
    no_duty: Mapping[str, str]

    def rule_for(self, event_type: str) -> DutyRule | None:
        """The duty rule for an event type, or None when this rule set says it creates none."""
        if event_type in self.duties:
            return self.duties[event_type]
        if event_type in self.no_duty:
            return None
        raise UnknownEventType(event_type)


def _field(obj: Mapping[str, object], key: str, kind: type[_T], where: str) -> _T:
    """One required field of a JSON object, of the expected JSON type."""
    value = obj.get(key)
    # bool is an int in Python; a count of days is never true or false.
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise InvalidRuleSet(f"{where}: {key!r} must be of type {kind.__name__}, got {value!r}.")
    return value


def _positive_int(obj: Mapping[str, object], key: str, where: str) -> int:
    """A required whole number of days, at least one."""
    value = _field(obj, key, int, where)
    if value < 1:
        raise InvalidRuleSet(f"{where}: {key!r} must be at least 1, got {value}.")
    return value


def _object(value: object, where: str) -> Mapping[str, object]:
    """A JSON object, or a clear error saying where one was expected."""
    if not isinstance(value, dict):
        raise InvalidRuleSet(f"{where} must be a JSON object.")
    return value


def _parse_duty_rule(value: Mapping[str, object], where: str) -> DutyRule:
    """A trigger's duty: kind, worklist title, working days and the basis in the Code."""
    if unexpected := set(value) - _RULE_KEYS:
        raise InvalidRuleSet(f"{where}: unexpected keys {sorted(unexpected)}.")
    kind = _field(value, "kind", str, where)
    if not _KIND.fullmatch(kind):
        raise InvalidRuleSet(f"{where}: kind {kind!r} must be lower_snake_case.")
    days = _object(value.get("working_days"), f"{where}.working_days")
    return DutyRule(
        kind=kind,
        title=_field(value, "title", str, where),
        standard_working_days=_positive_int(days, "standard", f"{where}.working_days"),
        enhanced_working_days=_positive_int(days, "enhanced", f"{where}.working_days"),
        basis=_field(value, "basis", str, where),
    )


def _parse_triggers(value: object, where: str) -> tuple[dict[str, DutyRule], dict[str, str]]:
    """Every event type mapped to its duty, or to the reason it creates none."""
    triggers = _object(value, where)
    if missing := [name for name in EVENT_TYPES if name not in triggers]:
        raise InvalidRuleSet(f"{where}: no rule for event types {missing}.")
    if unknown := sorted(set(triggers) - set(EVENT_TYPES)):
        raise InvalidRuleSet(f"{where}: unknown event types {unknown}.")
    duties: dict[str, DutyRule] = {}
    no_duty: dict[str, str] = {}
    for event_type in EVENT_TYPES:
        rule = _object(triggers[event_type], f"{where}.{event_type}")
        if "no_duty" in rule:
            if len(rule) != 1:
                raise InvalidRuleSet(f"{where}.{event_type}: 'no_duty' must stand alone.")
            no_duty[event_type] = _field(rule, "no_duty", str, f"{where}.{event_type}")
        else:
            duties[event_type] = _parse_duty_rule(rule, f"{where}.{event_type}")
    return duties, no_duty


def _parse_ruleset(value: object, where: str) -> RuleSet:
    """One rule set from its JSON object."""
    entry = _object(value, where)
    version = _field(entry, "version", str, where)
    where = f"rule set {version!r}"
    try:
        effective_from = date.fromisoformat(_field(entry, "effective_from", str, where))
    except ValueError as exc:
        raise InvalidRuleSet(f"{where}: 'effective_from' must be a YYYY-MM-DD date.") from exc
    duties, no_duty = _parse_triggers(entry.get("triggers"), f"{where}.triggers")
    return RuleSet(
        version=version,
        effective_from=effective_from,
        source=_field(entry, "source", str, where),
        default_update_interval_days=_positive_int(entry, "default_update_interval_days", where),
        duties=MappingProxyType(duties),
        no_duty=MappingProxyType(no_duty),
    )


def parse_rulesets(document: object) -> tuple[RuleSet, ...]:
    """Validate a decoded rule-set document and return its rule sets, oldest first."""
    root = _object(document, "The rule-set document")
    if root.get("format") != DATA_FORMAT:
        raise InvalidRuleSet(f"The rule-set document must have format {DATA_FORMAT}.")
    entries = root.get("rulesets")
    if not isinstance(entries, list) or not entries:
        raise InvalidRuleSet("The rule-set document must list at least one rule set.")
    rulesets = [_parse_ruleset(entry, f"rulesets[{index}]") for index, entry in enumerate(entries)]
    for attribute in ("version", "effective_from"):
        values = [getattr(ruleset, attribute) for ruleset in rulesets]
        if len(set(values)) != len(values):
            raise InvalidRuleSet(f"Two rule sets share the same {attribute}.")
    return tuple(sorted(rulesets, key=lambda ruleset: ruleset.effective_from))


@cache
def load_rulesets() -> tuple[RuleSet, ...]:
    """The rule sets shipped with the package, read once from ``rulesets.json``."""
    text = resources.files(_PACKAGE).joinpath(DATA_FILE).read_text(encoding="utf-8")
    return parse_rulesets(json.loads(text))


def ruleset_for(moment: datetime, rulesets: Sequence[RuleSet] | None = None) -> RuleSet:
    """The latest rule set in force on the London date of ``moment``."""
    day = local_date(moment)
    known = load_rulesets() if rulesets is None else rulesets
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
