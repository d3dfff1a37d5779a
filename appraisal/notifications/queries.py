"""Queries of the inbox and the outbox: each returns a select()."""

from __future__ import annotations

from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload

from appraisal.auth.models import User
from appraisal.notifications.models import EmailStatus, Notification


def inbox(user_id: int) -> Select:
    """A user's own notifications: unread first, then newest first."""
    return (
        select(Notification)
        .where(Notification.recipient_id == user_id)
        .order_by(Notification.read_at.is_not(None), Notification.created_at.desc(),
                  Notification.id.desc())
    )


def unread_count(user_id: int) -> Select:
    return (
        select(func.count())
        .select_from(Notification)
        .where(Notification.recipient_id == user_id, Notification.read_at.is_(None))
    )


def outbox(status: EmailStatus | None = None) -> Select:
    """Every notification with its recipient (joined: no query per row), newest first."""
    query = (
        select(Notification)
        .options(*with_recipient())
        .order_by(Notification.created_at.desc(), Notification.id.desc())
    )
    if status is not None:
        query = query.where(Notification.email_status == status)
    return query


def one(notification_id: int) -> Select:
    """One notification with its recipient."""
    return select(Notification).where(Notification.id == notification_id).options(
        *with_recipient())


def status_counts() -> Select:
    """(status, count) for the outbox summary."""
    return select(Notification.email_status, func.count()).group_by(Notification.email_status)


def with_recipient() -> list:
    """Loader options for one notification shown with its recipient."""
    # The recipient's roles are not shown: skip loading them.
    return [joinedload(Notification.recipient).lazyload(User.grants)]
