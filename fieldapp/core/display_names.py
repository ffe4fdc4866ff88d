"""What a stored code is called where people read it: 'no_further_action' is "No further action".

One place for the console's labels and the connector's drop-downs. Codes with a name in the
Victims' Code rule data (recipient roles, accessible formats, languages) take it from there;
days are named in full; anything else reads as its words, with the acronyms people know.
"""

from __future__ import annotations

import calendar
import re

from fieldapp.core.victims_code import recipients
from fieldapp.core.victims_code.contact_times import DAYS

#: Fields whose codes are ISO 639-1 languages (or the victim's "bilingual" preference).
LANGUAGE_FIELDS = frozenset({"language", "interpreter_language", "languages"})
BILINGUAL = "bilingual"
ACRONYMS = {"sms": "SMS", "vrr": "VRR", "vps": "VPS", "oic": "OIC", "id": "ID", "pdf": "PDF"}
DAY_NAMES = dict(zip(DAYS, calendar.day_name, strict=True))


def sentence_case(text: str) -> str:
    """The text with its first letter capitalised and the rest as given."""
    return text[:1].upper() + text[1:]


def words(code: str) -> str:
    """A code as words: 'released_under_investigation' -> 'Released under investigation'."""
    parts = [part for part in re.split(r"[_.\-\s]+", code) if part]
    spoken = [ACRONYMS.get(part.lower(), part.lower()) for part in parts]
    return sentence_case(" ".join(spoken))


def display_name(code: str, *, field: str | None = None) -> str:
    """What a code of a field is called: the rule data's name for it, or its words."""
    if field in LANGUAGE_FIELDS:
        if code == BILINGUAL:
            names = (recipients.language_name(c) for c in ("cy", "en"))
            return " and ".join(names)
        return recipients.language_name(code)
    if code in recipients.recipient_roles():
        return sentence_case(recipients.role_label(code, "en"))
    if code in recipients.accessible_formats():
        return sentence_case(recipients.format_label(code))
    if code in DAY_NAMES:
        return DAY_NAMES[code]
    return words(code)
