"""The HTTP shell: blueprints that parse with a schema, call one service and dump."""

from __future__ import annotations

from fieldapp.api import (
    api_keys,
    audit,
    auth,
    cases,
    contacts,
    duties,
    events,
    me,
    messages,
    metrics,
    operations,
    templates,
    users,
    victims,
    webhooks,
)
from fieldapp.web.openapi import FieldappApi


def register(api: FieldappApi) -> None:
    """Register every blueprint with flask-smorest so it is documented."""
    for module in (
        operations,
        auth,
        me,
        users,
        cases,
        victims,
        events,
        duties,
        templates,
        messages,
        contacts,
        metrics,
        audit,
        api_keys,
        webhooks,
    ):
        api.register_blueprint(module.bp)
    webhooks.document(api)
    api.document_answers()
