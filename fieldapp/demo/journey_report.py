"""The demo journey written out as Markdown: per step the event, the duties it created, each
message (template, channel, full text) and contact, and how each duty stood afterwards."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from typing import Any

from fieldapp.demo.journey import LONDON, MESSAGE, STEPS, Journey, StepRecord

INTRO = (
    "A fictional victim's journey from report to sentence, produced by "
    "`flask --app wsgi demo journey` through the HTTP API (sign-in, access checks and audit "
    "as for the phone app). Events are dated over the five weeks before this week; each "
    "message was written from a built-in template and confirmed sent when the command ran, "
    "and the API counts a send from when it was confirmed, so a duty completed by a message "
    "shows as met late. Contacts and the events that satisfy a duty carry their own dates. "
    "There is no separate Witness Care role: the officer in charge records the court stage."
)


def _when(stamp: str) -> str:
    """An API timestamp as London local time, e.g. 'Mon 26 Oct 2026, 19:40'."""
    moment = datetime.fromisoformat(stamp.replace("Z", "+00:00")).astimezone(LONDON)
    return f"{moment:%a} {moment.day} {moment:%b %Y, %H:%M}"


def _ordered(duties: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Duties by deadline, then by the journey's order of events, then kind (ids play no part)."""
    order = {step.event_type: n for n, step in enumerate(STEPS)}
    return sorted(duties, key=lambda d: (d["due_at"], order.get(d["event_type"], 99), d["kind"]))


def _items(duty: dict[str, Any]) -> str:
    """The duty's required items, labelled."""
    items = duty.get("required_items") or []
    return "; ".join(f"{i['label']} (`{i['id']}`)" for i in items) or "none (met by any evidence)"


def _detail(value: Any) -> str:
    """One event detail as text: moments in London time, conditions as their parts."""
    if isinstance(value, str) and len(value) == 10 and value[4] == "-":
        day = date.fromisoformat(value)
        return f"{day:%a} {day.day} {day:%b %Y}"
    if isinstance(value, str) and "T" in value and value.endswith("Z"):
        return _when(value)
    if isinstance(value, list):
        return "; ".join(_condition(v) if isinstance(v, dict) else str(v) for v in value)
    return str(value)


def _condition(condition: dict[str, Any]) -> str:
    """A bail condition as data, e.g. 'no_contact (person: Helen Carter; protects the victim)'."""
    shown = sorted(condition.items())
    parts = [f"{k}: {v}" for k, v in shown if k not in ("type", "protects_victim")]
    if condition.get("protects_victim"):
        parts.append("protects the victim")
    return f"`{condition['type']}` ({'; '.join(parts)})" if parts else f"`{condition['type']}`"


def _event(record: StepRecord, number: int) -> list[str]:
    """The step's heading and its event details."""
    event = record.event
    lines = [f"## {number}. `{event['type']}`: {_when(event['occurred_at'])}", ""]
    lines += [f"- {name}: {_detail(value)}" for name, value in sorted(event["details"].items())]
    return [*lines, ""] if event["details"] else lines


def _created(record: StepRecord) -> list[str]:
    """The duties the event created."""
    if not record.created:
        return ["Duties created: none.", ""]
    lines = ["Duties created:", "", "| duty | due | required items |", "|---|---|---|"]
    for duty in _ordered(record.created):
        due = _when(duty["due_at"])
        lines.append(f"| `{duty['kind']}`: {duty['title']} | {due} | {_items(duty)} |")
    return [*lines, ""]


def _message(message: dict[str, Any]) -> list[str]:
    """One message: template, channel, whether it meets its duty, and its full text."""
    meets = "meets the duty" if message["meets_duty"] else "follow-up: does not meet the duty"
    carried = ", ".join(f"`{i}`" for i in message["carried_items"]) or "none"
    lines = [
        f"**Message** `{message['template_key']}` ({message['channel']}, {meets}; carries "
        f"{carried}), confirmed sent by hand {_when(message['sent_at'])}.",
        "",
    ]
    if message.get("address_lines"):
        lines += ["Addressed to: " + ", ".join(message["address_lines"]), ""]
    if message.get("subject"):
        lines += [f"Subject: {message['subject']}", ""]
    return [*lines, "```text", message["body"], "```", ""]


def _contact(contact: dict[str, Any]) -> list[str]:
    """One contact: method, outcome, when, summary and the items it covered."""
    covered = ", ".join(f"`{i}`" for i in contact["covered"]) or "nothing"
    return [
        f"**Contact** {contact['method']}, {contact['outcome'].replace('_', ' ')}, "
        f"{_when(contact['occurred_at'])}: \u201c{contact['summary']}\u201d Covered: {covered}.",
        "",
    ]


def _afterwards(record: StepRecord) -> list[str]:
    """How the duties the step created or changed stood at its end."""
    if not record.after:
        return []
    lines = ["Duties afterwards:", "", "| duty | status | how |", "|---|---|---|"]
    for duty in _ordered(record.after):
        lines.append(f"| `{duty['kind']}` ({duty['event_type']}) | {duty['status']} | "
                     f"{duty.get('reason') or '-'} |")  # fmt: skip
    return [*lines, ""]


def _summary(journey: Journey) -> list[str]:
    """Every duty at the end, and what was sent and recorded."""
    lines = ["## At the end", "", "| duty | event | due | status | how |", "|---|---|---|---|---|"]
    for duty in _ordered(journey.final_duties):
        lines.append(f"| `{duty['kind']}` | `{duty['event_type']}` | {_when(duty['due_at'])} | "
                     f"{duty['status']} | {duty.get('reason') or '-'} |")  # fmt: skip
    messages = [m for step in journey.steps for m in step.messages]
    contacts = [c for step in journey.steps for c in step.contacts]
    channels = Counter(m["channel"] for m in messages)
    outcomes = Counter(c["outcome"].replace("_", " ") for c in contacts)
    return [
        *lines,
        "",
        f"Messages: {len(messages)} ("
        + ", ".join(f"{n} {channel}" for channel, n in sorted(channels.items()))
        + "). Contacts: "
        + f"{len(contacts)} ("
        + ", ".join(f"{n} {outcome}" for outcome, n in sorted(outcomes.items()))
        + ").",
    ]


def render_journey(journey: Journey) -> str:
    """The journey as a Markdown document."""
    victim, case = journey.victim, journey.case
    lines = [
        f"# A victim's journey: {case['offence']}, {case['crime_reference']}",
        "",
        INTRO,
        "",
        f"Victim: {victim['first_name']} {victim['last_name']}, language {victim['language']}, "
        f"prefers {victim['preferred_channel']}, safe channels "
        f"{', '.join(victim['safe_channels'])}; postal address "
        f"{', '.join(victim['postal_address'])}. Officer in charge: {case['officer_in_charge']} "
        f"({case['team']}).",
        "",
    ]
    for number, record in enumerate(journey.steps, start=1):
        lines += _event(record, number) + _created(record)
        for kind, body in record.done:
            lines += _message(body) if kind == MESSAGE else _contact(body)
        lines += _afterwards(record)
    return "\n".join(lines + _summary(journey)) + "\n"
