"""Command-line commands: `flask --app wsgi <command>`."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from appraisal.auth import operations
from appraisal.auth.models import Role
from appraisal.demo.cli import demo
from appraisal.extensions import db
from appraisal.jobs.cli import run_job_command, scheduler_command


@click.command("create-admin")
@click.option("--username", prompt=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@with_appcontext
def create_admin(username: str, password: str) -> None:
    """Create an administrator account for a real installation."""
    if operations.find_user(username):
        raise click.ClickException(f"a user named {username!r} exists already")
    try:
        user = operations.create_user(None, username=username, password=password)
    except operations.PasswordPolicyError as error:
        raise click.ClickException(f"password: {error}") from error
    operations.grant_role(None, user, Role.admin)
    db.session.commit()
    click.echo(f"Administrator {username} created.")


COMMANDS = [create_admin, demo, scheduler_command, run_job_command]
