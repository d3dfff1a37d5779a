"""UserSession.end_reason: the pure rule behind both time-outs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from appraisal.auth.models import SessionEnd, UserSession

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
IDLE, ABSOLUTE = timedelta(minutes=30), timedelta(hours=12)


@pytest.mark.parametrize("age, idle_for, ended, expected", [
    (timedelta(minutes=5), timedelta(minutes=1), False, None),
    (timedelta(minutes=5), timedelta(minutes=29, seconds=59), False, None),
    (timedelta(hours=1), timedelta(minutes=30), False, SessionEnd.idle),
    (timedelta(hours=12), timedelta(0), False, SessionEnd.expired),
    (timedelta(hours=11, minutes=59), timedelta(0), False, None),
    (timedelta(hours=13), timedelta(hours=2), False, SessionEnd.expired),
    (timedelta(minutes=1), timedelta(0), True, SessionEnd.ended),
])
def test_end_reason(age, idle_for, ended, expected):
    row = UserSession(id="s", user_id=1, created_at=NOW - age, last_seen_at=NOW - idle_for,
                      ended_at=NOW if ended else None)
    assert row.end_reason(NOW, IDLE, ABSOLUTE) is expected
