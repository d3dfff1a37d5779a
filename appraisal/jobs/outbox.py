"""The outbox job: e-mail every due notification, each exactly once.

Messages are claimed in small batches (a conditional UPDATE, committed before sending), so
overlapping runs, in one process or several, never pick the same message. Each outcome is
committed as soon as it is known, so a crash loses at most the message being sent.
"""

from __future__ import annotations

import time
from collections import Counter
from datetime import datetime

from flask import current_app
from sqlalchemy import select

from appraisal.extensions import db
from appraisal.jobs.runner import stopping, worker_id
from appraisal.notifications import operations, queries
from appraisal.notifications.mail import Mailer, MailError, build_message
from appraisal.notifications.models import EmailStatus, Notification

BATCH = 10
MAX_PER_RUN = 1000
# Stop claiming new batches after this long; the next slot carries on.
TIME_BUDGET_SECONDS = 240


def deliver_outbox(now: datetime) -> str:
    """Send (or keep) every message due at ``now``; returns what happened, for the log."""
    worker = worker_id()
    released = operations.release_stale_claims()
    db.session.commit()
    counts: Counter = Counter()
    deadline = time.monotonic() + TIME_BUDGET_SECONDS
    with Mailer(current_app.config) as mailer:
        while counts.total() < MAX_PER_RUN and not stopping.is_set() \
                and time.monotonic() < deadline:
            ids = operations.claim_due(worker, now, BATCH)
            db.session.commit()  # the claim must be visible to other processes first
            if not ids:
                break
            counts.update(_deliver_batch(ids, mailer, worker, now))
    outcomes = ", ".join(f"{name} {counts[name]}" for name in ("sent", "kept", "retry", "failed"))
    return f"{outcomes}, stale claims released {released}"


def _deliver_batch(ids: list[int], mailer: Mailer, worker: str, now: datetime) -> Counter:
    counts: Counter = Counter()
    query = select(Notification).where(Notification.id.in_(ids)).order_by(Notification.id)
    notifications = list(db.session.scalars(query.options(*queries.with_recipient())))
    remaining = [n.id for n in notifications]
    try:
        for notification in notifications:
            if stopping.is_set():
                break
            counts[deliver_one(notification, mailer, worker, now)] += 1
            db.session.commit()
            remaining.remove(notification.id)
    finally:
        # Claimed but not attempted (stopping, or an error): give them back at once.
        db.session.rollback()
        operations.release_claims(remaining, worker)
        db.session.commit()
    return counts


def deliver_one(notification: Notification, mailer: Mailer, worker: str, now: datetime) -> str:
    """E-mail one claimed message and record the outcome (not committed)."""
    if not mailer.configured or not operations.can_email(notification.recipient):
        operations.record_kept(notification, worker)
        return "kept"
    try:
        mailer.send(build_message(notification, current_app.config))
    except MailError as error:
        status = operations.record_failure(notification, worker, str(error), now,
                                           permanent=error.permanent)
        return "failed" if status is EmailStatus.failed else "retry"
    operations.record_sent(notification, worker)
    return "sent"
