"""WSGI entry point: ``gunicorn wsgi:app`` and ``flask --app wsgi ...``."""

from fieldapp import create_app

app = create_app()
