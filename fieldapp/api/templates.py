"""Message templates: everyone reads (officers: published wording only); supervisors curate."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app

from fieldapp.api.blueprints import Blueprint
from fieldapp.api.context import audit_context, current_principal
from fieldapp.api.idempotency import IDEMPOTENCY_KEY_PARAMETER, create_once
from fieldapp.api.paging import cursor_key, page
from fieldapp.core.roles import SUPERVISOR
from fieldapp.core.templating import Wording
from fieldapp.core.templating.check import check_wording
from fieldapp.database import get_database, get_session
from fieldapp.models import MessageTemplate
from fieldapp.schemas.templates import (
    DiffQuerySchema,
    DiffSchema,
    LintRequestSchema,
    LintResultSchema,
    MergeFieldListSchema,
    PreviewRequestSchema,
    PreviewSchema,
    RejectSchema,
    RetireSchema,
    TemplateCreatedSchema,
    TemplateCreateSchema,
    TemplatePageSchema,
    TemplateQuerySchema,
    TemplateSchema,
    VersionCreateSchema,
    VersionListSchema,
    VersionSchema,
)
from fieldapp.services.templates import drafting, fitting, preview, reviews, versions
from fieldapp.services.templates.preview import Preview
from fieldapp.services.templates.versions import SavedVersion, VersionDiff
from fieldapp.web.access import allow
from fieldapp.web.keys import require_key_scope

bp = Blueprint(
    "templates", __name__, url_prefix="/api/v1", description="Victim-update message templates."
)
created_schema = TemplateCreatedSchema()
version_schema = VersionSchema()
KEY_PATH = "/templates/<string(maxlength=80):key>"
VERSION_PATH = KEY_PATH + "/versions/<int(max=1000000):number>"


@bp.get("/templates")
@bp.doc(operationId="ListTemplates")
@bp.arguments(TemplateQuerySchema, location="query")
@bp.response(200, TemplatePageSchema)
@allow(scope="templates:read")
def list_templates(query: dict[str, Any]) -> dict[str, Any]:
    """List templates in key order (officers: active templates with a published version).

    With victim_id or duty_id, only the templates that fit that person and duty: what a message
    picker offers.
    """
    after = cursor_key(query, types=(str,))
    if query.get("victim_id") is not None:
        require_key_scope("victims:read")
    if query.get("duty_id") is not None:
        require_key_scope("duties:read")
    fit = fitting.template_fit(
        get_session(),
        audit_context(),
        victim_id=query.get("victim_id"),
        duty_id=query.get("duty_id"),
    )
    found = versions.list_templates(
        get_session(),
        current_principal(),
        filters=query,
        after_key=None if after is None else after[0],
        limit=query["limit"],
        where=fit.conditions,
    )
    return page(found, limit=query["limit"], key=lambda t: [t.key])


@bp.post("/templates")
@bp.doc(operationId="CreateTemplate")
@bp.arguments(TemplateCreateSchema)
@bp.response(201, TemplateCreatedSchema)
@bp.doc(parameters=[IDEMPOTENCY_KEY_PARAMETER])
@allow(SUPERVISOR)
def create_template(data: dict[str, Any]) -> SavedVersion | Response:
    """Create a template; its first version is a draft, returned with its lint."""
    return create_once(
        lambda: versions.create_template(get_session(), audit_context(), data=data),
        schema=created_schema,
        resource_type="template_version",
        read=_saved_version,
        identify=_version_id,
    )


@bp.get(KEY_PATH)
@bp.doc(operationId="GetTemplate")
@bp.response(200, TemplateSchema)
@allow(scope="templates:read")
def get_template(key: str) -> MessageTemplate:
    """Read a template's metadata."""
    return versions.get_template(get_session(), current_principal(), key)


@bp.get(KEY_PATH + "/versions")
@bp.doc(operationId="ListTemplateVersions")
@bp.response(200, VersionListSchema)
@allow(scope="templates:read")
def list_versions(key: str) -> dict[str, list[SavedVersion]]:
    """List a template's versions, newest first (officers: published ones only)."""
    session, actor = get_session(), current_principal()
    template = versions.get_template(session, actor, key)
    found = versions.list_versions(session, actor, key)
    return {"value": [SavedVersion(template, version, None) for version in found]}


@bp.post(KEY_PATH + "/versions")
@bp.doc(operationId="SaveTemplateDraft")
@bp.arguments(VersionCreateSchema)
@bp.response(201, VersionSchema)
@bp.alt_response(200, schema=VersionSchema, description="Nothing changed: the latest version.")
@bp.doc(parameters=[IDEMPOTENCY_KEY_PARAMETER])
@allow(SUPERVISOR)
def create_version(data: dict[str, Any], key: str) -> Any:
    """Save a new draft, or restore an old text as one; an unchanged text makes no version."""
    result = create_once(
        lambda: versions.save_version(get_session(), audit_context(), key=key, data=data),
        schema=version_schema,
        resource_type="template_version",
        read=_saved_version,
        identify=_version_id,
        status=_saved_status,
    )
    return result if isinstance(result, Response) else (result, _saved_status(result))


