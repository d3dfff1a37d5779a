"""Measurements, their import batches, API tokens, disputes, exemptions and alarms."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from appraisal.core.db import Base, enum_column, utcnow
from appraisal.cycles.models import Cycle
from appraisal.indicators.models import Indicator
from appraisal.org.models import Staff

if TYPE_CHECKING:
    from appraisal.auth.models import User



class BatchSource(enum.Enum):
    csv = "csv"
    api = "api"
    demo = "demo"


class ImportBatch(Base):
    """One all-or-nothing delivery of measurements; re-importing its key replaces it."""

    __tablename__ = "import_batches"
    __table_args__ = (Index("ix_import_batches_cycle_key", "cycle_id", "batch_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id"))
    # The sender's name for the batch ("HIS-discharges-2026Q3"): the same key replaces.
    batch_key: Mapped[str] = mapped_column(String(120))
    source: Mapped[BatchSource] = mapped_column(enum_column(BatchSource))
    filename: Mapped[str] = mapped_column(String(255), default="")
    row_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    api_token_id: Mapped[int | None] = mapped_column(ForeignKey("api_tokens.id"))
    replaced_by_id: Mapped[int | None] = mapped_column(ForeignKey("import_batches.id"))

    cycle: Mapped[Cycle] = relationship()

    @property
    def is_current(self) -> bool:
        return self.replaced_by_id is None


class Measurement(Base):
    """One indicator value for one staff member in one cycle."""

    __tablename__ = "measurements"
    __table_args__ = (UniqueConstraint("cycle_id", "staff_id", "indicator_id"),
                      Index("ix_measurements_cycle_indicator", "cycle_id", "indicator_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id"))
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicators.id"))
    numerator: Mapped[float | None]
    denominator: Mapped[float | None]
    value: Mapped[float | None]
    expected: Mapped[float | None]
    batch_id: Mapped[int] = mapped_column(ForeignKey("import_batches.id"), index=True)

    staff: Mapped[Staff] = relationship()
    indicator: Mapped[Indicator] = relationship()
    batch: Mapped[ImportBatch] = relationship()


class ApiToken(Base):
    """A bearer token an admin issues to another hospital system; only its hash is kept."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class IdempotencyRecord(Base):
    """The stored answer to an API request sent with an Idempotency-Key."""

    __tablename__ = "idempotency_records"
    __table_args__ = (UniqueConstraint("api_token_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    api_token_id: Mapped[int] = mapped_column(ForeignKey("api_tokens.id"))
    key: Mapped[str] = mapped_column(String(200))
    request_hash: Mapped[str] = mapped_column(String(64))
    response_status: Mapped[int]
    response_body: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DisputeState(enum.Enum):
    open = "open"
    corrected = "corrected"
    rejected = "rejected"


class Dispute(Base):
    """A clinician's flag that a measurement is wrong, and how the data steward resolved it.

    The values before the correction stay here; the measurement carries the corrected ones.
    """

    __tablename__ = "disputes"

    id: Mapped[int] = mapped_column(primary_key=True)
    measurement_id: Mapped[int] = mapped_column(ForeignKey("measurements.id"), index=True)
    raised_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(Text)
    state: Mapped[DisputeState] = mapped_column(enum_column(DisputeState),
                                                default=DisputeState.open)
    raised_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolved_at: Mapped[datetime | None]
    resolution_note: Mapped[str] = mapped_column(Text, default="")
    original_values: Mapped[dict | None] = mapped_column(JSON)
    corrected_values: Mapped[dict | None] = mapped_column(JSON)

    measurement: Mapped[Measurement] = relationship()
    raised_by: Mapped[User] = relationship(foreign_keys=[raised_by_id])
    resolved_by: Mapped[User | None] = relationship(foreign_keys=[resolved_by_id])

    @property
    def is_open(self) -> bool:
        return self.state is DisputeState.open


class ExemptionState(enum.Enum):
    requested = "requested"
    approved = "approved"
    rejected = "rejected"


class Exemption(Base):
    """An indicator excluded for one person in one cycle, for a recorded external cause."""

    __tablename__ = "exemptions"
    __table_args__ = (UniqueConstraint("cycle_id", "staff_id", "indicator_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id"))
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicators.id"))
    reason: Mapped[str] = mapped_column(Text)
    state: Mapped[ExemptionState] = mapped_column(
        enum_column(ExemptionState), default=ExemptionState.requested)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    decision_note: Mapped[str] = mapped_column(Text, default="")

    staff: Mapped[Staff] = relationship()
    indicator: Mapped[Indicator] = relationship()
    cycle: Mapped[Cycle] = relationship()
    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])


class Alarm(Base):
    """A clinician beyond the 99.8% funnel limit of a rate indicator in a cycle."""

    __tablename__ = "alarms"
    __table_args__ = (UniqueConstraint("cycle_id", "staff_id", "indicator_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id"))
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicators.id"))
    observed_rate: Mapped[float]
    group_rate: Mapped[float]
    lower_limit: Mapped[float]
    upper_limit: Mapped[float]
    denominator: Mapped[float]
    side: Mapped[str] = mapped_column(String(10))  # "high" or "low"
    raised_at: Mapped[datetime] = mapped_column(default=utcnow)
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    acknowledged_at: Mapped[datetime | None]
    acknowledgement_note: Mapped[str] = mapped_column(Text, default="")

    staff: Mapped[Staff] = relationship()
    indicator: Mapped[Indicator] = relationship()


class UploadStatus(enum.Enum):
    """An uploaded measurement file waits for confirmation, then is applied once."""

    pending = "pending"
    applied = "applied"


class MeasurementUpload(Base):
    """An uploaded measurement CSV, kept between the preview and the confirmation.

    The decoded text is stored in the database (not in a server-local file), so any web
    worker can show the preview and apply the confirmation; the confirmation re-validates it
    against the data as they are then.
    """

    __tablename__ = "measurement_uploads"

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id"))
    batch_key: Mapped[str] = mapped_column(String(120))
    filename: Mapped[str] = mapped_column(String(255), default="")
    raw_text: Mapped[str] = mapped_column(Text)
    status: Mapped[UploadStatus] = mapped_column(enum_column(UploadStatus),
                                                 default=UploadStatus.pending)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batches.id"))

    cycle: Mapped[Cycle] = relationship()
    batch: Mapped[ImportBatch | None] = relationship()

    @property
    def is_pending(self) -> bool:
        return self.status is UploadStatus.pending
