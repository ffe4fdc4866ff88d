"""``fieldapp ...``: the flask commands of an installed fieldapp, with no ``--app`` to give.

``fieldapp db upgrade`` is ``flask --app wsgi db upgrade`` in a checkout.
"""

from __future__ import annotations

from flask.cli import FlaskGroup

from fieldapp import create_app


def main() -> None:
    """Run the command line (the ``fieldapp`` console script)."""
    FlaskGroup(name="fieldapp", create_app=create_app).main(prog_name="fieldapp")
