"""Account operations: authenticate with lockout, sessions, passwords, roles.

Operations take the actor as an argument, change state, write the audit log and never commit:
the request handler commits once.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import func, select, update

from appraisal.auth.models import LoginAttempt, Role, RoleGrant, User, UserSession
from appraisal.auth.passwords import MIN_LENGTH, hash_password, needs_rehash, verify_password
from appraisal.core import audit
from appraisal.core.db import utcnow
from appraisal.extensions import db


class PasswordPolicyError(ValueError):
    """The new password is too weak."""


def find_user(username: str, lock: bool = False) -> User | None:
    query = select(User).where(func.lower(User.username) == username.strip().lower())
    if lock:
        # Serialises attempts on one account, so concurrent failures are counted exactly.
        query = query.with_for_update(of=User)
    return db.session.scalars(query).unique().first()


def recent_failures(user: User, window: timedelta, now: datetime) -> int:
    last_success = db.session.scalar(
        select(func.max(LoginAttempt.at)).where(
            LoginAttempt.user_id == user.id, LoginAttempt.succeeded.is_(True)
        )
    )
    since = max(now - window, last_success) if last_success else now - window
    return db.session.scalar(
        select(func.count()).where(
            LoginAttempt.user_id == user.id,
            LoginAttempt.succeeded.is_(False),
            LoginAttempt.at > since,
        )
    )


def authenticate(
    username: str, password: str, *, max_failures: int, window: timedelta, ip: str = ""
) -> User | None:
    """The user if the password is right and the account usable; every attempt is recorded.

    A locked, inactive or unknown account answers exactly like a wrong password.
    """
    now = utcnow()
    user = find_user(username, lock=True)
    password_ok = verify_password(user.password_hash if user else None, password)
    locked = user is not None and recent_failures(user, window, now) >= max_failures
    succeeded = bool(user and user.active and password_ok and not locked)
    db.session.add(
        LoginAttempt(user_id=user.id if user else None, username=username[:80], at=now,
                     succeeded=succeeded, ip_address=ip)
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


def load_session_user(user_id: int, session_id: str | None, max_age: timedelta) -> User | None:
    """The user of a live session: not ended, younger than ``max_age``, account active."""
    if not session_id:
        return None
    query = (
        select(User)
        .join(UserSession, UserSession.user_id == User.id)
        .where(
            User.id == user_id,
            User.active.is_(True),
            UserSession.id == session_id,
            UserSession.ended_at.is_(None),
            UserSession.created_at > utcnow() - max_age,
        )
    )
    return db.session.scalars(query).unique().first()


def check_password_policy(password: str, username: str) -> None:
    if len(password) < MIN_LENGTH:
        raise PasswordPolicyError(f"at least {MIN_LENGTH} characters")
    if password.lower() == username.lower():
        raise PasswordPolicyError("must differ from the username")


def set_password(actor: User | None, user: User, password: str) -> None:
    """Set a new password and end every session of the account."""
    check_password_policy(password, user.username)
    user.password_hash = hash_password(password)
    end_all_sessions(user)
    audit.record(actor, "user.password_set", user)


def create_user(actor: User | None, *, username: str, password: str, display_name: str = "",
                email: str = "", staff_id: int | None = None) -> User:
    """A new active account."""
    check_password_policy(password, username)
    user = User(username=username.strip(), password_hash=hash_password(password),
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
    user = grant.user
    audit.record(actor, "role.revoked", user,
                 old={"role": grant.role.value, "department_id": grant.department_id})
    user.grants.remove(grant)
