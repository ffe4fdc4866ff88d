"""Factories for letters: published arrest letters in English and Welsh (a key the built-in
library already holds keeps its library version) and victims with a postal address."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from fieldapp.core.templating.library import parse_template_file
from fieldapp.models import Victim
from fieldapp.services.templates.library import import_library

ADDRESS = ["Priya Shah", "1 High Street", "Cardiff", "CF10 1AA"]
FRONT = """---
key: arrested-letter-{language}
family: arrested
channel: letter
language: {language}
event_type: arrested
name: Suspect arrested (letter)
description: Tells the person by post that someone has been arrested in their case.
contentless: false
change_note: First version.
---
"""
BODIES = {
    "en": """Dear {{ victim.first_name }},

I am writing about your report of {{ case.offence }}.
Your crime reference is {{ case.crime_reference }}.

We arrested someone on {{ event.date }}.

What happens next

- We will interview them.
- We will then decide what to do next.

If you are in danger, call 999. If you have questions, call me on {{ officer.contact_phone }}.
For help, call {{ force.support_name }} on {{ force.support_phone }}.

{{ officer.name }}
{{ force.name }}""",
    "cy": """Annwyl {{ victim.first_name }},

Rwy'n ysgrifennu am eich adroddiad. Eich cyfeirnod trosedd yw {{ case.crime_reference }}.

Gwnaethom arestio rhywun ar {{ event.date }}.
Byddwn yn eu cyfweld â nhw'n fuan, ac yn dweud wrthych beth a benderfynwn.

Os ydych mewn perygl, ffoniwch 999.
Os oes gennych gwestiynau, ffoniwch fi ar {{ officer.contact_phone }}.
Am help, ffoniwch {{ force.support_name }} ar {{ force.support_phone }}.

{{ officer.name }}
{{ force.name }}""",
}


def publish_letter_templates(session: Session, *languages: str) -> list[str]:
    """Publish the arrest letter in each language (English if none given); their keys."""
    items = [
        parse_template_file(FRONT.format(language=language) + BODIES[language] + "\n")
        for language in languages or ("en",)
    ]
    import_library(session, items)
    session.commit()
    return [item.key for item in items]


def give_address(
    session: Session, victim_id: str, lines: list[str] | None = None, **more: object
) -> Victim:
    """Record a postal address (and any other fields) on a victim, as the victims API would."""
    victim = session.get(Victim, uuid.UUID(victim_id))
    assert victim is not None
    victim.postal_address = ADDRESS if lines is None else lines
    for name, value in more.items():
        setattr(victim, name, value)
    session.commit()
    return victim
