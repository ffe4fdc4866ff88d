"""SQLAlchemy 2.x typed models: the only place that knows tables."""

from fieldapp.models.api_key import ApiKey
from fieldapp.models.audit import AuditRecord, AuditSeal
from fieldapp.models.base import Base
from fieldapp.models.case import Case
from fieldapp.models.contact import Contact
from fieldapp.models.device_session import DeviceSession
from fieldapp.models.duty import ContactDuty
from fieldapp.models.event import InvestigationEvent
from fieldapp.models.idempotency import IdempotencyRecord
from fieldapp.models.message import Message, OutboxItem
from fieldapp.models.team import Team
from fieldapp.models.template import MessageTemplate, TemplateVersion
from fieldapp.models.user import User
from fieldapp.models.victim import Victim
from fieldapp.models.webhook import WebhookDelivery, WebhookEvent, WebhookSubscription

__all__ = [
    "ApiKey",
    "AuditRecord",
    "AuditSeal",
    "Base",
    "Case",
    "Contact",
    "ContactDuty",
    "DeviceSession",
    "IdempotencyRecord",
    "InvestigationEvent",
    "Message",
    "MessageTemplate",
    "OutboxItem",
    "Team",
    "TemplateVersion",
    "User",
    "Victim",
    "WebhookDelivery",
    "WebhookEvent",
    "WebhookSubscription",
]
