"""Lint a merged message: what blocks approval (errors) and what a supervisor should look at.

The rules (police jargon, plain-English swaps, readability, required fields, what must not go
in a text message, links) are data in ``lint_rules.json``, loaded and checked by ``lint_rules``.
Lint runs on the MERGED text, because lengths, readability and leaked details depend on the data
as much as on the wording.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache

import textstat  # type: ignore[import-untyped]

from fieldapp.core.templating import sms
from fieldapp.core.templating.lint_rules import LintRules, load_lint_rules

_SMS_ERRORS = {"sms_too_long", "sms_forbidden_field"}
#: A letter-length email; a longer text is scored on its opening (the score barely moves).
READABILITY_MAX_CHARS = 5_000


@dataclass(frozen=True)
class LintIssue:
    """One finding, with the line of the merged body it is on when there is one."""

    code: str
    message: str
    line: int | None = None


@dataclass(frozen=True)
class LintReport:
    """Everything lint found; errors block approval, warnings are for the supervisor to judge."""

    errors: tuple[LintIssue, ...]
    warnings: tuple[LintIssue, ...]
    sms: sms.SmsCount | None
    reading_ease: float | None

    @property
    def ok(self) -> bool:
        """True when nothing blocks approval."""
        return not self.errors


def _line(text: str, index: int) -> int:
    """The 1-based line number of a position in a text."""
    return text.count("\n", 0, index) + 1


def _fold(text: str) -> str:
    """Text compared loosely: any case, hyphens as spaces, single spaces, straight apostrophes."""
    text = re.sub(r"[\u2018\u2019]", "'", text.casefold())
    return " ".join(re.sub(r"[-\u2010-\u2014]", " ", text).split())


@cache
def _term_pattern(term: str) -> re.Pattern[str]:
    """Acronyms match as whole words exactly; other terms as whole words in any case."""
    if term.isupper():
        return re.compile(rf"(?<!\w){re.escape(term)}(?!\w)")
    words = r"[\s\-]+".join(re.escape(word) for word in re.split(r"[\s\-]+", term))
    return re.compile(rf"(?<!\w){words}(?!\w)", re.IGNORECASE)


@cache
def _folded_explanation(explanation: str) -> str:
    """An explanation from the rules, folded once (the rules never change while running)."""
    return _fold(explanation)


def _jargon(rules: LintRules, subject: str | None, body: str) -> Iterable[LintIssue]:
    """Police terms used without their explanation anywhere in the message."""
    folded = _fold(f"{subject or ''}\n{body}")
    for entry in rules.jargon:
        if _folded_explanation(entry.explanation) in folded:
            continue
        message = f"Explain '{entry.term}' the first time, for example '{entry.suggestion}'."
        if found := _term_pattern(entry.term).search(body):
            yield LintIssue("unexplained_jargon", message, _line(body, found.start()))
        elif subject and _term_pattern(entry.term).search(subject):
            yield LintIssue("unexplained_jargon", f"In the subject: {message}")


def _wording(rules: LintRules, body: str) -> Iterable[LintIssue]:
    """Words with a plainer swap, except where they are part of an accepted phrase."""
    explained: list[tuple[int, int]] | None = None
    for rule in rules.plain_english:
        matches = list(rule.pattern.finditer(body))
        if not matches:
            continue  # the common case: find the protected phrases only when a word is found
        if explained is None:
            explained = _spans(body, (entry.explanation for entry in rules.jargon))
        protected = explained + _spans(body, rule.exceptions)
        for found in matches:
            if not any(start <= found.start() and found.end() <= end for start, end in protected):
                message = f"Use plain English: say '{rule.suggestion}' instead of '{found[0]}'."
                yield LintIssue("plain_english", message, _line(body, found.start()))
                break


def _spans(body: str, phrases: Iterable[str]) -> list[tuple[int, int]]:
    """Where each phrase occurs in the body."""
    return [
        found.span() for phrase in phrases for found in _term_pattern(phrase.lower()).finditer(body)
    ]


def _links(rules: LintRules, body: str) -> Iterable[LintIssue]:
    """Links that are not https, and link shorteners (people cannot tell where they go)."""
    if found := re.search(r"(?i)\bhttp://", body):
        message = "Use a link that starts with https://, not http://, so that it is secure."
        yield LintIssue("insecure_link", message, _line(body, found.start()))
    hosts = "|".join(re.escape(host) for host in rules.link_shorteners)
    if found := re.search(rf"(?i)(?<![\w.\-])(?:https?://)?(?:www\.)?(?:{hosts})/", body):
        message = (
            "Do not use a link shortener: show the full address of an official site, so that "
            "people can see the link is genuine."
        )
        yield LintIssue("link_shortener", message, _line(body, found.start()))


def _sms_fields(fields: frozenset[str], sms_policy: Mapping[str, str]) -> Iterable[LintIssue]:
    """Merge fields that must not, or should only with care, go in a text message."""
    for name in sorted(fields):
        if sms_policy.get(name) == "forbidden":
            message = f"Do not use {{{{ {name} }}}} in a text message: it must never go by text."
            yield LintIssue("sms_forbidden_field", message)
        elif sms_policy.get(name) == "caution":
            message = (
                f"Check that {{{{ {name} }}}} is safe to send by text: someone else may read the "
                "phone or see the message on its lock screen. Consider a call or a letter instead."
            )
            yield LintIssue("sms_caution_field", message)


def _sms_length(rules: LintRules, counted: sms.SmsCount) -> Iterable[LintIssue]:
    """Too long to send (an error), more texts than advised, or characters that will change."""
    if counted.too_long:
        limit, length = sms.SMS_CHAR_LIMIT, counted.characters
        message = f"Text messages cannot be longer than {limit} characters. This one is {length}."
        yield LintIssue("sms_too_long", message)
    most = rules.max_sms_fragments_warning
    if counted.fragments > most:
        message = f"This will cost {counted.fragments} text messages; aim for {most} or fewer."
        yield LintIssue("sms_fragments", message)
    if counted.replaced:
        changes = ", ".join(
            f"'{char}' becomes '{sms.normalise(char)}'" for char in counted.replaced
        )
        message = f"Some characters cannot be sent by text and will be changed: {changes}."
        yield LintIssue("sms_replaced_characters", message)


def _readability(rules: LintRules, body: str) -> tuple[float | None, list[LintIssue]]:
    """Flesch reading ease of English text, and a warning when it is below the threshold."""
    # Web addresses read as one enormous word; leave them out of the score. textstat's cost
    # grows with the text, so only the opening READABILITY_MAX_CHARS are scored.
    text = re.sub(r"(?i)\b(?:https?://|www\.)\S+", "", body[:READABILITY_MAX_CHARS])
    words = int(textstat.lexicon_count(text))
    if not words:
        return None, []
    score = round(float(textstat.flesch_reading_ease(text)), 1)
    if words < rules.readability_min_words or score >= rules.readability_threshold:
        return score, []
    message = (
        f"This message may be hard to read (Flesch reading ease {score:g}; aim for "
        f"{rules.readability_threshold:g} or more). Use shorter sentences and everyday words."
    )
    return score, [LintIssue("hard_to_read", message)]


def _required(rules: LintRules, fields: frozenset[str]) -> Sequence[LintIssue]:
    """Required merge fields the message does not use."""
    return [LintIssue(r.code, r.message) for r in rules.required if not fields & set(r.any_of)]


def warm_up() -> None:
    """Load what readability needs (a syllable dictionary) now rather than in a request."""
    textstat.flesch_reading_ease("Load the syllable dictionary once.")


def lint(
    *,
    channel: str,
    language: str,
    subject: str | None,
    body: str,
    fields: frozenset[str],
    sms_policy: Mapping[str, str],
    rules: LintRules | None = None,
) -> LintReport:
    """Check a merged message against the lint rules (the shipped ones unless given)."""
    rules = rules or load_lint_rules()
    errors: list[LintIssue] = []
    warnings: list[LintIssue] = []
    if not body.strip():
        errors.append(LintIssue("empty_body", "The message is empty."))
    if channel == "email" and not (subject or "").strip():
        errors.append(LintIssue("missing_subject", "An email must have a subject."))
    errors.extend(_required(rules, fields))
    counted = None
    if channel == "sms":
        counted = sms.count(body)
        for issue in (*_sms_fields(fields, sms_policy), *_sms_length(rules, counted)):
            (errors if issue.code in _SMS_ERRORS else warnings).append(issue)
        for rule in rules.sms_forbidden_patterns:
            if found := rule.pattern.search(body):
                errors.append(LintIssue(rule.code, rule.message, _line(body, found.start())))
    # The jargon and plain-English rules are English; Welsh wording is not judged by them.
    if language != "cy":
        warnings.extend(_jargon(rules, subject, body))
        warnings.extend(_wording(rules, body))
    warnings.extend(_links(rules, body))
    reading_ease = None
    if language == "en":
        reading_ease, hard = _readability(rules, body)
        warnings.extend(hard)
    return LintReport(tuple(errors), tuple(warnings), counted, reading_ease)
