"""A template is flagged when a sibling in the other language was last published before it."""

from __future__ import annotations

from datetime import UTC, datetime

from fieldapp.core.translations import OlderSibling, PublishedChange, older_siblings

EARLY = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
LATE = datetime(2026, 6, 4, 9, 32, tzinfo=UTC)


def _change(
    key: str, language: str, published_at: datetime | None, **overrides: object
) -> PublishedChange:
    """A template of the arrest SMS family in one language."""
    values: dict[str, object] = {
        "key": key,
        "family": "arrested",
        "channel": "sms",
        "format": "standard",
        "contentless": False,
        "language": language,
        "published_at": published_at,
    }
    values.update(overrides)
    return PublishedChange(**values)  # type: ignore[arg-type]


def test_english_published_after_welsh_is_flagged_welsh_older() -> None:
    flags = older_siblings([_change("sms-en", "en", LATE), _change("sms-cy", "cy", EARLY)])
    assert flags == {"sms-en": (OlderSibling("sms-cy", "cy", EARLY),)}
    assert flags["sms-en"][0].language_name == "Welsh"


def test_welsh_published_after_english_is_flagged_english_older() -> None:
    flags = older_siblings([_change("sms-en", "en", EARLY), _change("sms-cy", "cy", LATE)])
    assert list(flags) == ["sms-cy"]
    assert flags["sms-cy"][0].language_name == "English"


def test_siblings_published_together_are_not_flagged() -> None:
    assert older_siblings([_change("sms-en", "en", EARLY), _change("sms-cy", "cy", EARLY)]) == {}


def test_a_never_published_sibling_is_older() -> None:
    flags = older_siblings([_change("sms-en", "en", EARLY), _change("sms-cy", "cy", None)])
    assert flags == {"sms-en": (OlderSibling("sms-cy", "cy", None),)}


def test_a_never_published_template_is_not_flagged() -> None:
    assert older_siblings([_change("sms-en", "en", None), _change("sms-cy", "cy", None)]) == {}


def test_other_channels_formats_and_families_are_not_siblings() -> None:
    changes = [
        _change("sms-en", "en", LATE),
        _change("email-cy", "cy", EARLY, channel="email"),
        _change("easy-cy", "cy", EARLY, format="easy_read"),
        _change("bare-cy", "cy", EARLY, contentless=True),
        _change("charged-cy", "cy", EARLY, family="charged"),
    ]
    assert older_siblings(changes) == {}


def test_same_language_variants_are_not_compared() -> None:
    assert older_siblings([_change("a-en", "en", LATE), _change("b-en", "en", EARLY)]) == {}


def test_retired_templates_are_neither_flagged_nor_compared() -> None:
    changes = [
        _change("sms-en", "en", LATE),
        _change("sms-cy", "cy", EARLY, active=False),
        _change("old-en", "en", LATE, active=False, family="gone"),
        _change("old-cy", "cy", EARLY, family="gone"),
    ]
    assert older_siblings(changes) == {}
