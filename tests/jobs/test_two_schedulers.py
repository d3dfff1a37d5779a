"""ACCEPTANCE: two scheduler processes running the outbox job against the same PostgreSQL
database deliver each message exactly once."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select

from appraisal.extensions import db
from appraisal.jobs.models import JobRun
from appraisal.notifications.models import EmailStatus, Notification
from tests.conftest import POSTGRES
from tests.notifications.helpers import notice, user_with_email

ROOT = Path(__file__).resolve().parents[2]
MESSAGES = 200
DEADLINE_SECONDS = 60


def sent_count() -> int:
    db.session.rollback()  # see the other processes' commits
    return db.session.scalar(select(func.count()).select_from(Notification)
                             .where(Notification.email_status == EmailStatus.sent))


def start_scheduler(env: dict, log: Path) -> subprocess.Popen:
    flask = Path(sys.executable).with_name("flask")
    with log.open("wb") as out:
        return subprocess.Popen([str(flask), "--app", "wsgi", "scheduler"], cwd=ROOT, env=env,
                                stdout=out, stderr=subprocess.STDOUT)


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=15)


@pytest.mark.postgres
@pytest.mark.skipif(not POSTGRES, reason="needs DATABASE_URL pointing at PostgreSQL")
def test_two_schedulers_deliver_each_message_exactly_once(app, make, smtp_server, tmp_path):
    smtp_server.configure(app)
    smtp_server.handler.delay = 0.02  # slow enough for both processes to overlap
    users = [user_with_email(make, f"dr_{n}") for n in range(5)]
    for n in range(MESSAGES):
        notice(users[n % 5], f"Message {n}")
    db.session.commit()
    env = dict(os.environ, DATABASE_URL=os.environ["DATABASE_URL"],
               SMTP_HOST=smtp_server.host, SMTP_PORT=str(smtp_server.port),
               SCHEDULER_OUTBOX_SECONDS="1", SECRET_KEY="scheduler-test",
               MAIL_FROM="appraisal@hospital.example", PYTHONUNBUFFERED="1")
    logs = [tmp_path / "scheduler-1.log", tmp_path / "scheduler-2.log"]
    processes = []
    try:
        processes = [start_scheduler(env, log) for log in logs]
        deadline = time.monotonic() + DEADLINE_SECONDS
        while sent_count() < MESSAGES and time.monotonic() < deadline:
            assert all(p.poll() is None for p in processes), "a scheduler process died"
            time.sleep(0.25)
        time.sleep(2.5)  # a few more slots: any second delivery would show up now
    finally:
        for process in processes:
            stop(process)

    output = "\n".join(log.read_text() for log in logs)
    assert sent_count() == MESSAGES, output[-3000:]
    received = Counter(smtp_server.handler.ids())
    assert len(received) == MESSAGES
    assert set(received.values()) == {1}, [i for i, n in received.items() if n > 1]
    # Both processes really took part: each ran slots of the outbox job.
    workers = {run.worker.rsplit(":", 1)[0] for run in db.session.scalars(select(JobRun))}
    assert len(workers) == 2, output[-3000:]
    assert output.count("scheduler: outbox every 1 s") == 2
