"""The errors the Victims' Code rules raise, so that callers can tell them apart."""

from __future__ import annotations


class VictimsCodeError(Exception):
    """Base class for every error raised by the Victims' Code rules."""


class UnknownEventType(VictimsCodeError, ValueError):
    """An investigation event type that the rules do not know."""

    def __init__(self, event_type: str) -> None:
        super().__init__(f"Unknown investigation event type: {event_type!r}.")
        self.event_type = event_type


class NoRuleSetApplies(VictimsCodeError, LookupError):
    """No rule set was in force on the date of the event."""


class UnknownRuleSetVersion(VictimsCodeError, LookupError):
    """A rule set version that is not among the known rule sets."""

    def __init__(self, version: str) -> None:
        super().__init__(f"Unknown Victims' Code rule set version: {version!r}.")
        self.version = version


class InvalidRuleSet(VictimsCodeError, ValueError):
    """Rule set data that is malformed, incomplete or ambiguous."""


class UnknownDutyKind(VictimsCodeError, LookupError):
    """A duty kind that an event type does not create under a rule set version."""

    def __init__(self, version: str, event_type: str, kind: str) -> None:
        super().__init__(
            f"Under rule set {version!r}, {event_type!r} events create no {kind!r} duty."
        )
        self.version, self.event_type, self.kind = version, event_type, kind


class InvalidEventDetails(VictimsCodeError, ValueError):
    """An event's details lack, or garble, a value that a duty's clock counts from."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"details.{field} {problem}")
        self.field = field
