"""SQLAlchemy 2.x typed models: the only place that knows tables."""

from fieldapp.models.base import Base
from fieldapp.models.device_session import DeviceSession
from fieldapp.models.team import Team
from fieldapp.models.user import User

__all__ = ["Base", "DeviceSession", "Team", "User"]
