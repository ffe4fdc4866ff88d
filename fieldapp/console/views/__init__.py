"""The console's pages, one module per feature; importing this registers them all on ``bp``."""

from fieldapp.console.views import admin, compliance, editor, reviews, session, templates

__all__ = ["admin", "compliance", "editor", "reviews", "session", "templates"]
