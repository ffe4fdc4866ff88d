"""The console's pages, one module per feature; importing this registers them all on ``bp``."""

from fieldapp.console.views import editor, session

__all__ = ["editor", "session"]
