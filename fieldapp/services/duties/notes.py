"""The officer's note a periodic update must carry: what actually happened since the last one.

A periodic update that only says "nothing to report" tells the victim nothing, so the message
written for a periodic duty must come from a template that merges ``input.note`` and the note
must be given. The note is officer's free text going to a victim, so it is held to the same
lint rules as a template's wording.
"""

from __future__ import annotations

from fieldapp.core.templating.lint import lint
from fieldapp.services.duties.lifecycle import PERIODIC_KIND

NOTE_FIELD = "input.note"
# Of the lint findings on the note alone, the warnings that still block: jargon a victim cannot
# follow and links they cannot trust. Reading ease and plain-English swaps stay advice.
BLOCKING_WARNINGS = frozenset({"unexplained_jargon", "insecure_link", "link_shortener"})
# Findings about a whole message that make no sense for a note on its own.
NOT_FOR_A_NOTE = frozenset(
    {"empty_body", "missing_subject", "missing_crime_reference", "missing_officer_contact"}
)


def periodic_note_problem(
    *,
    duty_kind: str | None,
    template_fields: frozenset[str],
    note: str | None,
    channel: str,
    language: str,
) -> list[str]:
    """What is wrong with a periodic update's note (for ``values.note``); empty when fine.

    Applies only to a message written for a periodic_update duty.
    """
    if duty_kind != PERIODIC_KIND:
        return []
    if NOTE_FIELD not in template_fields:
        return [
            "A periodic update must say what has happened: use a template with the officer's "
            "note ({{ input.note }})."
        ]
    text = (note or "").strip()
    if not text:
        return ["Say what has happened since the last update."]
    report = lint(
        channel=channel,
        language=language,
        subject=None,
        body=text,
        fields=frozenset(),
        sms_policy={},
    )
    issues = [
        *report.errors,
        *(issue for issue in report.warnings if issue.code in BLOCKING_WARNINGS),
    ]
    return [issue.message for issue in issues if issue.code not in NOT_FOR_A_NOTE]
