"""The Victims' Code rules, pure: versioned rule sets, working days and contact-duty deadlines.

Nothing here imports Flask, SQLAlchemy or the rest of fieldapp; it takes and returns plain data.
"""

from __future__ import annotations

from fieldapp.core.victims_code.duties import (
    DutySpec,
    compute_duty,
    duty_under,
    next_periodic_update,
    recompute_duty,
)
from fieldapp.core.victims_code.errors import (
    InvalidRuleSet,
    NoRuleSetApplies,
    UnknownEventType,
    UnknownRuleSetVersion,
    VictimsCodeError,
)
from fieldapp.core.victims_code.recipients import (
    DerivedBasis,
    derived_enhanced,
    derived_enhanced_basis,
)
from fieldapp.core.victims_code.rulesets import (
    EVENT_TYPES,
    DutyRule,
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
    "DutyRule",
    "DutySpec",
    "InvalidRuleSet",
    "NoRuleSetApplies",
    "RuleSet",
    "UnknownEventType",
    "UnknownRuleSetVersion",
    "VictimsCodeError",
    "add_working_days",
    "compute_duty",
    "duty_under",
    "is_working_day",
    "load_rulesets",
    "next_periodic_update",
    "parse_rulesets",
    "recompute_duty",
    "ruleset_by_version",
    "ruleset_for",
]

# Who is being told: recipient roles and the enhanced rights they derive (recipients.py).
__all__ += ["DerivedBasis", "derived_enhanced", "derived_enhanced_basis"]