def _saved_status(saved: SavedVersion) -> int:
    """201 for a new version, 200 for an unchanged text that made none."""
    return 201 if saved.created else 200


def _version_id(saved: SavedVersion) -> str:
    """How an idempotent replay names a saved version: ``key/number``."""
    return f"{saved.template.key}/{saved.version.number}"


def _saved_version(found: str) -> SavedVersion:
    """A saved version read again, as the caller may see it now, for an idempotent replay."""
    key, _, number = found.rpartition("/")
    template, version = versions.get_version(get_session(), current_principal(), key, int(number))
    wording = Wording(template.channel, template.language, version.body, version.subject)
    return SavedVersion(template, version, check_wording(wording))


@bp.get(VERSION_PATH)
@bp.doc(operationId="GetTemplateVersion")
@bp.response(200, VersionSchema)
@allow(scope="templates:read")
def get_version(key: str, number: int) -> SavedVersion:
    """Read one version (officers: published ones only)."""
    template, version = versions.get_version(get_session(), current_principal(), key, number)
    return SavedVersion(template, version, None)


@bp.post(VERSION_PATH + "/submit")
@bp.doc(operationId="SubmitTemplateVersion")
@bp.response(200, VersionSchema)
@allow(SUPERVISOR)
def submit_version(key: str, number: int) -> SavedVersion:
    """Send a draft for review by another supervisor; lint errors block it."""
    return reviews.submit_version(get_session(), audit_context(), key=key, number=number)


@bp.post(VERSION_PATH + "/approve")
@bp.doc(operationId="ApproveTemplateVersion")
@bp.response(200, VersionSchema)
@allow(SUPERVISOR)
def approve_version(key: str, number: int) -> SavedVersion:
    """Publish a submitted version (not your own); it supersedes the published one."""
    return reviews.approve_version(get_session(), audit_context(), key=key, number=number)


@bp.post(VERSION_PATH + "/reject")
@bp.doc(operationId="RejectTemplateVersion")
@bp.arguments(RejectSchema)
@bp.response(200, VersionSchema)
@allow(SUPERVISOR)
def reject_version(data: dict[str, Any], key: str, number: int) -> SavedVersion:
    """Send a submitted version back to its author with a reason."""
    return reviews.reject_version(
        get_session(), audit_context(), key=key, number=number, reason=data["reason"]
    )


@bp.post(KEY_PATH + "/retire")
@bp.doc(operationId="RetireTemplate")
@bp.arguments(RetireSchema)
@bp.response(200, TemplateSchema)
@allow(SUPERVISOR)
def retire_template(data: dict[str, Any], key: str) -> MessageTemplate:
    """Withdraw a template: officers stop seeing it; its history stays."""
    return reviews.retire_template(
        get_session(), audit_context(), key=key, reason=data.get("reason")
    )


@bp.get(VERSION_PATH + "/diff")
@bp.doc(operationId="DiffTemplateVersions")
@bp.arguments(DiffQuerySchema, location="query")
@bp.response(200, DiffSchema)
@allow(SUPERVISOR, "admin")
def diff_versions(query: dict[str, Any], key: str, number: int) -> VersionDiff:
    """Show what changed from version ``against`` to this one (unified diff)."""
    return versions.diff_versions(
        get_session(), current_principal(), key=key, number=number, against=query["against"]
    )


@bp.post(KEY_PATH + "/preview")
@bp.doc(operationId="PreviewTemplate")
@bp.arguments(PreviewRequestSchema())
@bp.response(200, PreviewSchema)
@allow(scope="templates:read")
def preview_template(data: dict[str, Any], key: str) -> Preview:
    """Render a version with sample data, or with a case and victim you may see."""
    return preview.preview_template(
        get_session(),
        audit_context(),
        key=key,
        number=data.get("version"),
        case_id=data.get("case_id"),
        victim_id=data.get("victim_id"),
        event_id=data.get("event_id"),
        force=current_app.config["FORCE"],
        reads=get_database().autocommit,
    )


@bp.post("/templates/lint")
@bp.doc(operationId="LintTemplate")
@bp.arguments(LintRequestSchema)
@bp.response(200, LintResultSchema)
@allow(SUPERVISOR)
def lint_template(data: dict[str, Any]) -> drafting.DraftLint:
    """Lint a wording before saving it: merged with the sample data, refusals listed as errors."""
    return drafting.lint_draft(get_session(), audit_context(), data)


@bp.get("/template-fields")
@bp.doc(operationId="ListTemplateFields")
@bp.response(200, MergeFieldListSchema)
@allow(scope="templates:read")
def list_template_fields() -> dict[str, Any]:
    """The merge fields templates may use, each with a description and an example."""
    return drafting.merge_fields()
