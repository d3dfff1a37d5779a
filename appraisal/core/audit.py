"""The append-only audit log: who changed what, when, from which old value to which new one.

Operations call ``record()`` in the same transaction as the change, so a rolled-back request
leaves no audit row and a committed change always has one. The ORM refuses to update or delete
an audit row, and database triggers refuse it too (see ``AUDIT_GUARD_DDL``).
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from flask import g, has_request_context
from sqlalchemy import JSON, ForeignKey, Index, String, event
from sqlalchemy.orm import Mapped, Session, mapped_column

from appraisal.core.db import Base, utcnow
from appraisal.extensions import db

SECRET_WORDS = ("password", "token", "secret", "hash")
REDACTED = "[redacted]"


class AuditLogRefused(RuntimeError):
    """Raised when anything tries to change or delete an audit row."""


class AuditEntry(Base):
    """One recorded change."""

    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_entries_object", "object_type", "object_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(String(80), index=True)
    object_type: Mapped[str] = mapped_column(String(60))
    object_id: Mapped[str | None] = mapped_column(String(60))
    old_values: Mapped[dict | None] = mapped_column(JSON)
    new_values: Mapped[dict | None] = mapped_column(JSON)
    request_id: Mapped[str | None] = mapped_column(String(64))

    def __repr__(self) -> str:
        return f"<AuditEntry {self.id} {self.action} {self.object_type}:{self.object_id}>"


def record(
    actor,
    action: str,
    obj: Any = None,
    *,
    old: dict | None = None,
    new: dict | None = None,
    object_type: str | None = None,
    object_id: Any = None,
) -> AuditEntry:
    """Add an audit row for ``action`` on ``obj`` (never commits; secrets are redacted)."""
    entry = AuditEntry(
        actor_id=getattr(actor, "id", None),
        action=action,
        object_type=object_type or (type(obj).__name__ if obj is not None else "system"),
        object_id=_to_str(object_id if object_id is not None else getattr(obj, "id", None)),
        old_values=_clean(old),
        new_values=_clean(new),
        request_id=g.get("request_id") if has_request_context() else None,
    )
    db.session.add(entry)
    return entry


def changes(obj: Any, fields: dict[str, Any]) -> tuple[dict, dict]:
    """Apply ``fields`` to ``obj`` and return (old, new) of what really changed."""
    old, new = {}, {}
    for name, value in fields.items():
        current = getattr(obj, name)
        if current != value:
            old[name], new[name] = current, value
            setattr(obj, name, value)
    return old, new


def _to_str(value: Any) -> str | None:
    return None if value is None else str(value)


def _clean(values: dict | None) -> dict | None:
    if values is None:
        return None
    return {key: _jsonable(key, value) for key, value in values.items()}


def _jsonable(key: str, value: Any) -> Any:
    if any(word in key.lower() for word in SECRET_WORDS):
        return REDACTED
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dict):
        return _clean(value)
    if isinstance(value, (list, tuple, set)):
        return [_jsonable("", item) for item in value]
    try:
        json.dumps(value)
        return value
    except TypeError:
        return str(value)


@event.listens_for(Session, "before_flush")
def _refuse_audit_changes(session: Session, flush_context, instances) -> None:
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditEntry) and (obj in session.deleted or session.is_modified(obj)):
            raise AuditLogRefused("audit entries are append-only")


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_audit_changes(state) -> None:
    if (state.is_update or state.is_delete) and any(
        getattr(mapper, "class_", None) is AuditEntry for mapper in state.all_mappers
    ):
        raise AuditLogRefused("audit entries are append-only")


# Database-level guard: even raw SQL cannot change the log. Installed by create_all (tests)
# and by the migration that creates the table.
AUDIT_GUARD_DDL = {
    "sqlite": [
        ("CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries "
         "BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END"),
        ("CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries "
         "BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END"),
    ],
    "postgresql": [
        ("CREATE OR REPLACE FUNCTION audit_entries_refuse() RETURNS trigger AS $$ "
         "BEGIN RAISE EXCEPTION 'audit entries are append-only'; END; $$ LANGUAGE plpgsql"),
        ("CREATE TRIGGER audit_entries_no_change BEFORE UPDATE OR DELETE ON audit_entries "
         "FOR EACH ROW EXECUTE FUNCTION audit_entries_refuse()"),
        # Row triggers do not fire on TRUNCATE; a statement trigger closes that gap.
        ("CREATE TRIGGER audit_entries_no_truncate BEFORE TRUNCATE ON audit_entries "
         "FOR EACH STATEMENT EXECUTE FUNCTION audit_entries_refuse()"),
    ],
}
AUDIT_GUARD_DROP = {
    "sqlite": [
        "DROP TRIGGER IF EXISTS audit_entries_no_update",
        "DROP TRIGGER IF EXISTS audit_entries_no_delete",
    ],
    "postgresql": [
        "DROP TRIGGER IF EXISTS audit_entries_no_change ON audit_entries",
        "DROP TRIGGER IF EXISTS audit_entries_no_truncate ON audit_entries",
        "DROP FUNCTION IF EXISTS audit_entries_refuse()",
    ],
}


def install_audit_guard(connection) -> None:
    """Create the triggers that make audit_entries append-only in the database itself."""
    for statement in AUDIT_GUARD_DDL.get(connection.dialect.name, []):
        connection.exec_driver_sql(statement)


def remove_audit_guard(connection) -> None:
    """Drop those triggers (a migration's downgrade, before the table goes)."""
    for statement in AUDIT_GUARD_DROP.get(connection.dialect.name, []):
        connection.exec_driver_sql(statement)


@event.listens_for(AuditEntry.__table__, "after_create")
def _after_create(target, connection, **kw) -> None:
    install_audit_guard(connection)
