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
