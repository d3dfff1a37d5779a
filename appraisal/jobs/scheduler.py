"""The scheduler process: APScheduler's BlockingScheduler running every job of ``JOBS``.

Start it with `flask --app wsgi scheduler`, as its own process: the web workers never start
one. Running two for redundancy is safe (see ``runner``).
"""

from __future__ import annotations

import signal
from datetime import UTC, datetime

from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask

from appraisal.jobs.alarms import refresh_alarms
from appraisal.jobs.housekeeping import housekeeping
from appraisal.jobs.outbox import deliver_outbox
from appraisal.jobs.runner import Job, log, run_job, stopping

JOBS: dict[str, Job] = {
    job.name: job
    for job in [
        Job("outbox", deliver_outbox, "SCHEDULER_OUTBOX_SECONDS",
            "Deliver the e-mail outbox"),
        Job("housekeeping", housekeeping, "SCHEDULER_HOUSEKEEPING_SECONDS",
            "Remove expired idempotency keys and unconfirmed uploads"),
        Job("alarms", refresh_alarms, "SCHEDULER_ALARMS_SECONDS",
            "Raise the funnel-plot alarms of the cycles taking data"),
    ]
}


def build_scheduler(app: Flask) -> BlockingScheduler:
    """A scheduler with one interval trigger per job, each first run at once."""
    scheduler = BlockingScheduler(
        timezone=UTC,
        # One run of a job at a time per process; a run that outlasts its interval makes
        # the missed slots collapse into the next one.
        job_defaults={"coalesce": True, "max_instances": 1},
    )
    for job in JOBS.values():
        scheduler.add_job(run_job, "interval", seconds=job.interval(app.config),
                          args=(app, job), id=job.name, name=job.description,
                          next_run_time=datetime.now(UTC))
    return scheduler


def run_scheduler(app: Flask) -> None:
    """Run until SIGTERM or SIGINT; a run in progress finishes its current message."""
    scheduler = build_scheduler(app)

    def stop(signum, frame) -> None:
        log.info("scheduler: stopping (signal %s)", signum)
        stopping.set()
        scheduler.shutdown(wait=False)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for job in JOBS.values():
        log.info("scheduler: %s every %s s", job.name, job.interval(app.config))
    scheduler.start()
    log.info("scheduler: stopped")
