"""Scheduled jobs, run by `flask --app wsgi scheduler` in its own process (never in the web
workers), or once with `flask --app wsgi run-job <name>`."""
