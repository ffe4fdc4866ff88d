"""The console's pages, one module per feature; importing this registers them all on ``bp``."""

from fieldapp.console.views import compliance, session

__all__ = ["compliance", "session"]
