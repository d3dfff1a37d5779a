"""Helpers for the account administration tests."""

from __future__ import annotations

from sqlalchemy import select

from appraisal.core.audit import AuditEntry
from appraisal.extensions import db
from tests.conftest import PASSWORD
from tests.helpers import count_statements

__all__ = ["PASSWORD", "as_admin", "audit_of", "count_statements"]


def as_admin(client, make, username="office"):
    """Log an administrator in on ``client``; returns the account."""
    admin = make.admin(username=username)
    db.session.commit()
    response = client.post("/login", data={"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return admin


def audit_of(action: str, user=None) -> list[AuditEntry]:
    query = select(AuditEntry).where(AuditEntry.action == action)
    if user is not None:
        query = query.where(AuditEntry.object_id == str(user.id))
    return list(db.session.scalars(query.order_by(AuditEntry.id)))
