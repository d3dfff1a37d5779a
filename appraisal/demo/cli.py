"""`flask --app wsgi demo`: seed the demo hospital into an empty database."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import inspect

from appraisal.demo.seed import DEMO_ACCOUNTS, DemoRefused, database_is_empty, seed_demo
from appraisal.extensions import db


@click.command("demo")
@click.option("--if-empty", is_flag=True,
              help="Skip quietly (exit 0) when the database already holds data.")
@with_appcontext
def demo(if_empty: bool) -> None:
    """Seed a demo hospital (departments, staff, five demo accounts) into an empty database."""
    if not inspect(db.engine).has_table("departments"):
        raise click.ClickException(
            "the database has no tables yet: run `flask --app wsgi db upgrade` first")
    if if_empty and not database_is_empty():
        click.echo("The database already holds data: demo seeding skipped.")
        return
    try:
        summary = seed_demo()
    except DemoRefused as refusal:
        raise click.ClickException(
            f"{refusal} Use a fresh database, or `--if-empty` to skip quietly.") from refusal
    db.session.commit()
    click.echo(f"Demo hospital created: {summary.divisions} divisions, {summary.departments} "
               f"departments, {summary.wards} wards and teams, {summary.staff} staff.")
    click.echo("Demo accounts (all with the password shown):")
    for account in DEMO_ACCOUNTS:
        click.echo(f"  {account.username:<10} {account.password}  {account.description}")
