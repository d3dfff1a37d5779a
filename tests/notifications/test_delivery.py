"""E-mail delivery through a real SMTP server (aiosmtpd on localhost)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from appraisal.core.db import utcnow
from appraisal.extensions import db
from appraisal.jobs.outbox import deliver_outbox
from appraisal.notifications import operations
from appraisal.notifications.models import EmailStatus, Notification
from tests.notifications.helpers import notice, user_with_email
from tests.notifications.smtp_server import free_port


def fresh(notification) -> Notification:
    db.session.expire_all()
    return db.session.get(Notification, notification.id)


def test_a_message_is_sent_once_with_its_link(app, make, smtp_server):
    smtp_server.configure(app)
    app.config["MAIL_FROM"] = "appraisal@hospital.example"
    user = user_with_email(make, "dr_li", email="li@hospital.example")
    user.display_name = "Dr Li"
    notification = notice(user, "Your review is due", "Please submit it.", link="/reviews/3")
    db.session.commit()

    summary = deliver_outbox(utcnow())
    again = deliver_outbox(utcnow())

    assert summary.startswith("sent 1,") and again.startswith("sent 0,")
    (message,) = smtp_server.messages
    assert message["To"] == "Dr Li <li@hospital.example>"
    assert message["From"] == "appraisal@hospital.example"
    assert message["Subject"] == "Your review is due"
    assert message["Message-ID"] == f"<notification-{notification.id}@hospital.example>"
    body = message.get_content()
    assert "Please submit it." in body and "http://127.0.0.1:5000/reviews/3" in body
    stored = fresh(notification)
    assert stored.email_status is EmailStatus.sent
    assert stored.email_sent_at is not None and stored.email_attempts == 1


def test_a_message_goes_out_in_the_recipients_language(app, make, smtp_server):
    smtp_server.configure(app)
    user = user_with_email(make, "dr_wang")
    user.locale = "zh"
    notice(user, "评议提醒", "请在周五前提交。", link="/reviews/3")
    db.session.commit()

    deliver_outbox(utcnow())

    (message,) = smtp_server.messages
    assert message["Subject"] == "评议提醒"
    assert "请在周五前提交。" in message.get_content()


def test_without_smtp_pending_messages_are_kept(app, make, smtp_server):
    smtp_server.configure(app)
    notification = notice(user_with_email(make, "dr_li"))
    db.session.commit()
    app.config["SMTP_HOST"] = ""  # the mail server was removed after the message was made

    summary = deliver_outbox(utcnow())

    assert "kept 1" in summary
    assert fresh(notification).email_status is EmailStatus.kept
    assert smtp_server.messages == []


def test_a_closed_port_fails_after_the_bounded_retries(app, make):
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=free_port(), MAIL_MAX_ATTEMPTS=3,
                      MAIL_RETRY_SECONDS=60)
    notification = notice(user_with_email(make, "dr_li"))
    db.session.commit()
    now = utcnow()

    assert "retry 1" in deliver_outbox(now)
    stored = fresh(notification)
    assert stored.email_status is EmailStatus.pending and stored.email_attempts == 1
    assert stored.next_attempt_at == pytest.approx(now + timedelta(seconds=60),
                                                   abs=timedelta(seconds=1))
    assert "ConnectionRefusedError" in stored.last_error

    assert "retry 0" in deliver_outbox(now + timedelta(seconds=30))  # not due yet
    assert "retry 1" in deliver_outbox(now + timedelta(seconds=61))
    assert fresh(notification).next_attempt_at > now + timedelta(seconds=61 + 119)
    assert "failed 1" in deliver_outbox(now + timedelta(seconds=200))

    stored = fresh(notification)
    assert stored.email_status is EmailStatus.failed and stored.email_attempts == 3
    assert "ConnectionRefusedError" in stored.last_error
    assert "failed 0" in deliver_outbox(now + timedelta(days=1))  # never tried again


def test_a_refused_address_fails_at_once_and_the_others_still_go(app, make, smtp_server):
    smtp_server.configure(app)
    smtp_server.handler.refused.add("gone@hospital.example")
    refused = notice(user_with_email(make, "dr_gone", email="gone@hospital.example"))
    fine = notice(user_with_email(make, "dr_li"))
    db.session.commit()

    deliver_outbox(utcnow())

    assert fresh(refused).email_status is EmailStatus.failed
    assert "550" in fresh(refused).last_error
    assert fresh(fine).email_status is EmailStatus.sent
    assert smtp_server.handler.ids() == [str(fine.id)]


def test_a_message_claimed_by_another_process_is_left_alone(app, make, smtp_server):
    smtp_server.configure(app)
    user = user_with_email(make, "dr_li")
    mine, theirs = notice(user, "Mine"), notice(user, "Theirs")
    db.session.commit()
    # Another scheduler process claims the second message and is still sending it.
    assert operations.claim_due("other-host:1:x", utcnow(), limit=1) == [mine.id]
    db.session.commit()

    deliver_outbox(utcnow())

    assert smtp_server.handler.ids() == [str(theirs.id)]
    assert fresh(mine).email_status is EmailStatus.sending
    # ...and it cannot record an outcome on a message it does not hold.
    assert operations.record_sent(fresh(theirs), "other-host:1:x") is False


def test_a_claim_left_by_a_dead_process_is_released_later(app, make, smtp_server):
    smtp_server.configure(app)
    notification = notice(user_with_email(make, "dr_li"))
    db.session.commit()
    operations.claim_due("dead-host:1:x", utcnow(), limit=10)
    db.session.commit()

    assert "sent 0" in deliver_outbox(utcnow())  # a fresh claim is respected
    stored = fresh(notification)
    stored.claimed_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    summary = deliver_outbox(utcnow())

    assert "stale claims released 1" in summary and "sent 1" in summary
    assert smtp_server.handler.ids() == [str(notification.id)]


def test_many_messages_one_connection(app, make, smtp_server):
    smtp_server.configure(app)
    users = [user_with_email(make, f"dr_{n}") for n in range(3)]
    for n in range(25):
        notice(users[n % 3], f"Message {n}")
    db.session.commit()

    assert deliver_outbox(utcnow()).startswith("sent 25,")
    assert sorted(smtp_server.handler.ids(), key=int) == [
        str(n.id) for n in db.session.scalars(select(Notification).order_by(Notification.id))]
