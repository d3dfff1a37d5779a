"""One row per job and time slot: the lock that makes every scheduled job idempotent."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from appraisal.core.db import Base, utcnow


class JobStatus(enum.Enum):
    """How a job run ended (``running`` while it runs, or if its process died)."""

    running = "running"
    succeeded = "succeeded"
    failed = "failed"


class JobRun(Base):
    """A job's run for one slot. The unique (job, slot) means that whichever scheduler
    process inserts the row first runs the slot, and every other process skips it."""

    __tablename__ = "job_runs"
    __table_args__ = (UniqueConstraint("job", "slot"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(60))
    slot: Mapped[str] = mapped_column(String(40))
    worker: Mapped[str] = mapped_column(String(100), default="")
    started_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    finished_at: Mapped[datetime | None]
    status: Mapped[JobStatus] = mapped_column(
        Enum(JobStatus, native_enum=False, length=10, validate_strings=True),
        default=JobStatus.running,
    )
    summary: Mapped[str] = mapped_column(Text, default="")
    error: Mapped[str | None] = mapped_column(Text)

    def __repr__(self) -> str:
        return f"<JobRun {self.job} {self.slot} {self.status.value}>"
