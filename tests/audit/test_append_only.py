"""ACCEPTANCE: the application refuses to update or delete audit rows.

The ORM refuses (a flush or a bulk statement raises AuditLogRefused) and, beneath it, the
database refuses too: triggers abort any UPDATE or DELETE, however it is sent.
"""

from __future__ import annotations

import pytest
from sqlalchemy import delete, inspect, select, text, update
from sqlalchemy.exc import DBAPIError

from appraisal.core.audit import AuditEntry, AuditLogRefused, record
from appraisal.extensions import db


@pytest.fixture
def row(app):
    entry = record(None, "grade.calibrated", object_type="Grade", object_id=1,
                   old={"grade": "B"}, new={"grade": "A"})
    db.session.commit()
    return entry.id


def stored(row_id):
    """The row as the database holds it, read on a separate connection."""
    with db.engine.connect() as connection:
        return connection.execute(
            select(AuditEntry.action, AuditEntry.new_values).where(AuditEntry.id == row_id)
        ).one_or_none()


def assert_unchanged(row_id):
    db.session.rollback()
    assert stored(row_id) == ("grade.calibrated", {"grade": "A"})


def test_orm_update_is_refused(row):
    entry = db.session.get(AuditEntry, row)
    entry.new_values = {"grade": "C"}
    with pytest.raises(AuditLogRefused):
        db.session.commit()
    assert_unchanged(row)


def test_orm_delete_is_refused(row):
    db.session.delete(db.session.get(AuditEntry, row))
    with pytest.raises(AuditLogRefused):
        db.session.commit()
    assert_unchanged(row)


@pytest.mark.parametrize("statement", [
    update(AuditEntry).values(action="tampered"),
    delete(AuditEntry),
], ids=["bulk update", "bulk delete"])
def test_orm_bulk_statements_are_refused(row, statement):
    with pytest.raises(AuditLogRefused):
        db.session.execute(statement)
    assert_unchanged(row)


@pytest.mark.parametrize("sql", [
    "UPDATE audit_entries SET action = 'tampered'",
    "DELETE FROM audit_entries",
], ids=["raw update", "raw delete"])
def test_raw_sql_is_refused_by_the_database(row, sql):
    with pytest.raises(DBAPIError, match="append-only"):
        db.session.execute(text(sql))
    assert_unchanged(row)


@pytest.mark.parametrize("statement", [
    AuditEntry.__table__.update().values(action="tampered"),
    AuditEntry.__table__.delete(),
], ids=["core update", "core delete"])
def test_core_statements_on_another_connection_are_refused(row, statement):
    with db.engine.connect() as connection, pytest.raises(DBAPIError, match="append-only"):
        connection.execute(statement)
    assert_unchanged(row)


def test_truncate_is_refused_on_postgresql(row):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("TRUNCATE exists on PostgreSQL only")
    with pytest.raises(DBAPIError, match="append-only"):
        db.session.execute(text("TRUNCATE audit_entries"))
    assert_unchanged(row)


def test_the_guard_triggers_exist(app):
    if db.engine.dialect.name == "sqlite":
        names = set(db.session.scalars(text(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' "
            "AND tbl_name = 'audit_entries'")))
        assert names == {"audit_entries_no_update", "audit_entries_no_delete"}
    else:
        names = set(db.session.scalars(text(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = 'audit_entries'::regclass "
            "AND NOT tgisinternal")))
        assert names == {"audit_entries_no_change", "audit_entries_no_truncate"}


def test_inserting_still_works(row):
    record(None, "another.change")
    db.session.commit()
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "another.change"))
    assert inspect(db.engine).has_table("audit_entries")
