"""One path for every template: check a saved wording, and render it for preview or sending.

Save, lint, preview and (later) send all go through here, so that what a supervisor approved
is exactly what an officer's message will say.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from fieldapp.core.templating import sms
from fieldapp.core.templating.catalogue import Catalogue, load_catalogue
from fieldapp.core.templating.context import MergeData, build_context, sample_merge_data
from fieldapp.core.templating.engine import render, validate
from fieldapp.core.templating.errors import OutputTooLong, Problem, TemplateRefused
from fieldapp.core.templating.lint import LintIssue, LintReport, lint

# Source sizes a supervisor may save, and output sizes a render may reach, per channel.
MAX_SOURCE = {"sms": 5_000, "email": 50_000, "letter": 50_000}
MAX_OUTPUT = {"sms": sms.SMS_CHAR_LIMIT, "email": 100_000, "letter": 60_000}
MAX_SUBJECT_SOURCE = 500
MAX_SUBJECT = 200


@dataclass(frozen=True)
class Wording:
    """What a template version says, and for which channel and language."""

    channel: str
    language: str
    body: str
    subject: str | None = None

    @property
    def content_hash(self) -> str:
        """A digest of subject and body: equal wordings have equal hashes."""
        digest = hashlib.sha256()
        digest.update((self.subject or "").encode("utf-8"))
        digest.update(b"\x00")
        digest.update(self.body.encode("utf-8"))
        return digest.hexdigest()


@dataclass(frozen=True)
class Rendered:
    """A merged message: plain-text subject and body, and an escaped HTML body for email."""

    subject: str | None
    body: str
    html: str | None = None


@dataclass(frozen=True)
class Checked:
    """The outcome of checking a wording: the merge fields it uses and its lint."""

    fields: frozenset[str]
    lint: LintReport
    sample: Rendered | None = field(default=None)


def validate_wording(wording: Wording, catalogue: Catalogue | None = None) -> frozenset[str]:
    """The merge fields a wording uses; ``TemplateRefused`` naming every problem and its line."""
    catalogue = catalogue or load_catalogue()
    problems: list[Problem] = []
    used: set[str] = set()
    parts = [("body", wording.body, MAX_SOURCE[wording.channel])]
    if wording.subject is not None:
        parts.append(("subject", wording.subject, MAX_SUBJECT_SOURCE))
    for part, source, limit in parts:
        try:
            used |= validate(source, catalogue=catalogue, max_chars=limit)
        except TemplateRefused as refused:
            problems.extend(_in_part(problem, part) for problem in refused.problems)
    if problems:
        raise TemplateRefused(tuple(problems))
    return frozenset(used)


def _in_part(problem: Problem, part: str) -> Problem:
    """Say which part (subject or body) a problem is in."""
    return Problem(problem.code, f"{part}: {problem.message}", problem.line)


def render_wording(
    wording: Wording,
    context: Mapping[str, Any],
    *,
    cache_key: str | None = None,
    html: bool = True,
) -> Rendered:
    """Merge a checked wording with a context; SMS text is normalised as the network sends it.

    Emails also get an escaped HTML body unless ``html`` is False (a stored message keeps text).
    """
    body = render(
        wording.body, context, max_chars=MAX_OUTPUT[wording.channel], cache_key=_key(cache_key, "b")
    )
    subject = None
    if wording.subject is not None:
        merged = render(
            wording.subject, context, max_chars=MAX_SUBJECT, cache_key=_key(cache_key, "s")
        )
        subject = " ".join(merged.split())
    html_body = None
    if wording.channel == "sms":
        body = sms.normalise(body)
    elif wording.channel == "email" and html:
        html_body = render(
            wording.body,
            context,
            max_chars=MAX_OUTPUT["email"] * 2,
            cache_key=_key(cache_key, "h"),
            html=True,
        )
    return Rendered(subject=subject, body=body.strip(), html=html_body)


def _key(cache_key: str | None, part: str) -> str | None:
    """The cache key of one part of a version."""
    return None if cache_key is None else f"{cache_key}:{part}"


def lint_rendered(
    wording: Wording, rendered: Rendered, fields: frozenset[str], catalogue: Catalogue | None = None
) -> LintReport:
    """Lint a merged message (lengths and wording are judged after merging)."""
    catalogue = catalogue or load_catalogue()
    return lint(
        channel=wording.channel,
        language=wording.language,
        subject=rendered.subject,
        body=rendered.body,
        fields=fields,
        sms_policy={name: spec.sms for name, spec in catalogue.fields.items()},
    )


def check_wording(wording: Wording) -> Checked:
    """Validate, render with the sample data and lint; ``TemplateRefused`` if unsafe or unknown.

    An output over the channel's cap is a lint error (so a draft can still be saved and fixed).
    """
    fields = validate_wording(wording)
    try:
        rendered, report = sample_preview(wording, fields)
    except OutputTooLong as too_long:
        issues = tuple(LintIssue(p.code, p.message, p.line) for p in too_long.problems)
        return Checked(fields=fields, lint=LintReport(issues, (), None, None))
    return Checked(fields=fields, lint=report, sample=rendered)


@lru_cache(maxsize=512)
def sample_preview(wording: Wording, fields: frozenset[str]) -> tuple[Rendered, LintReport]:
    """A wording merged with the sample data, and its lint: the same every time, so remembered.

    Versions never change and neither do the sample data and lint rules while running, so the
    result for equal arguments is always equal.
    """
    rendered = render_wording(wording, sample_context(wording.language))
    return rendered, lint_rendered(wording, rendered, fields)


def sample_context(language: str) -> dict[str, Any]:
    """The built-in sample data as a merge context in a language."""
    return build_context(sample_merge_data(), language=language)


def merge_context(data: MergeData, language: str) -> dict[str, Any]:
    """Real case data as a merge context in a language."""
    return build_context(data, language=language)
