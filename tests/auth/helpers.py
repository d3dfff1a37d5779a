"""Small helpers shared by the login-security tests (real rows, real requests)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from appraisal.auth.models import LoginAttempt, UserSession
from appraisal.core.audit import AuditEntry
from appraisal.extensions import db
from tests.conftest import PASSWORD

__all__ = ["PASSWORD", "attempts", "audit_actions", "cookie", "current_sid", "login",
           "shift_attempts", "shift_session"]


def login(client, username, password=PASSWORD, **extra):
    db.session.commit()
    return client.post("/login", data={"username": username, "password": password, **extra})


def current_sid(client) -> str | None:
    with client.session_transaction() as sess:
        return sess.get("sid")


def cookie(client) -> str | None:
    found = client.get_cookie("session")
    return found.value if found else None


def attempts(user=None, succeeded=None) -> int:
    query = select(func.count()).select_from(LoginAttempt)
    if user is not None:
        query = query.where(LoginAttempt.user_id == user.id)
    if succeeded is not None:
        query = query.where(LoginAttempt.succeeded.is_(succeeded))
    return db.session.scalar(query)


def audit_actions(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def shift_attempts(user, by: timedelta) -> None:
    """Move the account's attempts into the past (real rows, committed)."""
    for attempt in db.session.scalars(select(LoginAttempt).where(LoginAttempt.user_id == user.id)):
        attempt.at = attempt.at - by
    db.session.commit()


def shift_session(sid: str, *, created_by: timedelta = timedelta(0),
                  seen_by: timedelta = timedelta(0)) -> None:
    """Age a session row: its start and/or its last activity move into the past."""
    row = db.session.get(UserSession, sid)
    row.created_at = row.created_at - created_by
    row.last_seen_at = row.last_seen_at - seen_by
    db.session.commit()
