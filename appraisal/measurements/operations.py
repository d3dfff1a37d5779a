"""Business actions of the measurement import: check and apply a batch; API tokens.

The CSV upload and the JSON API both end in ``import_measurements``: it validates the whole
batch and applies it all or nothing, with bulk statements (a 50,000-row batch is a handful of
executemany calls, not 50,000 ORM objects). Nothing here commits.
"""

from __future__ import annotations

import csv
import hashlib
import io
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, insert, update

from appraisal.core import audit
from appraisal.core.db import utcnow
from appraisal.core.i18n import lazy_gettext as _l
from appraisal.cycles.models import Cycle
from appraisal.extensions import db
from appraisal.measurements import importing, queries
from appraisal.measurements.importing import (
    COLUMNS,
    Checked,
    Diff,
    MeasurementRow,
    Pair,
    RawRow,
    RowError,
)
from appraisal.measurements.models import (
    ApiToken,
    BatchSource,
    ImportBatch,
    Measurement,
    MeasurementUpload,
    UploadStatus,
)

TOKEN_PREFIX = "apr_"
SHOWN_PREFIX = 8  # characters of a token kept to recognise it in the list ("apr_AbCd")
LAST_USED_RESOLUTION = timedelta(minutes=1)


class ImportRefused(ValueError):
    """The batch has errors; nothing was imported."""

    def __init__(self, errors: list[RowError]):
        super().__init__(f"{len(errors)} error(s)")
        self.errors = errors


class AlreadyImported(ValueError):
    """A second confirmation (a double click, another tab) came after the first."""


@dataclass(frozen=True)
class ImportOutcome:
    """What an applied batch did."""

    batch: ImportBatch
    replaced: ImportBatch | None
    added: int
    changed: int
    unchanged: int
    removed: int

    @property
    def row_count(self) -> int:
        return self.batch.row_count


# -- checking --------------------------------------------------------------------------------
def check_measurements(cycle: Cycle, batch_key: str, rows: Sequence[RawRow], *,
                       csv_rows: bool = True) -> Checked:
    """Validate a batch against the database as it is now (reads only)."""
    context = queries.import_context(cycle, batch_key, importing.numbers_in(rows),
                                     importing.codes_in(rows))
    return importing.validate_batch(rows, context, csv=csv_rows)


def import_measurements(actor, cycle: Cycle, batch_key: str, rows: Sequence[RawRow], *,
                        source: BatchSource, filename: str = "", api_token: ApiToken | None = None,
                        csv_rows: bool = True, before_apply=None) -> ImportOutcome:
    """Validate and apply one batch, all or nothing; the same key replaces its old batch.

    Raises ImportRefused (with every error) before anything is written. ``before_apply`` runs
    after validation and before the first write (the CSV flow claims its upload there).
    """
    queries.lock_cycle(cycle.id)
    checked = check_measurements(cycle, batch_key, rows, csv_rows=csv_rows)
    if not checked.ok:
        raise ImportRefused(checked.errors)
    if before_apply is not None:
        before_apply()
    return _apply(actor, cycle, batch_key, checked.rows, source=source, filename=filename,
                  api_token=api_token)


def _apply(actor, cycle: Cycle, batch_key: str, rows: list[MeasurementRow], *,
           source: BatchSource, filename: str, api_token: ApiToken | None) -> ImportOutcome:
    old = queries.current_batch(cycle.id, batch_key)
    batch = ImportBatch(cycle_id=cycle.id, batch_key=batch_key, source=source,
                        filename=(filename or "")[:255], row_count=len(rows),
                        created_by_id=getattr(actor, "id", None),
                        api_token_id=api_token.id if api_token else None)
    db.session.add(batch)
    db.session.flush()
    new_rows = {row.pair: row for row in rows}
    diff, kept = _replace_old(actor, old, batch, new_rows) if old else (Diff(), {})
    _insert_measurements([(cycle.id, batch.id, row.staff_id, row.indicator_id, *row.values)
                          for pair, row in new_rows.items() if pair not in kept])
    outcome = ImportOutcome(batch, old, added=diff.added(len(rows)), changed=diff.changed,
                            unchanged=diff.unchanged, removed=diff.removed)
    audit.record(actor, "measurements.batch_imported", batch, new={
        "cycle": cycle.name, "batch_key": batch_key, "source": source.value,
        "filename": batch.filename, "rows": len(rows), "added": outcome.added,
        "changed": outcome.changed, "unchanged": outcome.unchanged, "removed": outcome.removed,
        "replaced_batch": old.id if old else None,
        "api_client": api_token.name if api_token else None})
    return outcome


def _replace_old(actor, old: ImportBatch, batch: ImportBatch,
                 new_rows: dict[Pair, MeasurementRow]) -> tuple[Diff, dict[Pair, int]]:
    """Retire the old batch of the same key; returns the comparison and the measurements
    kept (pair -> id).

    Its measurements are deleted, except disputed ones: those are updated in place, so that
    their dispute and its history stay attached (validation made sure the new batch has
    them). The old values that changed or went are kept in the audit entry.
    """
    before = queries.old_measurements(old.id)
    diff = importing.compare(new_rows, before)
    disputed = queries.disputed_measurement_ids(old.id)
    kept = {(m.staff_id, m.indicator_id): m.id for m in before if m.id in disputed}
    db.session.execute(delete(Measurement).where(
        Measurement.batch_id == old.id, Measurement.id.not_in(disputed))
        .execution_options(synchronize_session=False))
    if kept:
        db.session.execute(update(Measurement), [
            {"id": m_id, "batch_id": batch.id, **_values(new_rows[pair])}
            for pair, m_id in kept.items()])
    old.replaced_by_id = batch.id
    audit.record(actor, "measurements.batch_replaced", old, old={
        "rows": old.row_count, "changed_or_removed_values": _values_csv(diff.gone)}, new={
        "replaced_by": batch.id, "rows": batch.row_count,
        "added": diff.added(batch.row_count), "changed": diff.changed,
        "unchanged": diff.unchanged, "removed": diff.removed})
    return diff, kept


