"""Job runs: one JobRun row per job and slot makes every job idempotent."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from appraisal.core.audit import AuditEntry, record
from appraisal.core.db import utcnow
from appraisal.extensions import db
from appraisal.jobs.models import JobRun, JobStatus
from appraisal.jobs.runner import Job, run_job, slot_key
from appraisal.jobs.scheduler import JOBS, build_scheduler
from tests.notifications.helpers import notice, user_with_email

AT = datetime(2025, 3, 1, 8, 15, 42, tzinfo=UTC)


@pytest.mark.parametrize("seconds, expected", [
    (60, "2025-03-01T08:15:00Z"),
    (1, "2025-03-01T08:15:42Z"),
    (300, "2025-03-01T08:15:00Z"),
    (3600, "2025-03-01T08:00:00Z"),
    (86400, "2025-03-01T00:00:00Z"),
])
def test_slot_key(seconds, expected):
    assert slot_key(AT, seconds) == expected


def runs(job="outbox"):
    db.session.expire_all()
    return list(db.session.scalars(select(JobRun).where(JobRun.job == job)))


def test_the_second_run_of_the_same_slot_does_nothing(app, make, smtp_server):
    smtp_server.configure(app)
    notice(user_with_email(make, "dr_li"), "First")
    db.session.commit()
    now = utcnow()

    first = run_job(app, JOBS["outbox"], now)
    notice(user_with_email(make, "dr_wang"), "Arrived after the first run")
    db.session.commit()
    second = run_job(app, JOBS["outbox"], now)

    assert first.outcome == "succeeded" and first.summary.startswith("sent 1,")
    assert second.outcome == "skipped" and second.slot == first.slot
    assert len(smtp_server.messages) == 1
    (row,) = runs()
    assert row.slot == first.slot and row.status is JobStatus.succeeded
    assert row.finished_at is not None and row.summary == first.summary


def test_the_next_slot_runs(app, make, smtp_server):
    smtp_server.configure(app)
    app.config["SCHEDULER_OUTBOX_SECONDS"] = 60
    run_job(app, JOBS["outbox"], AT)
    notice(user_with_email(make, "dr_li"))
    db.session.commit()

    result = run_job(app, JOBS["outbox"], AT.replace(minute=16))

    assert result.outcome == "succeeded" and "sent 1" in result.summary
    assert [r.slot for r in runs()] == ["2025-03-01T08:15:00Z", "2025-03-01T08:16:00Z"]


def test_a_failing_job_rolls_back_its_work_and_records_the_error(app):
    def broken(now):
        record(None, "half.done")
        raise RuntimeError("disk full")

    result = run_job(app, Job("broken", broken, "SCHEDULER_OUTBOX_SECONDS", "Broken"), AT)

    assert result.outcome == "failed" and "disk full" in result.error
    (row,) = runs("broken")
    assert row.status is JobStatus.failed and "RuntimeError: disk full" in row.error
    assert not db.session.scalar(select(func.count()).select_from(AuditEntry)
                                 .where(AuditEntry.action == "half.done"))


def test_run_job_command(app, make, smtp_server):
    smtp_server.configure(app)
    notice(user_with_email(make, "dr_li"))
    db.session.commit()
    runner = app.test_cli_runner()

    first = runner.invoke(args=["run-job", "outbox"])
    second = runner.invoke(args=["run-job", "outbox"])

    assert first.exit_code == 0, first.output
    assert "sent 1" in first.output
    # Same slot (unless the minute turned between the two calls): nothing done.
    assert second.exit_code == 0
    assert "already been run" in second.output or "sent 0" in second.output
    assert len(smtp_server.messages) == 1


def test_run_job_rejects_an_unknown_job(app):
    result = app.test_cli_runner().invoke(args=["run-job", "nonsense"])

    assert result.exit_code != 0 and "outbox" in result.output


def test_the_scheduler_has_every_job_on_its_interval(app):
    app.config["SCHEDULER_OUTBOX_SECONDS"] = 45
    app.config["SCHEDULER_HOUSEKEEPING_SECONDS"] = 7200
    app.config["SCHEDULER_ALARMS_SECONDS"] = 600

    scheduler = build_scheduler(app)

    intervals = {job.id: job.trigger.interval.total_seconds() for job in scheduler.get_jobs()}
    assert intervals == {"outbox": 45, "housekeeping": 7200, "alarms": 600}


def test_old_runs_are_pruned(app):
    old = JobRun(job="outbox", slot="2000-01-01T00:00:00Z", status=JobStatus.succeeded,
                 started_at=datetime(2000, 1, 1, tzinfo=UTC))
    db.session.add(old)
    db.session.commit()

    run_job(app, JOBS["outbox"])

    slots = [r.slot for r in runs()]
    assert len(slots) == 1 and slots[0] != "2000-01-01T00:00:00Z"
