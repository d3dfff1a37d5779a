"""Alembic migrations and the models agree, and the chain runs both ways, on both databases."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from appraisal.core.audit import AuditLogRefused  # noqa: F401  (the guard's error type)
from appraisal.extensions import db
from tests.conftest import POSTGRES


def _empty_database() -> None:
    if POSTGRES:
        with db.engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    else:
        db.drop_all()
        with db.engine.begin() as connection:
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))


def _tables() -> set[str]:
    return set(inspect(db.engine).get_table_names()) - {"alembic_version"}


def _differences() -> list:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "render_as_batch": True})
        return compare_metadata(context, db.metadata)


@pytest.fixture
def empty_db(app):
    _empty_database()
    yield
    db.session.remove()


def test_upgrade_from_empty_matches_the_models(empty_db):
    upgrade()
    assert _tables() == set(db.metadata.tables)
    assert _differences() == []


def test_downgrade_to_base_and_upgrade_again(empty_db):
    upgrade()
    downgrade(revision="base")
    assert _tables() == set()
    upgrade()
    assert _differences() == []


def test_migrated_audit_table_refuses_raw_changes(empty_db):
    upgrade()
    with db.engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO audit_entries (at, action, object_type) "
            "VALUES (CURRENT_TIMESTAMP, 'test.entry', 'system')"))
    for statement in ("UPDATE audit_entries SET action = 'forged'", "DELETE FROM audit_entries"):
        with pytest.raises(Exception, match="append-only"), db.engine.begin() as connection:
            connection.execute(text(statement))
