"""Run one job for one time slot: claim the slot, call the job, commit or roll back, log.

Each run inserts a ``JobRun`` row for (job, slot) and commits it before doing anything; a
process whose insert hits the unique constraint skips the slot. So however many scheduler
processes run, and however their clocks tick, a slot runs at most once.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import Flask
from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError

from appraisal.core.db import utcnow
from appraisal.extensions import db
from appraisal.jobs.models import JobRun, JobStatus

log = logging.getLogger("appraisal.jobs")

# Set when the scheduler is asked to stop: long jobs check it between units of work.
stopping = threading.Event()

# Finished runs older than this are deleted (one row per job per slot adds up quickly).
KEEP_RUNS = timedelta(days=30)


@dataclass(frozen=True)
class Job:
    """A scheduled job: ``run(now)`` does one slot's work and returns a one-line summary."""

    name: str
    run: Callable[[datetime], str]
    interval_setting: str
    description: str

    def interval(self, config) -> int:
        return max(1, int(config[self.interval_setting]))


@dataclass(frozen=True)
class RunResult:
    """What one call of ``run_job`` did: ``succeeded``, ``failed`` or ``skipped``."""

    job: str
    slot: str
    outcome: str
    summary: str = ""
    error: str = ""


def worker_id() -> str:
    """This process (and this run), as recorded on the rows it claims."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


def slot_key(now: datetime, seconds: int) -> str:
    """The start of the interval slot ``now`` falls in, e.g. "2025-03-01T08:15:00Z"."""
    epoch = int(now.timestamp())
    start = datetime.fromtimestamp(epoch - epoch % seconds, UTC)
    return start.strftime("%Y-%m-%dT%H:%M:%SZ")


def run_job(app: Flask, job: Job, now: datetime | None = None) -> RunResult:
    """Run ``job`` for the slot of ``now`` (default: the current time), once across all
    processes; commits the job's work, or rolls it back and records the error."""
    with app.app_context():
        now = now or utcnow()
        slot = slot_key(now, job.interval(app.config))
        run_id = _claim_slot(job.name, slot)
        if run_id is None:
            log.info("%s %s: skipped (this slot has already been run)", job.name, slot)
            return RunResult(job.name, slot, "skipped")
        try:
            summary = job.run(now)
            db.session.commit()
        except Exception as error:
            db.session.rollback()
            log.exception("%s %s: failed", job.name, slot)
            message = f"{type(error).__name__}: {error}"
            _finish(run_id, JobStatus.failed, error=message[:4000])
            return RunResult(job.name, slot, "failed", error=message)
        _finish(run_id, JobStatus.succeeded, summary=summary)
        log.info("%s %s: %s", job.name, slot, summary)
        return RunResult(job.name, slot, "succeeded", summary=summary)


def _claim_slot(job: str, slot: str) -> int | None:
    run = JobRun(job=job, slot=slot, worker=worker_id(), started_at=utcnow())
    db.session.add(run)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return None
    return run.id


def _finish(run_id: int, status: JobStatus, summary: str = "", error: str | None = None) -> None:
    now = utcnow()
    db.session.execute(
        update(JobRun).where(JobRun.id == run_id)
        .values(status=status, finished_at=now, summary=summary, error=error)
    )
    db.session.execute(delete(JobRun).where(JobRun.started_at < now - KEEP_RUNS))
    db.session.commit()
