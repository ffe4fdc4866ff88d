"""What the fields every resource shares mean, said once for the OpenAPI document and connector.

``ApiSchema`` gives a field without its own ``metadata={"description": ...}`` the text here:
first under ``"<SchemaClass>.<field>"`` (any class in the schema's inheritance, for a name whose
meaning depends on the resource, such as ``status``), then under the bare field name (for a name
that means the same everywhere, such as ``case_id``). A description written on the field wins.
"""

from __future__ import annotations

from collections.abc import Iterable

_MESSAGE_STATUS = (
    "Where the message is: drafted (written, not sent), queued (handed to GOV.UK Notify), "
    "sent, delivered, failed, or void (withdrawn)."
)
_CHANNEL = "How the message reaches the person: sms (text), email or letter."
_OUTCOME = "The outcome given: an out-of-court resolution, or a youth out-of-court outcome."
_RESULT = "The result of the review, the hearing or the appeal the event is about."
_TEMPLATE_LANGUAGE = "The language the wording is in: en (English) or cy (Welsh)."

FIELD_DESCRIPTIONS: dict[str, str] = {
    # Shared meaning, by field name.
    "case_id": "The ID of the case it belongs to.",
    "victim_id": "The ID of the victim (or other recipient) it concerns.",
    "duty_id": "The ID of the contact duty it concerns.",
    "message_id": "The ID of the message it concerns.",
    "team_id": "The ID of the team.",
    "created_at": "When the record was created.",
    "updated_at": "When the record was last changed.",
    "created_by_id": "The ID of the user who created it.",
    "recorded_by_id": "The ID of the user who recorded it.",
    "crime_reference": "The force's crime reference number for the case.",
    "ruleset_version": "The Victims' Code ruleset the deadlines were worked out under.",
    "first_name": "The person's first name.",
    "last_name": "The person's last name (family name).",
    "offence": "The offence being investigated, in words.",
    "recipient_role": (
        "Who the person is to the case: the victim, a parent or guardian, a bereaved family's "
        "spokesperson, a business's named contact, a representative or an intermediary."
    ),
    "preferred_channel": "How the person prefers to be updated: sms, email or letter.",
    "safe_channels": "The channels it is safe to contact the person on.",
    "contentless": (
        "Whether messages must say nothing about the case (only ask the person to get in "
        "touch), because someone else may read them."
    ),
    "enhanced_rights": "Whether the person has enhanced rights under the Victims' Code.",
    "enhanced_basis": "Why the person has enhanced rights (the Code's categories).",
    "update_frequency_days": "How often, in days, the person asked to be updated.",
    "date_of_birth": "The person's date of birth (YYYY-MM-DD); sets enhanced rights for a child.",
    "organisation_name": "The business's name, for a business's named contact.",
    "accessible_format": (
        "A format the person needs: easy read, large print or braille (the last two by letter)."
    ),
    "needs": "Other needs to bear in mind when contacting the person, in words.",
    "opted_out_at": "When the person asked for no more updates.",
    "opted_out_how": "How the person asked for no more updates.",
    "opted_out_note": "What the person said when asking for no more updates.",
    "safe_contact_times": "When it is safe to contact the person (London times by weekday).",
    "interpreter_language": (
        "The language (ISO 639-1 code) of the interpreter the person needs; written messages "
        "are then refused."
    ),
    "template_key": "The key of the template the message is written from.",
    "event_type": "The kind of investigation event (arrest, charge, court result...).",
    "queued_at": "When the message was handed to GOV.UK Notify.",
    "delivered_at": "When Notify reported the message delivered.",
    "failed_at": "When Notify reported the message failed.",
    "failure_reason": "Why Notify could not deliver the message.",
    "voided_at": "When the message was withdrawn.",
    "victim_name": "The name of the person the duty is to.",
    "due_at": "The deadline by which the person must be told.",
    "overdue": "Whether the duty is still open past its deadline.",
    "closed_at": "When the duty was met or closed.",
    "occurred_at": "When the event happened.",
    "recorded_at": "When the event was recorded in the app.",
    "retired_at": "When the template was retired (no longer offered).",
    "retire_reason": "Why the template was retired.",
    "updated_since": "Only what changed at or after this moment, for a sync.",
    "subject": "The email subject; absent for texts and letters.",
    "family": "The message family: templates of one family say the same in other channels, "
    "languages and formats.",
    "username": "The name the user signs in with.",
    "display_name": "The user's name as others see it.",
    "role": "The user's role: officer, supervisor, admin or auditor.",
    "team": "The name of the user's team.",
    "characters": "How many characters the text has.",
    "fragments": "How many SMS fragments the text is sent as (each is charged).",
    "errors": "Problems that stop the wording being used.",
    "warnings": "Problems worth fixing that do not stop the wording being used.",
    "because": "Why the basis applies, in words.",
    "group_by": "How the figures are grouped: by team, officer or event type.",
    "version": "The record's version: send it as If-Match to change the record.",
    "phone": "The person's mobile number for texts, E.164 (+447700900123) or UK format.",
    "email": "The person's email address.",
    "postal_address": "The person's postal address, one line each; the last line is the postcode.",
    "officer_in_charge_id": "The ID of the officer in charge of the case.",
    # Event details (``fieldapp.schemas.events``): which apply depends on the event type.
    "notes": "Notes for the record; never put in a message to the victim.",
    "conditions": "The bail conditions, each with whether it protects the victim.",
    "proposed_conditions": "The bail conditions being considered (the victim may give views).",
    "answer_bail_on": "The day the suspect must answer bail (YYYY-MM-DD).",
    "decision_due_at": "When the bail decision is due.",
    "service": "The support service the victim was referred to.",
    "court_name": "The court's name in English.",
    "court_name_cy": "The court's name in Welsh, if it has one.",
    "court_address": "The court's address.",
    "hearing_at": "When the hearing is.",
    "charges": "The charges, one per item, in plain words.",
    "remand_status": "Whether the suspect is remanded in custody or on bail to court.",
    "reason_codes": "The reasons for the decision, as codes from the Code's list.",
    "reasons": "The reasons for the decision in words (needed for the code other).",
    "decision_maker": "Who decided: the police or the CPS.",
    "suspect_interviewed": "Whether the suspect was interviewed before the decision.",
    "statement_type": "Which statement was taken: a personal or a business impact statement.",
    "received_at": "When the Witness Care Unit received the news.",
    "hearing_type": "The kind of hearing.",
    "sentence": "The sentence, in plain words.",
    "appeal_by": "Who appealed.",
    "appeal_against": "What the appeal is against.",
    # One text for each name the event types share, so the connector's merged details keep it.
    "OutOfCourtDetails.outcome": _OUTCOME,
    "YouthOutcomeDetails.outcome": _OUTCOME,
    "VrrDecidedDetails.result": _RESULT,
    "HearingResultDetails.result": _RESULT,
    "AppealOutcomeDetails.result": _RESULT,
    "MethodUnavailableDetails.method": "The preferred way of contact that cannot be used.",
    "BailCondition.type": (
        "The kind of condition: no contact, keep out of an area, keep away from an address, "
        "curfew, residence, reporting or other."
    ),
    "BailCondition.area": "The area the suspect must keep out of.",
    "BailCondition.address": "The address the suspect must live at, or keep away from.",
    "BailCondition.person": "The person the suspect must not contact.",
    "BailCondition.from_time": "A curfew's start, HH:MM.",
    "BailCondition.to_time": "A curfew's end, HH:MM.",
    "BailCondition.text": "The condition in words (for the type other).",
    "BailCondition.protects_victim": "Whether it protects the victim (then they are told of it).",
    # Meaning that depends on the resource, by schema class.
    "CaseSchema.status": "Whether the case is open or closed.",
    "CaseCreateSchema.status": "Whether the case is open or closed. Default: open.",
    "CaseUpdateSchema.status": "Close or reopen the case.",
    "CaseQuerySchema.status": "Only open or only closed cases.",
    "DutySchema.status": (
        "Where the duty is: open (still owed), met (the person was told), missed (told late or "
        "not at all) or not_required."
    ),
    "DutyStatusSchema.status": "Where the duty is now: open, met, missed or not_required.",
    "DutyQuerySchema.status": "Only duties in this status.",
    "DutyQuerySchema.case_id": "Only the duties of this case.",
    "DutyUpdateSchema.status": "How the duty is closed: missed, or not_required.",
    "DutyUpdateSchema.reason": "Why the duty was missed or is not required (kept in the record).",
    "DutySchema.kind": "The kind of duty, as the Victims' Code rule names it.",
    "DutySchema.title": "What the person must be told, in words.",
    "DutyStatusSchema.kind": "The kind of duty, as the Victims' Code rule names it.",
    "MetBySchema.type": "What met the duty: a message, a contact or an event.",
    "MetBySchema.id": "The ID of the message, contact or event that met the duty.",
    "EventSchema.type": "What happened in the investigation.",
    "EventCreateSchema.type": "What happened in the investigation.",
    "VictimSchema.language": (
        "The language messages are written in: en (English), cy (Welsh) or bilingual (both, "
        "Welsh first)."
    ),
    "VictimChangesSchema.language": (
        "The language messages are written in: en (English), cy (Welsh) or bilingual (both, "
        "Welsh first)."
    ),
    "MessageSchema.status": _MESSAGE_STATUS,
    "MessageSchema.channel": _CHANNEL,
    "MessageSchema.language": "The language the message is written in: en or cy.",
    "TemplateSchema.key": "The template's unique key, e.g. arrested-sms-en.",
    "TemplateSchema.name": "The template's name, as the template picker shows it.",
    "TemplateSchema.description": "What the template is for, in words.",
    "TemplateSchema.status": "active (offered for new messages) or retired.",
    "TemplateSchema.channel": _CHANNEL,
    "TemplateSchema.language": _TEMPLATE_LANGUAGE,
    "TemplateQuerySchema.channel": "Only templates for this channel.",
    "TemplateQuerySchema.language": "Only templates in this language.",
    "TemplateQuerySchema.event_type": "Only templates for this kind of event.",
    "TemplateQuerySchema.family": "Only templates of this message family.",
    "TemplateQuerySchema.status": "Only active or only retired templates (supervisors).",
    "PreviewSchema.template_key": "The key of the template previewed.",
    "PreviewSchema.version": "The template version previewed.",
    "PreviewSchema.channel": _CHANNEL,
    "PreviewSchema.language": _TEMPLATE_LANGUAGE,
    "PreviewSchema.body": "The message text with the sample or case data merged in.",
    "PreviewRequestSchema.version": "The version to preview; the published one when left out.",
    "PreviewRequestSchema.victim_id": "Preview with this victim's case data, not sample data.",
    "MergeFieldSchema.description": "What the merge field holds.",
    "MergeFieldListSchema.version": "The version of the merge-field list.",
    "RequiredItemSchema.label": "What the person must be told, in words.",
    "LintIssueSchema.code": "The rule's stable code.",
    "LintIssueSchema.message": "What is wrong and how to fix it.",
    "ContactWindowSchema.days": "The weekdays the window applies on.",
    "ContactWindowSchema.from": "The window's start, HH:MM London time.",
    "ContactWindowSchema.to": "The window's end, HH:MM London time.",
    "ComplianceReportSchema.from": "The first day the figures cover.",
    "ComplianceReportSchema.to": "The last day the figures cover.",
    "DerivedBasisSchema.basis": "The enhanced-rights category that follows from the role.",
    "WebhookSchema.url": "Where the events are posted.",
    "WebhookSchema.events": "The event types the subscription receives.",
    "WebhookSchema.description": "A note about the subscription, e.g. what receives it.",
    "consecutive_failures": "Failed deliveries in a row; too many disable the subscription.",
    "disabled_at": "When the subscription was disabled, if it is.",
    "disabled_reason": "Why the subscription was disabled, if it is.",
    "WebhookEventDataSchema.duty_kind": "The kind of contact duty, as the Code's rule names it.",
    "WebhookEventDataSchema.message_status": "The message's status now: delivered or failed.",
    "WebhookEventDataSchema.channel": _CHANNEL,
    "WebhookEventDataSchema.template_version": "The template version the message was written from.",
    "MessageCreateSchema.victim_id": "The ID of the person to write to.",
    "MessageCreateSchema.template_key": (
        "The published template to write from; the app uses a sibling if the person needs "
        "another language or format."
    ),
    "MessageCreateSchema.duty_id": "The duty the message meets, if any.",
}


def field_description(classes: Iterable[type], name: str) -> str | None:
    """The shared text for a field of a schema (its class and bases, in order), if any."""
    for cls in classes:
        text = FIELD_DESCRIPTIONS.get(f"{cls.__name__}.{name}")
        if text is not None:
            return text
    return FIELD_DESCRIPTIONS.get(name)
