"""notify(): what other features call to tell a user something."""

from __future__ import annotations

import pytest

from appraisal.extensions import db
from appraisal.notifications.models import EmailStatus
from appraisal.notifications.operations import notify
from tests.notifications.helpers import user_with_email


@pytest.fixture
def smtp_configured(app):
    app.config.update(SMTP_HOST="mail.hospital.example", SMTP_PORT=25)


def test_notify_stores_an_unread_message_waiting_for_email(app, make, smtp_configured):
    user = user_with_email(make, "dr_li")

    notification = notify(user, "review.assigned", "A review for you", "Body text",
                          link="/reviews/4")
    db.session.commit()

    assert notification.id is not None
    assert notification.recipient is user and notification.kind == "review.assigned"
    assert notification.read_at is None and notification.created_at is not None
    assert notification.email_status is EmailStatus.pending
    assert notification.email_attempts == 0


@pytest.mark.parametrize("smtp_host, email, active", [
    ("", "dr@hospital.example", True),       # no mail server configured
    ("mail.hospital.example", "", True),     # the user has no e-mail address
    ("mail.hospital.example", "dr@hospital.example", False),  # the account is inactive
])
def test_email_is_kept_when_it_cannot_be_sent(app, make, smtp_host, email, active):
    app.config["SMTP_HOST"] = smtp_host
    user = user_with_email(make, "dr_wang", email)
    user.active = active

    notification = notify(user, "kind", "Subject", "Body")

    assert notification.email_status is EmailStatus.kept


@pytest.mark.parametrize("link", ["https://evil.example/x", "//evil.example/x", "reviews/4",
                                  "/\\evil.example"])
def test_the_link_must_be_a_path_in_the_app(app, make, link):
    with pytest.raises(ValueError, match="path in the app"):
        notify(make.user(), "kind", "Subject", "Body", link=link)


def test_a_subject_is_one_line(app, make):
    notification = notify(make.user(), "kind", "Line one\r\nBcc: everyone@example.org", "Body")

    assert notification.subject == "Line one Bcc: everyone@example.org"
