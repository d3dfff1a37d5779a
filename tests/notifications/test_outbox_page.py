"""The outbox page: every notification's e-mail status, for administrators."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from appraisal.core.audit import AuditEntry
from appraisal.extensions import db
from appraisal.notifications.models import EmailStatus, Notification
from tests.helpers import count_statements
from tests.notifications.helpers import notice, user_with_email


@pytest.fixture
def admin(make, auth):
    user = make.admin(username="office")
    auth.login(user)
    return user


def test_without_smtp_a_banner_says_mail_is_only_kept(client, admin, make):
    notice(user_with_email(make, "dr_li"), "Kept subject")
    db.session.commit()

    html = client.get("/admin/outbox").get_data(as_text=True)

    assert "no SMTP server is configured" in html
    assert "Kept subject" in html and "Kept here" in html
    assert "No mail server was configured." in html


def test_with_smtp_no_banner(app, client, admin):
    app.config["SMTP_HOST"] = "mail.hospital.example"

    html = client.get("/admin/outbox").get_data(as_text=True)

    assert "no SMTP server is configured" not in html
    assert "No notification has been sent yet." in html


def test_filter_by_status(app, client, admin, make):
    app.config["SMTP_HOST"] = "mail.hospital.example"
    user = user_with_email(make, "dr_li")
    notice(user, "Waiting one")
    failed = notice(user, "Failed one")
    failed.email_status, failed.last_error = EmailStatus.failed, "SMTPDataError: 554 rejected"
    notice(user_with_email(make, "dr_wang", email=""), "Kept one")
    db.session.commit()

    failed_page = client.get("/admin/outbox?status=failed").get_data(as_text=True)
    kept_page = client.get("/admin/outbox?status=kept").get_data(as_text=True)
    empty_page = client.get("/admin/outbox?status=sent").get_data(as_text=True)

    assert "Failed one" in failed_page and "554 rejected" in failed_page
    assert "Waiting one" not in failed_page and "Kept one" not in failed_page
    assert "Kept one" in kept_page and "The user has no e-mail address." in kept_page
    assert "No message has the status" in empty_page


def test_an_admin_reads_a_kept_message(client, admin, make):
    user = user_with_email(make, "dr_li", email="li@hospital.example")
    notification = notice(user, "Your 360 review is open", body="Please rate\nthree peers.",
                          link="/reviews/3")
    db.session.commit()

    html = client.get(f"/admin/outbox/{notification.id}").get_data(as_text=True)

    assert "Your 360 review is open" in html
    assert "Please rate<br>three peers." in html
    assert "li@hospital.example" in html
    assert "http://127.0.0.1:5000/reviews/3" in html  # BASE_URL + link
    assert client.get("/admin/outbox/999999").status_code == 404


def test_resend_a_failed_email_puts_it_back_and_is_audited(app, client, admin, make):
    app.config["SMTP_HOST"] = "mail.hospital.example"
    notification = notice(user_with_email(make, "dr_li"))
    notification.email_status, notification.email_attempts = EmailStatus.failed, 5
    db.session.commit()

    response = client.post(f"/admin/outbox/{notification.id}/resend", follow_redirects=True)

    assert "back in the outbox" in response.get_data(as_text=True)
    db.session.expire_all()
    notification = db.session.get(Notification, notification.id)
    assert notification.email_status is EmailStatus.pending
    assert notification.email_attempts == 0
    entry = db.session.scalar(select(AuditEntry).where(
        AuditEntry.action == "notification.email_resent"))
    assert entry.actor_id == admin.id and entry.object_id == str(notification.id)
    assert entry.old_values["email_status"] == "failed"


def test_a_sent_email_cannot_be_resent(client, admin, make):
    notification = notice(user_with_email(make, "dr_li"))
    notification.email_status = EmailStatus.sent
    db.session.commit()

    html = client.post(f"/admin/outbox/{notification.id}/resend",
                       follow_redirects=True).get_data(as_text=True)

    assert "Only a failed or kept e-mail can be sent again" in html
    db.session.expire_all()
    assert db.session.get(Notification, notification.id).email_status is EmailStatus.sent


def test_pagination(app, client, admin, make):
    app.config["PAGE_SIZE"] = 3
    user = user_with_email(make, "dr_li")
    for n in range(7):
        notice(user, f"Message {n}")
    db.session.commit()

    html = client.get("/admin/outbox?page=3").get_data(as_text=True)

    assert "Page 3 of 3" in html and "7–7 of 7" in html


def _outbox_statements(client, make, rows: int) -> int:
    for n in range(rows):
        user = make.clinician(username=f"u{rows}_{n}")
        user.email = f"u{n}@hospital.example"
        notice(user, f"Message {n}")
    db.session.commit()
    with count_statements() as statements:
        assert client.get("/admin/outbox").status_code == 200
    return len(statements)


def test_outbox_queries_do_not_grow_with_the_rows(client, admin, make):
    assert _outbox_statements(client, make, 2) == _outbox_statements(client, make, 30)


def test_not_for_managers(client, make, auth):
    auth.login(make.user(username="boss", manages=[make.department()]))

    assert client.get("/admin/outbox").status_code == 403
