"""The inbox: each user sees and marks only their own notifications; the header badge."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from appraisal.core.db import utcnow
from appraisal.extensions import db
from appraisal.notifications.models import Notification
from tests.conftest import PASSWORD, csrf_token_from
from tests.helpers import count_statements
from tests.notifications.helpers import notice


def badge(html: str) -> str | None:
    match = re.search(r'<span class="badge"[^>]*>(\d+)</span>', html)
    return match.group(1) if match else None


def test_inbox_shows_only_my_notifications_unread_first(client, make, auth):
    me, other = make.user(username="me"), make.user(username="other")
    old_unread = notice(me, "Old but unread")
    old_unread.created_at = utcnow() - timedelta(days=3)
    read = notice(me, "Newest but read")
    read.read_at = utcnow()
    notice(me, "New and unread", body="Line one\nLine two")
    notice(other, "Not for me")
    auth.login(me)

    html = client.get("/notifications").get_data(as_text=True)

    assert "Not for me" not in html
    assert html.index("New and unread") < html.index("Old but unread") \
        < html.index("Newest but read")
    assert "Line one<br>Line two" in html
    assert "2 unread of 3" in html


def test_the_header_shows_the_unread_count_with_one_count_query(client, make, auth):
    me = make.user(username="me")
    for n in range(3):
        notice(me, f"Message {n}")
    notice(make.user(username="other"), "Someone else's")
    auth.login(me)

    with count_statements() as statements:
        html = client.get("/").get_data(as_text=True)

    assert badge(html) == "3"
    counts = [s for s in statements if "notifications" in s]
    assert len(counts) == 1 and "count(" in counts[0].lower()


def test_no_badge_without_unread_notifications_and_none_when_logged_out(client, make, auth):
    me = make.user(username="me")
    auth.login(me)
    assert badge(client.get("/").get_data(as_text=True)) is None

    auth.logout()
    with count_statements() as statements:
        html = client.get("/login").get_data(as_text=True)
    assert "Notifications" not in html
    assert not [s for s in statements if "notifications" in s]


def test_mark_read_then_the_badge_goes_down(client, make, auth):
    me = make.user(username="me")
    first, _second = notice(me, "First"), notice(me, "Second")
    auth.login(me)

    response = client.post(f"/notifications/{first.id}/read", data={"next": "/notifications"})

    assert response.status_code == 302 and response.headers["Location"] == "/notifications"
    assert db.session.get(Notification, first.id).read_at is not None
    assert badge(client.get("/notifications").get_data(as_text=True)) == "1"


def test_open_marks_read_and_follows_the_link(client, make, auth):
    me = make.user(username="me")
    notification = notice(me, link="/reviews/12")
    auth.login(me)

    response = client.post(f"/notifications/{notification.id}/read",
                           data={"next": notification.link})

    assert response.headers["Location"] == "/reviews/12"


def test_mark_read_never_redirects_outside(client, make, auth):
    me = make.user(username="me")
    notification = notice(me)
    auth.login(me)

    response = client.post(f"/notifications/{notification.id}/read",
                           data={"next": "//evil.example/"})

    assert "evil" not in response.headers["Location"]


def test_another_users_notification_is_a_404_and_stays_unread(client, make, auth):
    owner, intruder = make.user(username="owner"), make.admin(username="intruder")
    notification = notice(owner)
    auth.login(intruder)

    response = client.post(f"/notifications/{notification.id}/read", data={})

    assert response.status_code == 404
    db.session.expire_all()
    assert db.session.get(Notification, notification.id).read_at is None
    assert client.post("/notifications/999999/read").status_code == 404


def test_mark_all_read_touches_only_my_notifications(client, make, auth):
    me, other = make.user(username="me"), make.user(username="other")
    notice(me, "A")
    notice(me, "B")
    theirs = notice(other, "C")
    auth.login(me)

    response = client.post("/notifications/read-all", follow_redirects=True)

    assert "2 notifications marked as read." in response.get_data(as_text=True)
    db.session.expire_all()
    unread = db.session.scalars(select(Notification).where(Notification.read_at.is_(None)))
    assert [n.id for n in unread] == [theirs.id]


def test_empty_inbox(client, make, auth):
    auth.login(make.user(username="me"))

    html = client.get("/notifications").get_data(as_text=True)

    assert "You have no notifications." in html
    assert "Mark all as read" not in html


def test_inbox_pagination(app, client, make, auth):
    app.config["PAGE_SIZE"] = 4
    me = make.user(username="me")
    for n in range(10):
        notice(me, f"Message {n:02d}").created_at = utcnow() - timedelta(minutes=n)
    auth.login(me)

    html = client.get("/notifications?page=3").get_data(as_text=True)

    assert "Page 3 of 3" in html and "Message 08" in html and "Message 07" not in html


def _inbox_statements(client, make, auth, rows: int) -> int:
    me = make.user(username=f"me{rows}")
    for n in range(rows):
        notice(me, f"Message {n}", link=f"/x/{n}")
    auth.login(me)
    with count_statements() as statements:
        assert client.get("/notifications").status_code == 200
    auth.logout()
    return len(statements)


def test_inbox_queries_do_not_grow_with_the_rows(client, make, auth):
    assert _inbox_statements(client, make, auth, 2) == _inbox_statements(client, make, auth, 40)


def test_csrf_is_required(csrf_client, make, auth):
    me = make.user(username="me")
    notification = notice(me)
    db.session.commit()

    token = csrf_token_from(csrf_client.get("/login").get_data(as_text=True))
    csrf_client.post("/login", data={"username": "me", "password": PASSWORD,
                                     "csrf_token": token})

    assert csrf_client.post(f"/notifications/{notification.id}/read").status_code == 400
    assert csrf_client.post("/notifications/read-all").status_code == 400
    page = csrf_client.get("/notifications").get_data(as_text=True)
    ok = csrf_client.post(f"/notifications/{notification.id}/read",
                          data={"csrf_token": csrf_token_from(page)})
    assert ok.status_code == 302
