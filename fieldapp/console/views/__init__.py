"""The console's pages, one module per feature; importing this registers them all on ``bp``."""

from fieldapp.console.views import admin, reviews, session, templates

__all__ = ["admin", "reviews", "session", "templates"]
