"""Which published template a message is written from, and why: the requested one if it fits.

A template key names a message family and channel. The requested template is used when its
language, contentless kind and format fit the recipient; a sibling of the same family (or a
contentless template of the channel) only when the recipient needs that variant. Siblings are
tried in the recipient's order of formats (someone who needs easy read gets only easy-read
variants; rule data in ``recipient_roles.json``), then in key order, so two active templates of
one family, channel and language never swap for each other.
"""

from __future__ import annotations

from dataclasses import dataclass

from fieldapp.core.templating.library import EASY_READ_SUFFIX, STANDARD_FORMAT
from fieldapp.core.victims_code import recipients
from fieldapp.errors import Conflict, ValidationFailed
from fieldapp.models import Victim
from fieldapp.services.templates.published import Variant, VersionText

CONTENTLESS_FAMILY = "contentless"
#: The variant reason when the template asked for is the one used.
REQUESTED = "requested"


class NoVariant(ValidationFailed):
    """No published template fits the recipient (language or contentless contact)."""

    code, title = "no_suitable_template", "No suitable template"


class NoAccessibleVariant(Conflict):
    """The recipient needs an accessible format (easy read) that no published variant has."""

    code, title = "no_accessible_variant", "No accessible variant"


@dataclass(frozen=True)
class Choice:
    """A version to write from, and why it is the one (``requested`` or the variant's reason)."""

    text: VersionText
    reason: str


@dataclass(frozen=True)
class _Need:
    """What the recipient needs of a template for one language."""

    language: str
    contentless: bool
    formats: tuple[str, ...]


def _fits(variant: Variant, family: str, need: _Need, formats: tuple[str, ...]) -> bool:
    """Whether a published variant is of the family, language, contentless kind and a format."""
    wanted = (family, need.contentless, need.language)
    found = (variant.family, variant.contentless, variant.text.wording.language)
    return found == wanted and variant.format in formats


def _variant(variants: list[Variant], requested: Variant, need: _Need) -> Variant | None:
    """The template used for one language: the requested one if it fits, else a sibling."""
    if _fits(requested, requested.family, need, need.formats):
        return requested
    families = [requested.family] + ([CONTENTLESS_FAMILY] if need.contentless else [])
    for family in families:
        for wanted in need.formats:
            # Siblings in key order, so the choice never depends on the order rows come back in.
            for variant in sorted(variants, key=lambda v: v.text.key):
                if _fits(variant, family, need, (wanted,)):
                    return variant
    return None


def _no_variant(requested: Variant, need: _Need, victim: Victim) -> Conflict | ValidationFailed:
    """Why nothing fits: the format, the contentless contact or the language the person needs."""
    channel, language = requested.text.wording.channel, need.language
    if STANDARD_FORMAT not in need.formats:
        label = recipients.format_label(str(victim.accessible_format))
        wanted = f"{requested.family.replace('_', '-')}-{channel}-{language}{EASY_READ_SUFFIX}"
        return NoAccessibleVariant(
            f"This person needs {label} messages, and no {label} '{channel}' version of "
            f"'{requested.family}' in '{language}' is published.",
            errors={
                "template_key": [
                    f"Publish an {label} variant ('{wanted}', format: "
                    f"{victim.accessible_format}), or contact them another way."
                ]
            },
        )
    if need.contentless:
        return NoVariant(
            f"This person must only get contentless contact, and no contentless "
            f"'{channel}' template in '{language}' is published.",
            errors={
                "template_key": ["Publish a contentless variant, or contact them another way."]
            },
        )
    return NoVariant(
        f"No {'Welsh' if language == 'cy' else 'English'} version of '{requested.family}' "
        f"for '{channel}' is published; not sending in another language.",
        errors={"template_key": [f"Publish a '{language}' version of this message first."]},
    )


def _reason(requested: Variant, used: Variant, victim: Victim) -> str:
    """Why the template used is not the one asked for: the recipient's need that required it."""
    if used.text.key == requested.text.key:
        return REQUESTED
    if victim.contentless and not requested.contentless:
        return "contentless"
    if used.format != requested.format:
        return f"format:{used.format}"
    if victim.language == "bilingual":
        return "bilingual"
    return f"language:{used.text.wording.language}"


def choose_variant(
    variants: list[Variant], requested: Variant, victim: Victim, language: str
) -> Choice:
    """The version to write in ``language`` for this victim, with the reason for it."""
    formats = recipients.template_formats(victim.accessible_format)
    need = _Need(language, victim.contentless, formats)
    used = _variant(variants, requested, need)
    if used is None:
        raise _no_variant(requested, need, victim)
    return Choice(used.text, _reason(requested, used, victim))
