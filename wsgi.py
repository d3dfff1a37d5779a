"""WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi run`."""

from appraisal import create_app

app = create_app()
