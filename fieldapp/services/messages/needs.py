"""The recipient's needs decide whether a written message can reach them at all.

Large print and braille can only be given on paper: a text or an email to someone who needs them
is refused with the advice to write a letter (the letters helper prints large print). Someone
who needs an interpreter cannot be told in writing in a language they do not read: the officer
records a contact made with an interpreter instead. Easy read is a template choice, made in
``variants``. The rules (which channels a format allows) are data in ``recipient_roles.json``.
"""

from __future__ import annotations

from collections.abc import Iterable

from fieldapp.core.victims_code import recipients
from fieldapp.errors import Conflict
from fieldapp.models import Victim

LANGUAGE_NAMES = {"en": "English", "cy": "Welsh"}


class NeedsAccessibleFormat(Conflict):
    """The channel cannot carry the accessible format the recipient needs."""

    code, title = "needs_accessible_format", "Needs an accessible format"


class NeedsInterpreter(Conflict):
    """The recipient needs an interpreter: a written message in English or Welsh will not do."""

    code, title = "needs_interpreter", "Needs an interpreter"


def require_fits_needs(victim: Victim, *, channel: str, languages: Iterable[str]) -> None:
    """Refuse (409) a written message on a channel or in a language the person cannot use."""
    allowed = recipients.format_channels(victim.accessible_format)
    if allowed is not None and channel not in allowed:
        label = recipients.format_label(str(victim.accessible_format))
        raise NeedsAccessibleFormat(
            f"This person needs {label}, which only a letter can give: write them a letter "
            f"rather than a '{channel}' message.",
            errors={"template_key": [f"Choose a letter template ({label})."]},
        )
    interpreter = victim.interpreter_language
    other = [lang for lang in languages if lang != interpreter]
    if interpreter and other:
        name = recipients.language_name(interpreter)
        raise NeedsInterpreter(
            f"This person needs a {name} interpreter: a message in "
            f"{' and '.join(LANGUAGE_NAMES.get(lang, lang) for lang in other)} would not be "
            f"understood. Record a contact made with a {name} interpreter instead.",
            errors={"victim_id": [f"Contact them through a {name} interpreter."]},
        )


def change_reason(victim: Victim, *, channel: str, language: str) -> str | None:
    """Why a message written earlier no longer fits the person's needs, or None if it does."""
    if victim.opted_out:
        return "this person asked for no more updates"
    allowed = recipients.format_channels(victim.accessible_format)
    if allowed is not None and channel not in allowed:
        return f"this person now needs {recipients.format_label(str(victim.accessible_format))}"
    interpreter = victim.interpreter_language
    if interpreter and interpreter != language:
        return f"this person now needs a {recipients.language_name(interpreter)} interpreter"
    return None
