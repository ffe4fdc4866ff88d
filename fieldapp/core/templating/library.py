"""The built-in template library: the file format of ``message_templates/`` and loading it.

Each template is one UTF-8 text file named ``<key>.txt``: YAML front matter between two ``---``
lines, then the template body. The front matter holds the metadata a reviewer needs (key, family,
channel, language, event type, name, description, whether the message is contentless, whether
it is a follow-up text (``follow_up``: it does not carry everything a duty requires, so writing
it for a duty does not meet it), the email subject and a change note); the body is the template
source, checked by the engine like any other.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from fieldapp.core.templating.context import TEMPLATE_LANGUAGES
from fieldapp.core.victims_code import EVENT_TYPES

CHANNELS: tuple[str, ...] = ("sms", "email", "letter")
# An easy-read variant is a template of its own in its family, keyed ``<key>-easy-read``.
TEMPLATE_FORMATS: tuple[str, ...] = ("standard", "easy_read", "large_print")
STANDARD_FORMAT = "standard"
EASY_READ_SUFFIX = "-easy-read"
# A scheduled progress update has no investigation event behind it, so it has its own type.
PERIODIC_UPDATE = "periodic_update"
LIBRARY_EVENT_TYPES: tuple[str, ...] = (*EVENT_TYPES, PERIODIC_UPDATE)
# Read relative to the package, never the working directory: beside the fieldapp package, in the
# repository's top level and in site-packages alike (the wheel carries it, see pyproject.toml).
LIBRARY_DIRECTORY = Path(__file__).resolve().parents[3] / "message_templates"

DELIMITER = "---"
_REQUIRED = ("key", "family", "channel", "language", "event_type", "name", "description")
# The order keys are written in; contentless, follow_up and subject may be left out of a file.
_ORDER = (*_REQUIRED, "contentless", "follow_up", "subject", "change_note")
# Optional keys left out of a file when they have their default value.
_OPTIONAL = ("format",)
_KEY = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_FAMILY = re.compile(r"[a-z][a-z0-9_]*")


class LibraryFileError(ValueError):
    """A library file that does not follow the format; the message names the problem."""


@dataclass(frozen=True)
class LibraryTemplate:
    """One built-in template: its metadata and its body (the template source)."""

    key: str
    family: str
    channel: str
    language: str
    event_type: str
    name: str
    description: str
    change_note: str
    body: str
    subject: str | None = None
    contentless: bool = False
    follow_up: bool = False
    format: str = STANDARD_FORMAT


def parse_template_file(text: str) -> LibraryTemplate:
    """Parse one library file (front matter, then body) into a checked ``LibraryTemplate``."""
    front, body = _split(text)
    meta = _load_front_matter(front)
    _check_keys(meta)
    values = {name: _text(meta, name, blank=name == "description") for name in _REQUIRED}
    change_note = _text(meta, "change_note", blank=True)
    flags = {name: meta.get(name, False) for name in ("contentless", "follow_up")}
    for name, flag in flags.items():
        if not isinstance(flag, bool):
            raise LibraryFileError(f"front matter '{name}' must be true or false")
    subject = _text(meta, "subject") if "subject" in meta else None
    template = LibraryTemplate(
        **values,
        change_note=change_note,
        body=body,
        subject=subject,
        contentless=flags["contentless"],
        follow_up=flags["follow_up"],
        format=_text(meta, "format") if "format" in meta else STANDARD_FORMAT,
    )
    _check_values(template)
    return template


def format_template_file(template: LibraryTemplate) -> str:
    """Write a template in the library file format; ``parse_template_file`` reads it back equal."""
    meta: dict[str, Any] = {name: getattr(template, name) for name in _ORDER}
    if meta["subject"] is None:
        del meta["subject"]
    if not meta["follow_up"]:
        del meta["follow_up"]
    if template.format != STANDARD_FORMAT:
        meta["format"] = template.format
    front = yaml.safe_dump(
        meta, sort_keys=False, allow_unicode=True, default_flow_style=False, width=1000
    )
    return f"{DELIMITER}\n{front}{DELIMITER}\n{template.body}\n"


def load_library(directory: Path) -> list[LibraryTemplate]:
    """Read every ``*.txt`` file in ``directory`` (sorted by name), each named ``<key>.txt``."""
    # A file name is unique in its directory, so naming each file after its key keeps keys unique.
    templates: list[LibraryTemplate] = []
    for path in sorted(directory.glob("*.txt")):
        try:
            template = parse_template_file(path.read_text(encoding="utf-8"))
        except LibraryFileError as error:
            raise LibraryFileError(f"{path.name}: {error}") from error
        if path.name != f"{template.key}.txt":
            raise LibraryFileError(f"{path.name}: the file name must be '{template.key}.txt'")
        templates.append(template)
    return templates


def _split(text: str) -> tuple[str, str]:
    """Split a file into its front matter and its body (one final newline dropped)."""
    lines = text.split("\n")
    if lines[0] != DELIMITER:
        raise LibraryFileError(f"the file must start with a '{DELIMITER}' line")
    try:
        end = lines.index(DELIMITER, 1)
    except ValueError:
        raise LibraryFileError(f"the front matter has no closing '{DELIMITER}' line") from None
    body = "\n".join(lines[end + 1 :])
    body = body.removesuffix("\n")
    if not body.strip():
        raise LibraryFileError("the template body is empty")
    return "\n".join(lines[1:end]), body


def _load_front_matter(front: str) -> dict[str, Any]:
    """Load the front matter as a mapping of string keys."""
    try:
        meta = yaml.safe_load(front)
    except yaml.YAMLError as error:
        raise LibraryFileError(f"the front matter is not valid YAML: {error}") from None
    if not isinstance(meta, dict) or not all(isinstance(name, str) for name in meta):
        raise LibraryFileError("the front matter must be a mapping of names to values")
    return meta


def _check_keys(meta: dict[str, Any]) -> None:
    """Refuse missing and unknown front-matter keys."""
    if missing := [name for name in (*_REQUIRED, "change_note") if name not in meta]:
        raise LibraryFileError(f"front matter is missing: {', '.join(missing)}")
    if unknown := sorted(set(meta) - set(_ORDER) - set(_OPTIONAL)):
        raise LibraryFileError(f"front matter has unknown keys: {', '.join(unknown)}")


def _text(meta: dict[str, Any], name: str, *, blank: bool = False) -> str:
    """A front-matter value that must be text (and not blank unless ``blank`` allows it)."""
    value = meta[name]
    if not isinstance(value, str):
        raise LibraryFileError(
            f"front matter '{name}' must be text (quote it if YAML reads it otherwise)"
        )
    if not blank and not value.strip():
        raise LibraryFileError(f"front matter '{name}' must not be empty")
    return value


def _check_values(template: LibraryTemplate) -> None:
    """Check each value against its allowed set or pattern."""
    if not _KEY.fullmatch(template.key):
        raise LibraryFileError(f"key '{template.key}' must be lowercase words joined by hyphens")
    if not _FAMILY.fullmatch(template.family):
        raise LibraryFileError(f"family '{template.family}' must be lowercase_with_underscores")
    if template.channel not in CHANNELS:
        raise LibraryFileError(f"channel '{template.channel}' is not one of {', '.join(CHANNELS)}")
    if template.language not in TEMPLATE_LANGUAGES:
        raise LibraryFileError(
            f"language '{template.language}' is not one of {', '.join(TEMPLATE_LANGUAGES)}"
        )
    if template.event_type not in LIBRARY_EVENT_TYPES:
        raise LibraryFileError(f"event_type '{template.event_type}' is not a known event type")
    _check_format(template)
    if template.channel == "email" and template.subject is None:
        raise LibraryFileError("an email template needs a subject")
    if template.channel != "email" and template.subject is not None:
        raise LibraryFileError(f"a {template.channel} template has no subject; remove it")


def _check_format(template: LibraryTemplate) -> None:
    """A known format; an easy-read variant, and only one, is keyed ``...-easy-read``."""
    if template.format not in TEMPLATE_FORMATS:
        raise LibraryFileError(
            f"format '{template.format}' is not one of {', '.join(TEMPLATE_FORMATS)}"
        )
    if (template.format == "easy_read") != template.key.endswith(EASY_READ_SUFFIX):
        raise LibraryFileError(
            f"an easy-read template (format: easy_read) and only one has a key ending "
            f"'{EASY_READ_SUFFIX}'"
        )
