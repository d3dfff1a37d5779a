"""The housekeeping job: remove what the application kept only for a while."""

from __future__ import annotations

from datetime import datetime

from flask import current_app

from appraisal.measurements import retention


def housekeeping(now: datetime) -> str:
    config = current_app.config
    return retention.purge(now, idempotency_days=config["IDEMPOTENCY_KEEP_DAYS"],
                           upload_hours=config["UPLOAD_KEEP_HOURS"]).summary()
