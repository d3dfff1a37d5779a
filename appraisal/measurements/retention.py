"""How long the import machinery keeps what it only needs for a while.

* An ``Idempotency-Key`` answer lets a client retry a request safely; after
  ``IDEMPOTENCY_KEEP_DAYS`` no client is still retrying, and the key may be used again.
* An uploaded CSV waits in ``measurement_uploads`` for its preview to be confirmed; one left
  unconfirmed for ``UPLOAD_KEEP_HOURS`` is discarded (its file content can be large). Applied
  uploads stay: they are the record of what was imported.

Both are removed by the scheduler's housekeeping job; each discarded upload is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select

from appraisal.core import audit
from appraisal.core.audit import AuditEntry
from appraisal.extensions import db
from appraisal.measurements.models import IdempotencyRecord, MeasurementUpload, UploadStatus

DISCARDED = "measurements.upload_discarded"


@dataclass(frozen=True)
class Purged:
    idempotency_records: int
    uploads: int

    def summary(self) -> str:
        return (f"{self.idempotency_records} idempotency record(s) and {self.uploads} "
                "unconfirmed upload(s) removed")


def purge(now: datetime, *, idempotency_days: int, upload_hours: int) -> Purged:
    """Remove what has outlived its use (never commits)."""
    return Purged(purge_idempotency_records(now - timedelta(days=idempotency_days)),
                  purge_unconfirmed_uploads(now - timedelta(hours=upload_hours)))


def purge_idempotency_records(before: datetime) -> int:
    return db.session.execute(
        delete(IdempotencyRecord).where(IdempotencyRecord.created_at < before)
        .execution_options(synchronize_session=False)).rowcount


def purge_unconfirmed_uploads(before: datetime) -> int:
    uploads = list(db.session.scalars(
        select(MeasurementUpload).where(MeasurementUpload.status == UploadStatus.pending,
                                        MeasurementUpload.created_at < before)
        .with_for_update(skip_locked=True)))  # one being confirmed right now is left alone
    for upload in uploads:
        audit.record(None, DISCARDED, upload, old={
            "batch_key": upload.batch_key, "filename": upload.filename,
            "created_at": upload.created_at.isoformat(), "characters": len(upload.raw_text)})
        db.session.delete(upload)
    return len(uploads)


def was_discarded(upload_id: int) -> bool:
    """Whether the upload with this id existed and was discarded unconfirmed."""
    return db.session.scalar(
        select(AuditEntry.id).where(AuditEntry.action == DISCARDED,
                                    AuditEntry.object_type == "MeasurementUpload",
                                    AuditEntry.object_id == str(upload_id)).limit(1)) is not None
