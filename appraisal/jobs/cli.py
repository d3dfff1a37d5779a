"""`flask --app wsgi scheduler` and `flask --app wsgi run-job <name>`."""

from __future__ import annotations

import logging
import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from appraisal.jobs.runner import run_job
from appraisal.jobs.scheduler import JOBS, run_scheduler


def configure_logging() -> None:
    """Every run says what it did, on stdout (where process managers collect it)."""
    logging.basicConfig(
        stream=sys.stdout, level=logging.INFO, force=True,
        format="%(asctime)s %(levelname)s %(name)s [%(process)d] %(message)s",
    )
    # Our own line per run says what it did; APScheduler's start/finish lines are noise.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)


@click.command("scheduler")
@with_appcontext
def scheduler_command() -> None:
    """Run the scheduled jobs until stopped (its own process; never inside the web server)."""
    configure_logging()
    run_scheduler(current_app._get_current_object())


@click.command("run-job")
@click.argument("name", type=click.Choice(sorted(JOBS)))
@with_appcontext
def run_job_command(name: str) -> None:
    """Run one job now, for the current slot (skipped if that slot has run already)."""
    configure_logging()
    result = run_job(current_app._get_current_object(), JOBS[name])
    if result.outcome == "skipped":
        click.echo(f"{name}: slot {result.slot} has already been run; nothing done.")
    elif result.outcome == "failed":
        raise click.ClickException(f"{name}: slot {result.slot} failed: {result.error}")
    else:
        click.echo(f"{name}: slot {result.slot}: {result.summary}")
