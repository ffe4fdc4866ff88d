"""The connector's curated surface: which API operations it offers, named for makers.

Power Apps makers see operation ids as function names (``Fieldapp.ListDuties(...)``) and
summaries as action names, so both are chosen here, once. Everything else (parameters,
schemas, the description sentence, which is the view's docstring) comes from the code
that generates openapi.yaml.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ConnectorOperation:
    """One API operation as the connector offers it."""

    method: str
    path: str
    operation_id: str
    summary: str
    visibility: str = "important"


OPERATIONS: tuple[ConnectorOperation, ...] = (
    ConnectorOperation("get", "/api/v1/me", "GetMe", "Get my profile"),
    ConnectorOperation("get", "/api/v1/cases", "ListCases", "List cases"),
    ConnectorOperation("post", "/api/v1/cases", "CreateCase", "Open a case"),
    ConnectorOperation("get", "/api/v1/cases/{case_id}", "GetCase", "Get a case"),
    ConnectorOperation("patch", "/api/v1/cases/{case_id}", "UpdateCase", "Change a case"),
    ConnectorOperation(
        "get", "/api/v1/cases/{case_id}/victims", "ListVictims", "List the victims of a case"
    ),
    ConnectorOperation(
        "post", "/api/v1/cases/{case_id}/victims", "CreateVictim", "Add a victim to a case"
    ),
    ConnectorOperation("get", "/api/v1/victims/{victim_id}", "GetVictim", "Get a victim"),
    ConnectorOperation("patch", "/api/v1/victims/{victim_id}", "UpdateVictim", "Change a victim"),
    ConnectorOperation(
        "get", "/api/v1/cases/{case_id}/events", "ListEvents", "List the events of a case"
    ),
    ConnectorOperation(
        "post", "/api/v1/cases/{case_id}/events", "RecordEvent", "Record an event on a case"
    ),
    ConnectorOperation("get", "/api/v1/duties", "ListDuties", "List contact duties"),
    ConnectorOperation(
        "patch", "/api/v1/duties/{duty_id}", "CloseDuty", "Close a duty (missed or not required)"
    ),
    ConnectorOperation("get", "/api/v1/templates", "ListTemplates", "List message templates"),
    ConnectorOperation("get", "/api/v1/templates/{key}", "GetTemplate", "Get a message template"),
    ConnectorOperation(
        "post", "/api/v1/templates/{key}/preview", "PreviewTemplate", "Preview a message template"
    ),
    ConnectorOperation(
        "get", "/api/v1/template-fields", "ListTemplateFields", "List template merge fields"
    ),
    ConnectorOperation(
        "post", "/api/v1/cases/{case_id}/messages", "WriteMessage", "Write a victim update"
    ),
    ConnectorOperation(
        "get", "/api/v1/cases/{case_id}/messages", "ListMessages", "List the messages of a case"
    ),
    ConnectorOperation("get", "/api/v1/messages/{message_id}", "GetMessage", "Get a message"),
    ConnectorOperation(
        "post", "/api/v1/messages/{message_id}/send", "SendMessage", "Queue a message for Notify"
    ),
    ConnectorOperation(
        "post",
        "/api/v1/messages/{message_id}/sent",
        "ConfirmMessageSent",
        "Confirm a message was sent by hand",
    ),
    ConnectorOperation(
        "post", "/api/v1/webhooks", "CreateWebhook", "When a fieldapp event happens"
    ),
    ConnectorOperation(
        "delete",
        "/api/v1/webhooks/{webhook_id}",
        "DeleteWebhook",
        "Delete an event subscription",
        visibility="internal",
    ),
    ConnectorOperation(
        "get",
        "/api/v1/metrics/compliance",
        "GetComplianceMetrics",
        "Get Victims Code compliance figures",
        visibility="advanced",
    ),
)

#: Parameters makers rarely set: shown under "advanced" in the designer.
ADVANCED_PARAMETERS = frozenset({"Idempotency-Key", "cursor", "limit", "updated_since"})

IDEMPOTENCY_NOTE = (
    "Pass GUID() in Power Apps or guid() in a flow, one per create: the platform re-sends "
    "a request on a timeout or error, and a retry with the same key returns the first "
    "answer instead of creating a second record."
)

#: Text for parameters whose generated description is too thin for a maker.
PARAMETER_TEXT = {
    "If-Match": (
        "The version field of the record as you last read it (from its Get or List action), "
        "e.g. 3, or its ETag. If someone changed the record since, the change is refused "
        "(412 Precondition Failed): read it again and retry."
    ),
    "scope": "mine: only your own; team: your team's.",
    "key": "The template's key, as listed by ListTemplates.",
}

#: What a path parameter is and where a maker finds it.
PATH_PARAMETER_TEXT = {
    "case_id": "The case's ID: the id field of a case from ListCases or GetCase.",
    "victim_id": "The victim's ID: the id field of a victim from ListVictims or GetVictim.",
    "duty_id": "The duty's ID: the id field of a duty from ListDuties.",
    "message_id": "The message's ID: the id field of a message from WriteMessage or ListMessages.",
    "webhook_id": "The subscription's ID: the id field from CreateWebhook.",
}

#: Text for fields whose name alone says too little ("The value.").
PROPERTY_TEXT = {
    "id": "The record's unique ID: pass it to the Get and change actions.",
    "value": "The items of this page (or of the whole list when it has no nextLink).",
}

#: Headers the security definition sends: never parameters a maker fills in.
SECURITY_HEADERS = frozenset({"Authorization", "X-API-Key"})

#: Types for read-only fields the generator could not type (computed by a function).
PROPERTY_TYPES = {
    ("Case", "team"): {"type": "string", "description": "The team's name."},
    ("Case", "officer_in_charge"): {"type": "string"},
    ("Victim", "deleted"): {"type": "boolean"},
    ("MergeField", "example"): {
        "description": "From the sample data: a text, or a list of texts for list fields."
    },
}

#: A drop-down of the templates an officer may use, by name.
TEMPLATE_PICKER = {
    "operationId": "ListTemplates",
    "value-collection": "value",
    "value-path": "key",
    "value-title": "name",
}

#: The message's template picker: only the templates that fit the victim and duty chosen
#: (ListTemplates filters by them). Power Apps reads x-ms-dynamic-values; Power Automate
#: reaches sibling body fields through x-ms-dynamic-list's parameterReference.
MESSAGE_TEMPLATE_PICKER = {
    **TEMPLATE_PICKER,
    "parameters": {
        "victim_id": {"parameter": "victim_id"},
        "duty_id": {"parameter": "duty_id"},
    },
}
MESSAGE_TEMPLATE_LIST = {
    "operationId": "ListTemplates",
    "parameters": {
        "victim_id": {"parameterReference": "body/victim_id"},
        "duty_id": {"parameterReference": "body/duty_id"},
    },
    "itemsPath": "value",
    "itemValuePath": "key",
    "itemTitlePath": "name",
}

#: Drop-downs (x-ms-dynamic-values): the template and the victim a message is written from and to.
DYNAMIC_VALUES: dict[tuple[str, str], dict[str, Any]] = {
    ("MessageCreate", "template_key"): MESSAGE_TEMPLATE_PICKER,
    ("MessageCreate", "victim_id"): {
        "operationId": "ListVictims",
        "parameters": {"case_id": {"parameter": "case_id"}},
        "value-collection": "value",
        "value-path": "id",
        "value-title": "last_name",
    },
}

#: Drop-downs in Power Automate's form (x-ms-dynamic-list), where they read sibling fields.
DYNAMIC_LISTS: dict[tuple[str, str], dict[str, Any]] = {
    ("MessageCreate", "template_key"): MESSAGE_TEMPLATE_LIST,
}


@dataclass(frozen=True)
class WebhookTrigger:
    """A Power Automate trigger on a webhook subscription: the platform subscribes its own URL
    when a flow is turned on, and deletes the subscription (DELETE on the Location it was
    answered with) when the flow is turned off or deleted."""

    operation_id: str
    url_field: str
    event_schema: str
    description: str
    body: str
    hint: str
    content: str
    location: str


TRIGGERS: tuple[WebhookTrigger, ...] = (
    WebhookTrigger(
        operation_id="CreateWebhook",
        url_field="url",
        event_schema="WebhookEvent",
        description=(
            "Starts the flow when one of the chosen events happens in fieldapp: a contact duty "
            "due soon or overdue, a victim-update message delivered or failed, or a template "
            "submitted for review. Each run gets one event, of those the connection's user may "
            "see."
        ),
        body="The events that start the flow.",
        hint=(
            "To see it run, make the event happen in fieldapp: for example submit a template "
            "version for review, or wait for a contact duty to fall due."
        ),
        content=(
            "The event, as fieldapp posts it: its type, when it happened, and what it is about "
            "(ids and codes only, never names, contact details or message text)."
        ),
        location=(
            "The subscription's URL: Power Automate deletes the subscription there when the "
            "flow is turned off or deleted."
        ),
    ),
)

#: Texts for the trigger's own fields (the subscription the platform makes for the flow).
TRIGGER_TEXT = {
    "url": "The URL Power Automate receives the events on; filled in by the platform.",
    "events": "The events that start the flow: pick one or more.",
    "description": "A note shown to administrators beside the subscription, e.g. the flow's name.",
}
