"""The Victims' Code rules, pure: versioned rule sets, working days, duties and what they require.

Nothing here imports Flask, SQLAlchemy or the rest of fieldapp; it takes and returns plain data.
The rules themselves are data in ``rulesets.json`` (see ``rulesets.py`` for the format and how
versions work).
"""

from __future__ import annotations

from fieldapp.core.victims_code.clocks import Clock
from fieldapp.core.victims_code.duties import (
    DutySpec,
    compute_duty,
    duties_for_event,
    duties_under,
    duty_under,
    ends_periodic_updates,
    information_from,
    next_periodic_update,
    recompute_duties,
    recompute_duty,
    required_items,
    satisfies,
    superseded_by,
)
from fieldapp.core.victims_code.errors import (
    InvalidEventDetails,
    InvalidRuleSet,
    NoRuleSetApplies,
    UnknownDutyKind,
    UnknownEventType,
    UnknownRuleSetVersion,
    VictimsCodeError,
)
from fieldapp.core.victims_code.event_rules import EVENT_TYPES, DutyRule, EventRule
from fieldapp.core.victims_code.information import (
    Coverage,
    InformationItem,
    ItemCatalogue,
    check_information,
)
from fieldapp.core.victims_code.recipients import (
    DerivedBasis,
    derived_enhanced,
    derived_enhanced_basis,
)
from fieldapp.core.victims_code.rulesets import (
    RuleSet,
    load_rulesets,
    parse_rulesets,
    ruleset_by_version,
    ruleset_for,
)
from fieldapp.core.victims_code.working_days import (
    LONDON,
    add_working_days,
    is_working_day,
)

__all__ = [
    "EVENT_TYPES",
    "LONDON",
    "Clock",
    "Coverage",
    "DutyRule",
    "DutySpec",
    "EventRule",
    "InformationItem",
    "InvalidEventDetails",
    "InvalidRuleSet",
    "ItemCatalogue",
    "NoRuleSetApplies",
    "RuleSet",
    "UnknownDutyKind",
    "UnknownEventType",
    "UnknownRuleSetVersion",
    "VictimsCodeError",
    "add_working_days",
    "check_information",
    "compute_duty",
    "duties_for_event",
    "duties_under",
    "duty_under",
    "ends_periodic_updates",
    "information_from",
    "is_working_day",
    "load_rulesets",
    "next_periodic_update",
    "parse_rulesets",
    "recompute_duties",
    "recompute_duty",
    "required_items",
    "ruleset_by_version",
    "ruleset_for",
    "satisfies",
    "superseded_by",
]

# Who is being told: recipient roles and the enhanced rights they derive (recipients.py).
__all__ += ["DerivedBasis", "derived_enhanced", "derived_enhanced_basis"]
