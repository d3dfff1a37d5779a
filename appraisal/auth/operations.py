"""Account operations: authenticate with lockout, sessions, passwords, roles.

Operations take the actor as an argument, change state, write the audit log and never commit:
the request handler commits once.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import aliased, joinedload

from appraisal.auth.models import LoginAttempt, Role, RoleGrant, SessionEnd, User, UserSession
from appraisal.auth.passwords import MIN_LENGTH, hash_password, needs_rehash, verify_password
from appraisal.core import audit
from appraisal.core.db import utcnow
from appraisal.core.i18n import lazy_gettext as _l
from appraisal.extensions import db


class PasswordPolicyError(ValueError):
    """The new password is too weak.

    ``str(error)`` is the reason in English (command line, logs: no request, no locale);
    ``error.message`` is the translated sentence for a page.
    """

    def __init__(self, reason: str, message):
        super().__init__(reason)
        self.message = message


def normalise_username(username: str) -> str:
    """Usernames are case-insensitive: stored lower-case, so the unique constraint holds."""
    return username.strip().lower()


def find_user(username: str, lock: bool = False) -> User | None:
    query = select(User).where(func.lower(User.username) == normalise_username(username))
    if lock:
        # Serialises attempts on one account, so concurrent failures are counted exactly.
        query = query.with_for_update(of=User)
    return db.session.scalars(query).unique().first()


def failure_counts(user_ids: Iterable[int], window: timedelta, now: datetime) -> dict[int, int]:
    """Failed attempts that still count towards a lockout, per user (one statement).

    A failure counts while it is inside the window and newer than both the account's last
    successful login and the last time an administrator cleared the lockout.
    """
    ids = list(user_ids)
    if not ids:
        return {}
    success = aliased(LoginAttempt)
    last_success = (
        select(func.max(success.at))
        .where(success.user_id == LoginAttempt.user_id, success.succeeded.is_(True))
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(LoginAttempt.user_id, func.count())
        .join(User, User.id == LoginAttempt.user_id)
        .where(
            LoginAttempt.user_id.in_(ids),
            LoginAttempt.succeeded.is_(False),
            LoginAttempt.at > now - window,
            or_(User.lockout_cleared_at.is_(None), LoginAttempt.at > User.lockout_cleared_at),
            or_(last_success.is_(None), LoginAttempt.at > last_success),
        )
        .group_by(LoginAttempt.user_id)
    ).all()
    return {user_id: count for user_id, count in rows}


def recent_failures(user: User, window: timedelta, now: datetime) -> int:
    return failure_counts([user.id], window, now).get(user.id, 0)


def is_locked(user: User, *, max_failures: int, window: timedelta, now: datetime) -> bool:
    return recent_failures(user, window, now) >= max_failures


def authenticate(
    username: str, password: str, *, max_failures: int, window: timedelta, ip: str = ""
) -> User | None:
    """The user if the password is right and the account usable; every attempt is recorded.

    A locked, inactive or unknown account answers exactly like a wrong password.
    """
    user = find_user(username, lock=True)
    # Taken once the row lock is held, so attempt times follow the order they are counted in.
    now = utcnow()
    password_ok = verify_password(user.password_hash if user else None, password)
    locked = user is not None and recent_failures(user, window, now) >= max_failures
    succeeded = bool(user and user.active and password_ok and not locked)
    db.session.add(
        LoginAttempt(user_id=user.id if user else None, username=username[:80], at=now,
                     succeeded=succeeded, ip_address=ip[:64])
    )
    if user is None:
        return None
    if not succeeded:
        _record_failure(user, locked, max_failures, window, now)
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = now
    return user


def _record_failure(user: User, was_locked: bool, max_failures: int, window, now) -> None:
    db.session.flush()
    failures = recent_failures(user, window, now)
    if not was_locked and failures >= max_failures:
        audit.record(None, "auth.account_locked", user,
                     new={"failures": failures, "window_minutes": window.total_seconds() / 60})


def clear_lockout(actor: User | None, user: User, *, window: timedelta,
                  now: datetime | None = None) -> int:
    """Forgive the failures counted so far (an administrator's unlock); returns how many."""
    now = now or utcnow()
    failures = recent_failures(user, window, now)
    old = user.lockout_cleared_at
    user.lockout_cleared_at = now
    audit.record(actor, "user.unlocked", user, old={"lockout_cleared_at": old},
                 new={"lockout_cleared_at": now, "failures_forgiven": failures})
    return failures


def start_session(user: User, ip: str = "", user_agent: str = "") -> UserSession:
    """A new server-side session (a fresh id at every login)."""
    session_row = UserSession(
        id=secrets.token_urlsafe(32), user_id=user.id, ip_address=ip[:64],
        user_agent=user_agent[:300],
    )
    db.session.add(session_row)
    return session_row


def end_session(session_id: str | None) -> None:
    if session_id:
        db.session.execute(
            update(UserSession)
            .where(UserSession.id == session_id, UserSession.ended_at.is_(None))
            .values(ended_at=utcnow())
        )


def end_all_sessions(user: User) -> None:
    db.session.execute(
        update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
        .values(ended_at=utcnow())
    )


def touch_session(session_id: str, now: datetime) -> None:
    """Note activity on a live session (what the idle time-out is measured from)."""
    db.session.execute(
        update(UserSession)
        .where(UserSession.id == session_id, UserSession.ended_at.is_(None))
        .values(last_seen_at=now)
    )


def check_session(
    user_id: int, session_id: str | None, *, idle: timedelta, absolute: timedelta,
    now: datetime | None = None,
) -> tuple[UserSession | None, SessionEnd | None]:
    """(the live session row, None), or (None, why the cookie's session is over)."""
    if not session_id:
        return None, SessionEnd.ended
    row = db.session.scalars(
        select(UserSession).options(joinedload(UserSession.user))
        .where(UserSession.id == session_id)
    ).first()
    if row is None or row.user_id != user_id or not row.user.active:
        return None, SessionEnd.ended
    reason = row.end_reason(now or utcnow(), idle, absolute)
    return (None, reason) if reason else (row, None)


def load_session_user(user_id: int, session_id: str | None, max_age: timedelta,
                      idle: timedelta = timedelta.max) -> User | None:
    """The user of a live session: not ended, not idle, younger than ``max_age``, active."""
    row, _reason = check_session(user_id, session_id, idle=idle, absolute=max_age)
    return row.user if row else None


def live_session_count(user: User, *, idle: timedelta, absolute: timedelta,
                       now: datetime | None = None) -> int:
    """How many sessions of ``user`` are live right now."""
    now = now or utcnow()
    return db.session.scalar(
        select(func.count()).select_from(UserSession).where(
            UserSession.user_id == user.id,
            UserSession.ended_at.is_(None),
            UserSession.created_at > now - absolute,
            UserSession.last_seen_at > now - idle,
        )
    )


def check_password_policy(password: str, username: str) -> None:
    if len(password) < MIN_LENGTH:
        raise PasswordPolicyError(f"at least {MIN_LENGTH} characters",
                                  _l("Use at least %(n)s characters.", n=MIN_LENGTH))
    if password.strip().lower() == normalise_username(username):
        raise PasswordPolicyError("must differ from the username",
                                  _l("The password must differ from the username."))


def set_password(actor: User | None, user: User, password: str) -> None:
    """Set a new password and end every session of the account."""
    check_password_policy(password, user.username)
    user.password_hash = hash_password(password)
    end_all_sessions(user)
    audit.record(actor, "user.password_set", user)


def create_user(actor: User | None, *, username: str, password: str, display_name: str = "",
                email: str = "", staff_id: int | None = None) -> User:
    """A new active account (the username is stored lower-case)."""
    check_password_policy(password, username)
    user = User(username=normalise_username(username), password_hash=hash_password(password),
                display_name=display_name, email=email, staff_id=staff_id)
    db.session.add(user)
    db.session.flush()
    audit.record(actor, "user.created", user, new={
        "username": user.username, "display_name": display_name, "email": email,
        "staff_id": staff_id})
    return user


def grant_role(actor: User | None, user: User, role: Role, department_id: int | None = None
               ) -> RoleGrant:
    """Give ``user`` a role (a manager grant needs a department)."""
    if (role is Role.manager) != (department_id is not None):
        raise ValueError("a manager grant names exactly one department; other roles none")
    grant = RoleGrant(role=role, department_id=department_id)
    user.grants.append(grant)
    db.session.flush()
    audit.record(actor, "role.granted", user,
                 new={"role": role.value, "department_id": department_id})
    return grant


def revoke_role(actor: User | None, grant: RoleGrant) -> None:
    """Take a role back from its holder."""
    user = grant.user
    audit.record(actor, "role.revoked", user,
                 old={"role": grant.role.value, "department_id": grant.department_id})
    user.grants.remove(grant)
