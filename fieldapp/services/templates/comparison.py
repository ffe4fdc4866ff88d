"""Side-by-side comparisons of two versions of a template, as the caller may see them.

``versions.diff_versions`` gives the API a unified diff as text; people read a table better, so
this builds one from the same two versions (found through ``versions.get_version``, with its
visibility rules) with ``fieldapp.core.diffs``.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from fieldapp.core.diffs import DiffPart, diff_parts
from fieldapp.core.principal import Principal
from fieldapp.models import MessageTemplate, TemplateVersion
from fieldapp.services.templates.versions import get_version


@dataclass(frozen=True)
class Comparison:
    """Two versions of one template and the diff of their subject and body."""

    template: MessageTemplate
    old: TemplateVersion | None  # None: the new version is the first
    new: TemplateVersion
    parts: tuple[DiffPart, ...]

    @property
    def changed(self) -> bool:
        """Whether the wording differs at all."""
        return any(part.changed for part in self.parts)


def wording_parts(version: TemplateVersion | None) -> dict[str, str | None]:
    """A version's wording by part name, as the diff shows it; no version has no wording."""
    if version is None:
        return {"Subject": None, "Body": None}
    return {"Subject": version.subject, "Body": version.body}


def compare(
    template: MessageTemplate, old: TemplateVersion | None, new: TemplateVersion
) -> Comparison:
    """The comparison of two versions already read."""
    return Comparison(template, old, new, diff_parts(wording_parts(old), wording_parts(new)))


def compare_versions(
    session: Session, actor: Principal, *, key: str, old: int, new: int
) -> Comparison:
    """Version ``old`` against version ``new`` of a template, each one the caller may see."""
    template, before = get_version(session, actor, key, old)
    _, after = get_version(session, actor, key, new)
    return compare(template, before, after)
