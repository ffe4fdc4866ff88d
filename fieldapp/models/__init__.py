"""SQLAlchemy 2.x typed models: the only place that knows tables."""

from fieldapp.models.audit import AuditChainHead, AuditRecord
from fieldapp.models.base import Base
from fieldapp.models.case import Case
from fieldapp.models.device_session import DeviceSession
from fieldapp.models.idempotency import IdempotencyRecord
from fieldapp.models.team import Team
from fieldapp.models.user import User

__all__ = [
    "AuditChainHead",
    "AuditRecord",
    "Base",
    "Case",
    "DeviceSession",
    "IdempotencyRecord",
    "Team",
    "User",
]
