# Read by `flask` (python-dotenv): `.venv/bin/flask db upgrade` needs no --app; --app wsgi still works.
FLASK_APP=wsgi
