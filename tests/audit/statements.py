"""Count the SQL statements a block of code sends to the database."""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event

from appraisal.extensions import db


@contextmanager
def count_statements():
    statements: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)
