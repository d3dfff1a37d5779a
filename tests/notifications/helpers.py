"""Small builders shared by the notification and job tests."""

from __future__ import annotations

from appraisal.notifications.operations import notify


def user_with_email(make, username: str, email: str | None = None, **kw):
    user = make.user(username=username, **kw)
    user.email = email if email is not None else f"{username}@hospital.example"
    return user


def notice(user, subject="Your review is due", body="Please submit it by Friday.",
           link=None, kind="review.reminder"):
    return notify(user, kind, subject, body, link=link)
