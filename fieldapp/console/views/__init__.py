"""The console's pages, one module per feature; importing this registers them all on ``bp``."""

from fieldapp.console.views import session

__all__ = ["session"]
