"""Notification operations: notify, mark read, and the steps of e-mail delivery.

Operations change state and never commit. Delivery steps are conditional UPDATEs: each one
names the process that claimed the message, so two scheduler processes can never both send,
or both record, the same message. The outbox job (``appraisal.jobs.outbox``) commits between
the steps, because a claim must be visible to the other processes before the e-mail goes out.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import or_, select, update

from appraisal.auth.models import User
from appraisal.core import audit
from appraisal.core.db import utcnow
from appraisal.extensions import db
from appraisal.notifications.models import EmailStatus, Notification

DEFAULT_MAX_ATTEMPTS = 5
DEFAULT_RETRY_SECONDS = 300
# Far longer than one SMTP exchange: a claim this old belongs to a process that died.
DEFAULT_CLAIM_TIMEOUT_SECONDS = 15 * 60
SUBJECT_LENGTH = 200


def notify(recipient: User, kind: str, subject: str, body: str, link: str | None = None
           ) -> Notification:
    """Tell ``recipient`` something: in their inbox at once, by e-mail through the outbox.

    ``link`` is a path inside the application (e.g. from ``url_for``), never an outside URL.
    """
    if link is not None and not is_local_path(link):
        raise ValueError(f"a notification link must be a path in the app, not {link!r}")
    notification = Notification(
        recipient=recipient, kind=kind, subject=one_line(subject)[:SUBJECT_LENGTH],
        body=body, link=link, created_at=utcnow(),
        email_status=EmailStatus.pending if can_email(recipient) else EmailStatus.kept,
    )
    db.session.add(notification)
    db.session.flush()
    return notification


@contextmanager
def recipient_locale(user: User):
    """Write a notification's text in the language the recipient chose."""
    with force_locale(user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        yield


def is_local_path(link: str) -> bool:
    return link.startswith("/") and not link.startswith("//") and "\\" not in link


def one_line(text: str) -> str:
    # A line break in a subject would let text inject e-mail headers.
    return re.sub(r"\s+", " ", text).strip()


def smtp_configured() -> bool:
    return bool(current_app.config.get("SMTP_HOST"))


def can_email(user: User) -> bool:
    """E-mail goes out only with a mail server, an address, and an active account."""
    return smtp_configured() and bool(user.email) and user.active


# -- the recipient's own actions ---------------------------------------------------------
def mark_read(user: User, notification: Notification) -> bool:
    """Mark one of the user's notifications read; False if it already was."""
    if notification.recipient_id != user.id:
        raise PermissionError("only the recipient marks a notification read")
    if notification.read_at is not None:
        return False
    notification.read_at = utcnow()
    return True


def mark_all_read(user: User) -> int:
    """Mark every unread notification of the user read; returns how many."""
    result = db.session.execute(
        update(Notification)
        .where(Notification.recipient_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session="fetch")
    )
    return result.rowcount


# -- administrator -----------------------------------------------------------------------
def can_resend(notification: Notification) -> bool:
    return notification.email_status in (EmailStatus.failed, EmailStatus.kept)


def resend_email(actor: User, notification: Notification) -> None:
    """Put a failed (or kept) e-mail back in the outbox for a fresh series of attempts."""
    if not can_resend(notification):
        raise ValueError("only a failed or kept e-mail can be sent again")
    old, new = audit.changes(notification, {
        "email_status": EmailStatus.pending, "email_attempts": 0, "next_attempt_at": None,
        "claimed_by": None, "claimed_at": None,
    })
    audit.record(actor, "notification.email_resent", notification, old=old, new=new)


# -- delivery steps (used by the outbox job) ---------------------------------------------
def max_attempts() -> int:
    return current_app.config.get("MAIL_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS)


def retry_delay(attempts: int) -> timedelta:
    """Doubling back-off: 5, 10, 20... minutes by default."""
    base = current_app.config.get("MAIL_RETRY_SECONDS", DEFAULT_RETRY_SECONDS)
    return timedelta(seconds=base * 2 ** max(0, attempts - 1))


def claim_due(worker: str, now: datetime, limit: int) -> list[int]:
    """Claim up to ``limit`` due messages for ``worker``; returns the ids it now holds.

    The UPDATE re-checks ``pending`` row by row, so of two processes racing for a message
    exactly one gets it. On PostgreSQL, SKIP LOCKED also lets them pick disjoint batches
    instead of queueing behind each other (SQLite ignores it and serialises writers).
    """
    due = (
        select(Notification.id)
        .where(Notification.email_status == EmailStatus.pending,
               or_(Notification.next_attempt_at.is_(None), Notification.next_attempt_at <= now))
        .order_by(Notification.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    ids = list(db.session.scalars(due))
    if not ids:
        return []
    claimed = db.session.execute(
        update(Notification)
        .where(Notification.id.in_(ids), Notification.email_status == EmailStatus.pending)
        .values(email_status=EmailStatus.sending, claimed_by=worker, claimed_at=utcnow())
        .returning(Notification.id)
        .execution_options(synchronize_session=False)
    )
    return sorted(claimed.scalars())


def _finish(notification: Notification, worker: str, **values) -> bool:
    """Record the outcome only if ``worker`` still holds the claim."""
    result = db.session.execute(
        update(Notification)
        .where(Notification.id == notification.id, Notification.claimed_by == worker,
               Notification.email_status == EmailStatus.sending)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def record_sent(notification: Notification, worker: str) -> bool:
    """The e-mail went out."""
    return _finish(notification, worker, email_status=EmailStatus.sent, email_sent_at=utcnow(),
                   email_attempts=notification.email_attempts + 1, last_error=None,
                   next_attempt_at=None)


def record_kept(notification: Notification, worker: str) -> bool:
    """No e-mail is possible (no mail server, no address, inactive account): keep it here."""
    return _finish(notification, worker, email_status=EmailStatus.kept, next_attempt_at=None)


def record_failure(notification: Notification, worker: str, error: str, now: datetime,
                   permanent: bool = False) -> EmailStatus:
    """A failed attempt: retry later, or give up after the last attempt (or a permanent
    refusal by the server). Returns the new status."""
    attempts = notification.email_attempts + 1
    gave_up = permanent or attempts >= max_attempts()
    status = EmailStatus.failed if gave_up else EmailStatus.pending
    _finish(notification, worker, email_status=status, email_attempts=attempts,
            last_error=error[:2000],
            next_attempt_at=None if gave_up else now + retry_delay(attempts))
    return status


def release_claims(ids: list[int], worker: str) -> int:
    """Give back messages claimed but not attempted (the process is stopping)."""
    if not ids:
        return 0
    result = db.session.execute(
        update(Notification)
        .where(Notification.id.in_(ids), Notification.claimed_by == worker,
               Notification.email_status == EmailStatus.sending)
        .values(email_status=EmailStatus.pending)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


def release_stale_claims(timeout: timedelta | None = None) -> int:
    """Put back messages whose claiming process died mid-delivery."""
    seconds = current_app.config.get("MAIL_CLAIM_TIMEOUT_SECONDS", DEFAULT_CLAIM_TIMEOUT_SECONDS)
    cutoff = utcnow() - (timeout or timedelta(seconds=seconds))
    result = db.session.execute(
        update(Notification)
        .where(Notification.email_status == EmailStatus.sending,
               Notification.claimed_at < cutoff)
        .values(email_status=EmailStatus.pending)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount
