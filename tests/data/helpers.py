"""Helpers of the data tests."""

from __future__ import annotations

from sqlalchemy import select

from appraisal.extensions import db
from appraisal.notifications.models import Notification
from tests.helpers import audit_entries, count_statements  # noqa: F401 (re-exported)


def notifications_of(user) -> list[Notification]:
    return list(db.session.scalars(
        select(Notification).where(Notification.recipient_id == user.id)
        .order_by(Notification.id)))


def text(response) -> str:
    return response.get_data(as_text=True)


def login(auth, user):
    """Log in as ``user``, whoever was logged in before."""
    auth.logout()
    return auth.login(user)
