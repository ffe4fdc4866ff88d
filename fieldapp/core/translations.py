"""Which language versions of a message have fallen behind their siblings.

A template's siblings say the same thing in another language: same family, channel, format
and contentless choice, other language. When one is published again (say the English text of
the arrest SMS) and its sibling (the Welsh one) is not, the sibling is left saying the old thing.
Only the last *published* change counts: drafts and reviews change nothing a victim reads.
Retired templates are neither compared nor flagged.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Final

LANGUAGE_NAMES: Final[Mapping[str, str]] = {"en": "English", "cy": "Welsh"}


@dataclass(frozen=True)
class PublishedChange:
    """A template's identity among its siblings and when its wording was last published."""

    key: str
    family: str
    channel: str
    format: str
    contentless: bool
    language: str
    published_at: datetime | None  # None: never published
    active: bool = True

    @property
    def sibling_group(self) -> tuple[str, str, str, bool]:
        """What siblings share: everything but the language."""
        return (self.family, self.channel, self.format, self.contentless)


@dataclass(frozen=True)
class OlderSibling:
    """A sibling in another language last published before this template (or never)."""

    key: str
    language: str
    published_at: datetime | None

    @property
    def language_name(self) -> str:
        """The sibling's language in words, e.g. "Welsh"."""
        return LANGUAGE_NAMES.get(self.language, self.language)


def _older(sibling: PublishedChange, than: datetime) -> bool:
    """Whether a sibling's wording predates a change (a never-published one always does)."""
    return sibling.published_at is None or sibling.published_at < than


def older_siblings(changes: Iterable[PublishedChange]) -> dict[str, tuple[OlderSibling, ...]]:
    """For each published, active template, its active siblings published before it (or never).

    Templates with no older sibling are left out, so the result is exactly the flags to show.
    """
    groups: dict[tuple[str, str, str, bool], list[PublishedChange]] = defaultdict(list)
    for change in changes:
        if change.active:
            groups[change.sibling_group].append(change)
    flags: dict[str, tuple[OlderSibling, ...]] = {}
    for members in groups.values():
        for change in members:
            if change.published_at is None:
                continue
            older = tuple(
                OlderSibling(other.key, other.language, other.published_at)
                for other in sorted(members, key=lambda m: (m.language, m.key))
                if other.language != change.language and _older(other, change.published_at)
            )
            if older:
                flags[change.key] = older
    return flags
