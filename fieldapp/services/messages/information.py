"""Whether a message tells the victim what its duty requires, checked at write time.

The duty's required items come from the rule data; the rendered text carries an item when the
template used its merge fields and their values appear in the text (or its fixed wording does).
What the text lacks must already be covered (by earlier messages or contacts) or be given
another way (the officer says so, with a note); otherwise the write is refused naming the
missing items, unless the template is a follow-up text (marked so, or contentless): then the
message is written as a prompt that does not meet the duty on its own. A periodic update must
carry the officer's note of what happened (``check_note``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldapp.core import victims_code
from fieldapp.errors import ValidationFailed
from fieldapp.models import ContactDuty, MessageTemplate, Victim
from fieldapp.services import audit, duties, evidence
from fieldapp.services.audit import AuditContext
from fieldapp.services.templates.published import VersionText


class MissingInformation(ValidationFailed):
    """The text lacks information the Code requires for the duty."""

    code, title = "missing_information", "Required information missing"


@dataclass(frozen=True)
class Required:
    """What a duty requires, as the rules describe it, and what the officer gave another way."""

    duty: ContactDuty
    items: tuple[victims_code.InformationItem, ...]
    given_another_way: tuple[str, ...]

    def label(self, item_id: str, language: str = "en") -> str:
        """An item's label for the officer (its id if the rules have none)."""
        found = next((item for item in self.items if item.id == item_id), None)
        return found.label(language) if found is not None else item_id


@dataclass(frozen=True)
class Information:
    """What one message carries of its duty's required items, and what it lacks."""

    carried: tuple[str, ...]
    missing: tuple[str, ...]


NONE = Information(carried=(), missing=())


def is_follow_up(session: Session, key: str) -> bool:
    """Whether a template is a follow-up text: marked so, or contentless by nature."""
    row = session.execute(
        select(MessageTemplate.follow_up, MessageTemplate.contentless).where(
            MessageTemplate.key == key
        )
    ).first()
    return row is not None and bool(row.follow_up or row.contentless)


def given_another_way_columns(required: Required | None, data: Mapping[str, Any]) -> dict[str, Any]:
    """The items the officer said were given another way, with their note, for the message."""
    if required is None or not required.given_another_way:
        return {"given_another_way": None, "given_another_way_note": None}
    return {
        "given_another_way": list(required.given_another_way),
        "given_another_way_note": data["given_another_way_note"].strip(),
    }


def required_for(
    duty: ContactDuty | None,
    *,
    event_type: str | None,
    recipient_role: str,
    given_another_way: Sequence[str],
) -> Required | None:
    """The duty's required items (None if it requires none); a 422 for unknown items given."""
    if duty is None or not evidence.required_of(duty):
        if given_another_way:
            raise ValidationFailed(
                errors={"given_another_way": ["This message's duty requires no information."]}
            )
        return None
    _known, unknown = evidence.known_items(duty, given_another_way)
    if unknown:
        raise ValidationFailed(
            errors={"given_another_way": ["Not required by this duty: " + ", ".join(unknown)]}
        )
    wanted = set(evidence.required_of(duty))
    try:
        rules = victims_code.required_items(
            duty.ruleset_version, event_type, duty.kind, recipient_role
        )
    except victims_code.VictimsCodeError:
        rules = ()
    items = tuple(item for item in rules if item.id in wanted)
    return Required(duty, items, tuple(dict.fromkeys(given_another_way)))


def nothing_to_tell(required: Required | None, context: Mapping[str, Any]) -> tuple[str, ...]:
    """Required items with nothing to tell in this case (no protective conditions, no review)."""
    if required is None:
        return ()
    coverage = victims_code.check_information(
        items=required.items, context=context, used_fields=frozenset(), text="", language="en"
    )
    return coverage.not_applicable


def check_message(
    required: Required | None,
    *,
    text: VersionText,
    context: Mapping[str, Any],
    rendered: str,
    follow_up: bool,
) -> Information:
    """What the rendered text carries; a 422 naming what is missing unless it is a follow-up."""
    if required is None:
        return NONE
    language = text.wording.language
    coverage = victims_code.check_information(
        items=required.items,
        context=context,
        used_fields=text.fields,
        text=rendered,
        language=language,
    )
    # An item with nothing to tell (no conditions to protect the victim) needs no telling.
    carried = (*coverage.carried, *coverage.not_applicable)
    done = {*carried, *evidence.covered_of(required.duty), *required.given_another_way}
    missing = tuple(item for item in evidence.required_of(required.duty) if item not in done)
    if missing and not follow_up:
        raise MissingInformation(
            "The message does not tell the person everything this duty requires: "
            + "; ".join(required.label(item) for item in missing)
            + ". Add it to the message, record that it was given another way, or use a "
            "follow-up template.",
            errors={"duty_id": [required.label(item) for item in missing]},
            extra={"missing_items": list(missing)},
        )
    return Information(carried=tuple(dict.fromkeys(carried)), missing=missing)


def check_note(
    duty: ContactDuty | None, chosen: Sequence[VersionText], values: Mapping[str, str]
) -> None:
    """A periodic update must say what happened: a template with the note, and the note (422)."""
    for text in chosen:
        problems = duties.periodic_note_problem(
            duty_kind=duty.kind if duty is not None else None,
            template_fields=text.fields,
            note=values.get("note"),
            channel=text.wording.channel,
            language=text.wording.language,
        )
        if problems:
            raise ValidationFailed(problems[0], errors={"values.note": problems})


def audit_write(
    session: Session,
    context: AuditContext,
    victim: Victim,
    required: Required | None,
) -> None:
    """Record the combination of the person's data into a message, and what was given otherwise."""
    given = required.given_another_way if required is not None else ()
    audit.record(
        session,
        context,
        operation=audit.COMBINATION,
        resource_type="victim",
        resource_ids=[str(victim.id)],
        field_groups=["message", *(["given_another_way"] if given else [])],
        reason=("given_another_way: " + ", ".join(given))[:200] if given else None,
    )
