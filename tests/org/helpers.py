"""Helpers for the organisation tests."""

from __future__ import annotations

import io
from contextlib import contextmanager
from types import SimpleNamespace

from sqlalchemy import event, select

from appraisal.core.audit import AuditEntry
from appraisal.extensions import db


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


def csv_file(content: str | bytes, name: str = "file.csv"):
    data = content.encode("utf-8") if isinstance(content, str) else content
    return (io.BytesIO(data), name)


def page_text(response) -> str:
    return response.get_data(as_text=True)
