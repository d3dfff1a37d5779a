"""Queries of the audit-log page: each returns a select()."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from flask_babel import to_utc
from sqlalchemy import Select, func, select

from appraisal.auth.models import User
from appraisal.core.audit import AuditEntry
from appraisal.extensions import db
from appraisal.org.models import Staff

# The actor's name comes with each row (one joined statement, never one query per row).
ACTOR_NAME = func.coalesce(Staff.name, func.nullif(User.display_name, ""), User.username)


def entries(filters: dict) -> Select:
    """Audit rows with the actor's username and name, newest first, filtered."""
    query = (
        select(AuditEntry, User.username.label("actor_username"),
               ACTOR_NAME.label("actor_name"))
        .outerjoin(User, User.id == AuditEntry.actor_id)
        .outerjoin(Staff, Staff.id == User.staff_id)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    )
    return _filtered(query, filters)


def _filtered(query: Select, filters: dict) -> Select:
    if actor := filters.get("actor"):
        query = query.where(func.lower(User.username) == actor.lower())
    if action := filters.get("action"):
        query = query.where(AuditEntry.action.startswith(action, autoescape=True))
    if object_type := filters.get("object_type"):
        query = query.where(AuditEntry.object_type == object_type)
    if object_id := filters.get("object_id"):
        query = query.where(AuditEntry.object_id == object_id)
    if request_id := filters.get("request_id"):
        query = query.where(AuditEntry.request_id == request_id)
    if day := filters.get("date_from"):
        query = query.where(AuditEntry.at >= start_of_local_day(day))
    if day := filters.get("date_to"):
        query = query.where(AuditEntry.at < start_of_local_day(day + timedelta(days=1)))
    return query


def start_of_local_day(day: date) -> datetime:
    """Midnight of ``day`` in the user's time zone, as an aware UTC datetime."""
    return to_utc(datetime.combine(day, time.min)).replace(tzinfo=UTC)


def object_types() -> Select:
    """The object types present in the log, for the filter's choices."""
    return select(AuditEntry.object_type).distinct().order_by(AuditEntry.object_type)


def history(object_type: str, object_id: int, limit: int | None = 20) -> list[tuple]:
    """The latest audit entries about one object with the actor's username, newest first
    (``limit=None``: all of them)."""
    return db.session.execute(
        select(AuditEntry, User.username)
        .outerjoin(User, User.id == AuditEntry.actor_id)
        .where(AuditEntry.object_type == object_type, AuditEntry.object_id == str(object_id))
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)
    ).all()
