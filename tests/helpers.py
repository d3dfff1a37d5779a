"""Helpers every feature's tests use: counting SQL statements, reading the audit log."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event, select

from appraisal.core.audit import AuditEntry
from appraisal.extensions import db


class StatementLog(list):
    """The SQL statements sent inside a ``count_statements()`` block, in order."""

    @property
    def n(self) -> int:
        return len(self)

    @property
    def statements(self) -> list[str]:
        return self


@contextmanager
def count_statements() -> Iterator[StatementLog]:
    """Record every SQL statement sent to the database inside the block."""
    log = StatementLog()

    def before(conn, cursor, statement, parameters, context, executemany):
        log.append(statement)

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield log
    finally:
        event.remove(db.engine, "before_cursor_execute", before)


def audit_entries(action: str) -> list[AuditEntry]:
    """Every audit entry of ``action``, oldest first."""
    return list(db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))