INSERT_COLUMNS = ("cycle_id", "batch_id", "staff_id", "indicator_id", "numerator",
                  "denominator", "value", "expected")


def _insert_measurements(rows: list[tuple]) -> None:
    """Insert many measurements in the session's transaction, as fast as the database allows.

    PostgreSQL (psycopg 3) gets COPY, about ten times faster than an executemany of INSERTs
    on a table with four foreign keys and three indexes; elsewhere a Core executemany (the
    ORM's bulk insert drops None values and so splits the rows into many statements).
    """
    if not rows:
        return
    connection = db.session.connection()
    if connection.dialect.name == "postgresql" and connection.dialect.driver == "psycopg":
        cursor = connection.connection.driver_connection.cursor()
        columns = ", ".join(INSERT_COLUMNS)
        with cursor.copy(f"COPY {Measurement.__tablename__} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    db.session.execute(insert(Measurement.__table__),
                       [dict(zip(INSERT_COLUMNS, row, strict=True)) for row in rows])


def _values(row: MeasurementRow) -> dict:
    return {"numerator": row.numerator, "denominator": row.denominator, "value": row.value,
            "expected": row.expected}


def _values_csv(measurements) -> str:
    """The old values that a replacement overwrote or dropped, as CSV in the import format.

    One text value keeps the audit entry compact and readable, whatever the batch size.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for m in measurements:
        writer.writerow([m.employee_number, m.code, *(_cell(v) for v in (
            m.numerator, m.denominator, m.value, m.expected))])
    return buffer.getvalue()


def _cell(number: float | None) -> str:
    if number is None:
        return ""
    return str(int(number)) if float(number).is_integer() else repr(number)


# -- the CSV flow ----------------------------------------------------------------------------
def create_upload(actor, cycle: Cycle, batch_key: str, filename: str,
                  text: str) -> MeasurementUpload:
    """Keep a checked CSV in the database until an administrator confirms it."""
    upload = MeasurementUpload(cycle_id=cycle.id, batch_key=batch_key,
                               filename=(filename or "")[:255], raw_text=text,
                               created_by_id=getattr(actor, "id", None))
    db.session.add(upload)
    db.session.flush()
    audit.record(actor, "measurements.upload_received", upload, new={
        "cycle": cycle.name, "batch_key": batch_key, "filename": upload.filename,
        "characters": len(text)})
    return upload


def confirm_upload(actor, upload: MeasurementUpload) -> ImportOutcome:
    """Apply a previewed upload exactly once (ImportRefused / AlreadyImported otherwise)."""
    rows = importing.read_csv(upload.raw_text)
    if rows.errors:
        raise ImportRefused(rows.errors)
    upload_id = upload.id

    def claim() -> None:
        # A conditional UPDATE: of two concurrent confirmations only one changes the row.
        claimed = db.session.execute(
            update(MeasurementUpload)
            .where(MeasurementUpload.id == upload_id,
                   MeasurementUpload.status == UploadStatus.pending)
            .values(status=UploadStatus.applied)
            .execution_options(synchronize_session=False)).rowcount
        if claimed != 1:
            raise AlreadyImported(_l("This file has already been imported."))

    outcome = import_measurements(actor, upload.cycle, upload.batch_key, rows.rows,
                                  source=BatchSource.csv, filename=upload.filename,
                                  before_apply=claim)
    db.session.execute(update(MeasurementUpload).where(MeasurementUpload.id == upload_id)
                       .values(batch_id=outcome.batch.id)
                       .execution_options(synchronize_session=False))
    db.session.expire(upload)
    return outcome


# -- API tokens ------------------------------------------------------------------------------
def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(actor, name: str) -> tuple[ApiToken, str]:
    """Create a token; the full secret is returned once and only its hash is kept."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(name=name.strip()[:120], token_hash=hash_token(secret),
                     prefix=secret[:SHOWN_PREFIX], created_by_id=getattr(actor, "id", None))
    db.session.add(token)
    db.session.flush()
    audit.record(actor, "api_token.issued", token, new={"name": token.name,
                                                        "prefix": token.prefix})
    return token, secret


def revoke_token(actor, token: ApiToken) -> bool:
    """Revoke a token at once (False if it was revoked already)."""
    if not token.active:
        return False
    token.revoked_at = utcnow()
    audit.record(actor, "api_token.revoked", token, new={"name": token.name,
                                                         "prefix": token.prefix})
    return True


def authenticate(secret: str) -> ApiToken | None:
    """The active token with this secret, or None."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    token = queries.token_by_hash(hash_token(secret))
    return token if token is not None and token.active else None


def note_token_use(token: ApiToken) -> bool:
    """Record when a token was last used (to the minute: not a write per request)."""
    now = utcnow()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_RESOLUTION:
        return False
    db.session.execute(update(ApiToken).where(ApiToken.id == token.id)
                       .values(last_used_at=now).execution_options(synchronize_session=False))
    return True
