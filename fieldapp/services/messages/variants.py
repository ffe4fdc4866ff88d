"""Which published template a message is written from, and why: the requested one if it fits.

A template key names a message family and channel. The requested template is used when its
language and contentless kind fit the recipient; a sibling of the same family (or a contentless
template of the channel) only when the recipient needs that variant. Siblings are tried in key
order, so two active templates of one family, channel and language never swap for each other.
"""

from __future__ import annotations

from dataclasses import dataclass

from fieldapp.errors import ValidationFailed
from fieldapp.models import Victim
from fieldapp.services.templates.published import Variant, VersionText

CONTENTLESS_FAMILY = "contentless"
#: The variant reason when the template asked for is the one used.
REQUESTED = "requested"


class NoVariant(ValidationFailed):
    """No published template fits the recipient (language or contentless contact)."""

    code, title = "no_suitable_template", "No suitable template"


@dataclass(frozen=True)
class Choice:
    """A version to write from, and why it is the one (``requested`` or the variant's reason)."""

    text: VersionText
    reason: str


def _fits(variant: Variant, family: str, *, language: str, contentless: bool) -> bool:
    """Whether a published variant is of the family, language and contentless kind needed."""
    wanted = (family, contentless, language)
    return (variant.family, variant.contentless, variant.text.wording.language) == wanted


def _variant(
    variants: list[Variant], requested: Variant, *, language: str, contentless: bool
) -> VersionText:
    """The template used for one language: the requested one if it fits, else a sibling."""
    if _fits(requested, requested.family, language=language, contentless=contentless):
        return requested.text
    families = [requested.family] + ([CONTENTLESS_FAMILY] if contentless else [])
    for family in families:
        # Siblings in key order, so the choice never depends on the order rows come back in.
        for variant in sorted(variants, key=lambda v: v.text.key):
            if _fits(variant, family, language=language, contentless=contentless):
                return variant.text
    channel = requested.text.wording.channel
    if contentless:
        raise NoVariant(
            f"This person must only get contentless contact, and no contentless "
            f"'{channel}' template in '{language}' is published.",
            errors={
                "template_key": ["Publish a contentless variant, or contact them another way."]
            },
        )
    raise NoVariant(
        f"No {'Welsh' if language == 'cy' else 'English'} version of '{requested.family}' "
        f"for '{channel}' is published; not sending in another language.",
        errors={"template_key": [f"Publish a '{language}' version of this message first."]},
    )


def _reason(requested: Variant, used: VersionText, victim: Victim) -> str:
    """Why the template used is not the one asked for: the recipient's need that required it."""
    if used.key == requested.text.key:
        return REQUESTED
    if victim.contentless and not requested.contentless:
        return "contentless"
    if victim.language == "bilingual":
        return "bilingual"
    return f"language:{used.wording.language}"


def choose_variant(
    variants: list[Variant], requested: Variant, victim: Victim, language: str
) -> Choice:
    """The version to write in ``language`` for this victim, with the reason for it."""
    used = _variant(variants, requested, language=language, contentless=victim.contentless)
    return Choice(used, _reason(requested, used, victim))
