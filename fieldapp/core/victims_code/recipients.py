"""Who is being told: recipient roles, the enhanced rights that follow from them, their needs.

The rules live in ``recipient_roles.json`` beside this module: what each role is called (en, cy),
which enhanced-rights bases a role derives (a bereaved family's spokesperson: most serious crime;
a child victim or their parent or guardian: vulnerable, while the child is under 18 on the
offence date), what a role must record (a business: its name), and which channels and template
formats an accessible-format need allows.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

DATA_FILE = "recipient_roles.json"
_PACKAGE = __name__.rpartition(".")[0]


@dataclass(frozen=True)
class DerivedBasis:
    """An enhanced-rights basis that follows from the recipient's role and age, and why."""

    basis: str
    because: str

    def as_dict(self) -> dict[str, str]:
        """The stored and shown form: ``{"basis", "because"}``."""
        return {"basis": self.basis, "because": self.because}


@cache
def _document() -> Mapping[str, Any]:
    """The shipped rule data, read once."""
    text = resources.files(_PACKAGE).joinpath(DATA_FILE).read_text(encoding="utf-8")
    document: dict[str, Any] = json.loads(text)
    return document


def recipient_roles() -> tuple[str, ...]:
    """Every recipient role, in the data file's order."""
    return tuple(_document()["roles"])


def accessible_formats() -> tuple[str, ...]:
    """Every accessible-format need (large print, easy read, braille)."""
    return tuple(_document()["accessible_formats"])


def role_label(recipient_role: str, language: str) -> str:
    """What a role is called in a message, in English or Welsh."""
    labels: Mapping[str, str] = _document()["roles"][recipient_role]["label"]
    return labels.get(language, labels["en"])


def role_requires(recipient_role: str) -> tuple[str, ...]:
    """The recipient fields a role must have recorded (a business: its organisation name)."""
    return tuple(_document()["roles"][recipient_role].get("requires", ()))


def statement_item(recipient_role: str) -> str:
    """The statement the recipient is offered: a VPS, or a business's impact statement."""
    role = _document()["roles"][recipient_role]
    return str(role.get("statement", "personal_statement"))


def compensation_applies(recipient_role: str) -> bool:
    """Whether criminal injuries compensation information is for this role (not a business)."""
    return bool(_document()["roles"][recipient_role].get("compensation", True))


def age_on(date_of_birth: date, on: date) -> int:
    """Age in whole years on a date (born 29 February: a year older on 1 March)."""
    before_birthday = (on.month, on.day) < (date_of_birth.month, date_of_birth.day)
    return on.year - date_of_birth.year - int(before_birthday)


def derived_enhanced(
    recipient_role: str, date_of_birth: date | None, on: date
) -> tuple[DerivedBasis, ...]:
    """The enhanced-rights bases the role (and the victim's age on ``on``) gives, each with why."""
    found: list[DerivedBasis] = []
    for rule in _document()["roles"].get(recipient_role, {}).get("derives", ()):
        limit = rule.get("under_age")
        if limit is not None and (date_of_birth is None or age_on(date_of_birth, on) >= limit):
            continue
        because = str(rule["because"]).format(on=on.isoformat(), date_of_birth=date_of_birth)
        found.append(DerivedBasis(rule["basis"], because))
    return tuple(found)


def derived_enhanced_basis(
    recipient_role: str, date_of_birth: date | None, on: date
) -> tuple[str, ...]:
    """The enhanced-rights bases that follow from the role and age on ``on`` (the offence date)."""
    return tuple(d.basis for d in derived_enhanced(recipient_role, date_of_birth, on))


def format_channels(accessible_format: str | None) -> tuple[str, ...] | None:
    """The channels a format need allows (braille, large print: letters), or None for any."""
    if accessible_format is None:
        return None
    return tuple(_document()["accessible_formats"][accessible_format]["channels"])


def template_formats(accessible_format: str | None) -> tuple[str, ...]:
    """The template formats that serve a need, most preferred first."""
    if accessible_format is None:
        return tuple(_document()["standard_template_formats"])
    return tuple(_document()["accessible_formats"][accessible_format]["template_formats"])


def format_label(accessible_format: str, language: str = "en") -> str:
    """What a format need is called ("easy read", "large print", "braille")."""
    labels: Mapping[str, str] = _document()["accessible_formats"][accessible_format]["label"]
    return labels.get(language, labels["en"])


def timed_channels() -> tuple[str, ...]:
    """The channels safe contact times govern (a text or email reaches the phone at once)."""
    return tuple(_document()["safe_contact_times"]["channels"])


@cache
def _languages() -> Mapping[str, Any]:
    """The ISO 639-1 language list, read once."""
    text = resources.files(_PACKAGE).joinpath("languages.json").read_text(encoding="utf-8")
    document: dict[str, Any] = json.loads(text)
    return document


def interpreter_languages() -> tuple[str, ...]:
    """ISO 639-1 codes an interpreter may be recorded for (not English or Welsh)."""
    written = set(_languages()["written_languages"])
    return tuple(code for code in _languages()["languages"] if code not in written)


def language_name(code: str) -> str:
    """The English name of an ISO 639-1 language ("pl": "Polish")."""
    return str(_languages()["languages"].get(code, code))
