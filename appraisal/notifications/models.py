"""A notification to one user, and the state of its e-mail copy."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from appraisal.auth.models import User
from appraisal.core.db import Base, utcnow
from appraisal.core.i18n import lazy_gettext as _l


class EmailStatus(enum.Enum):
    """Where the e-mail copy of a notification stands."""

    pending = "pending"  # waiting for the outbox job (maybe for a retry)
    sending = "sending"  # claimed by one scheduler process, being sent right now
    sent = "sent"
    kept = "kept"  # not e-mailed: no SMTP server configured, or no address; readable here
    failed = "failed"  # gave up after the last attempt; ``last_error`` says why

    @property
    def label(self) -> str:
        return str(EMAIL_STATUS_LABELS[self])

    @property
    def tag(self) -> str:
        return EMAIL_STATUS_TAGS[self]


EMAIL_STATUS_LABELS = {
    EmailStatus.pending: _l("Waiting"),
    EmailStatus.sending: _l("Sending"),
    EmailStatus.sent: _l("Sent"),
    EmailStatus.kept: _l("Kept here"),
    EmailStatus.failed: _l("Failed"),
}
EMAIL_STATUS_TAGS = {
    EmailStatus.pending: "tag-warn",
    EmailStatus.sending: "tag-warn",
    EmailStatus.sent: "tag-ok",
    EmailStatus.kept: "",
    EmailStatus.failed: "tag-bad",
}


class Notification(Base):
    """A message to one user: shown in their inbox, and e-mailed when possible."""

    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_recipient_read", "recipient_id", "read_at"),
        Index("ix_notifications_email_due", "email_status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(60))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    read_at: Mapped[datetime | None]

    email_status: Mapped[EmailStatus] = mapped_column(
        Enum(EmailStatus, native_enum=False, length=10, validate_strings=True),
        default=EmailStatus.pending,
    )
    email_attempts: Mapped[int] = mapped_column(default=0)
    email_sent_at: Mapped[datetime | None]
    next_attempt_at: Mapped[datetime | None]
    # Which scheduler process holds (or last held) the message, and since when.
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    claimed_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)

    recipient: Mapped[User] = relationship()

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    def can_read(self, user) -> bool:
        """Only the recipient sees a notification (even admins use the outbox instead)."""
        return user.id == self.recipient_id

    def __repr__(self) -> str:
        return f"<Notification {self.id} {self.kind} to {self.recipient_id}>"
