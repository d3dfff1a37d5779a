"""Helpers of the data tests."""

from __future__ import annotations

from contextlib import contextmanager
from types import SimpleNamespace

from sqlalchemy import event, select

from appraisal.core.audit import AuditEntry
from appraisal.extensions import db
from appraisal.notifications.models import Notification


@contextmanager
def count_statements():
    """Count the SQL statements sent to the database inside the block."""
    counter = SimpleNamespace(n=0, statements=[])

    def before(conn, cursor, statement, parameters, context, executemany):
        counter.n += 1
        counter.statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield counter
    finally:
        event.remove(db.engine, "before_cursor_execute", before)


def audit_entries(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


def notifications_of(user) -> list[Notification]:
    return list(db.session.scalars(
        select(Notification).where(Notification.recipient_id == user.id)
        .order_by(Notification.id)))


def text(response) -> str:
    return response.get_data(as_text=True)


def login(auth, user):
    """Log in as ``user``, whoever was logged in before."""
    auth.logout()
    return auth.login(user)
