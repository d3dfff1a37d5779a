"""Server-side sessions: time-outs, logout, password change, cookie flags."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from sqlalchemy import select

from appraisal.auth import operations as auth_ops
from appraisal.auth.models import UserSession
from appraisal.core.db import utcnow
from appraisal.extensions import db
from tests.auth.helpers import cookie, current_sid, login, shift_session

NEW_PASSWORD = "a much longer secret 42"


def _sent_to_login(response) -> bool:
    return response.status_code == 302 and urlsplit(response.headers["Location"]).path == "/login"


def test_logout_ends_the_session_and_a_copied_cookie_stops_working(app, client, make):
    make.user(username="leaver")
    login(client, "leaver")
    sid, stolen = current_sid(client), cookie(client)
    assert client.get("/").status_code == 200

    assert _sent_to_login(client.post("/logout"))

    assert db.session.get(UserSession, sid).ended_at is not None
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    response = thief.get("/")
    assert _sent_to_login(response)
    assert b"Your session has ended" in thief.get(response.headers["Location"]).data
    assert current_sid(thief) is None  # the stale cookie was emptied


def test_logout_is_post_only(client, make):
    make.user(username="stays")
    login(client, "stays")
    assert client.get("/logout").status_code == 405
    assert client.get("/").status_code == 200


def test_password_change_ends_the_other_sessions_but_not_this_one(app, client, make):
    user = make.user(username="careful")
    other = app.test_client()
    login(client, "careful")
    login(other, "careful")
    assert other.get("/").status_code == 200

    response = client.post("/account/password", data={
        "current_password": "correct horse battery", "new_password": NEW_PASSWORD,
        "confirm": NEW_PASSWORD})
    assert response.status_code == 302

    assert client.get("/").status_code == 200
    assert _sent_to_login(other.get("/"))
    live = db.session.scalars(select(UserSession).where(
        UserSession.user_id == user.id, UserSession.ended_at.is_(None))).all()
    assert [row.id for row in live] == [current_sid(client)]


def test_password_change_refuses_a_weak_or_wrong_input(client, make):
    make.user(username="weakling")
    login(client, "weakling")
    short = client.post("/account/password", data={
        "current_password": "correct horse battery", "new_password": "short",
        "confirm": "short"})
    same = client.post("/account/password", data={
        "current_password": "correct horse battery", "new_password": "Weakling  ",
        "confirm": "Weakling  "})
    wrong = client.post("/account/password", data={
        "current_password": "not it at all", "new_password": NEW_PASSWORD,
        "confirm": NEW_PASSWORD})
    assert short.status_code == same.status_code == wrong.status_code == 200
    assert b'id="new_password-error"' in short.data and b"10" in short.data
    assert b"must differ from the username" in same.data
    assert b"The current password is wrong." in wrong.data
    assert login(client.application.test_client(), "weakling").status_code == 302


def test_idle_session_expires(app, client, make):
    app.config["SESSION_IDLE_MINUTES"] = 30
    make.user(username="sleepy")
    login(client, "sleepy")
    sid = current_sid(client)
    shift_session(sid, seen_by=timedelta(minutes=31))

    response = client.get("/accounts/users?page=2")
    assert _sent_to_login(response)
    assert "next=" in response.headers["Location"]
    page = client.get(response.headers["Location"])
    assert b"expired after a period of inactivity" in page.data
    assert current_sid(client) is None
    assert auth_ops.live_session_count(db.session.get(UserSession, sid).user,
                                       idle=timedelta(minutes=30),
                                       absolute=timedelta(hours=12)) == 0


def test_activity_keeps_the_session_alive(app, client, make):
    app.config["SESSION_IDLE_MINUTES"] = 30
    make.user(username="busy")
    login(client, "busy")
    sid = current_sid(client)
    shift_session(sid, seen_by=timedelta(minutes=29))

    assert client.get("/").status_code == 200

    db.session.expire_all()
    seen = db.session.get(UserSession, sid).last_seen_at
    assert utcnow() - seen < timedelta(minutes=1)
    shift_session(sid, seen_by=timedelta(minutes=29))
    assert client.get("/").status_code == 200  # 58 minutes after login, never idle for 30


def test_a_zero_idle_limit_ends_the_session_at_the_next_request(app, client, make):
    make.user(username="strict")
    login(client, "strict")
    app.config["SESSION_IDLE_MINUTES"] = 0
    assert _sent_to_login(client.get("/"))


def test_absolute_time_limit_ends_even_an_active_session(app, client, make):
    app.config["SESSION_ABSOLUTE_HOURS"] = 12
    make.user(username="marathon")
    login(client, "marathon")
    shift_session(current_sid(client), created_by=timedelta(hours=12, minutes=1))

    response = client.get("/")
    assert _sent_to_login(response)
    assert b"time limit of 12 hours" in client.get(response.headers["Location"]).data


def test_a_post_on_an_expired_session_changes_nothing(app, client, make):
    user = make.user(username="late")
    login(client, "late")
    shift_session(current_sid(client), seen_by=timedelta(hours=1))
    response = client.post("/account/password", data={
        "current_password": "correct horse battery", "new_password": NEW_PASSWORD,
        "confirm": NEW_PASSWORD})
    assert _sent_to_login(response)
    db.session.expire_all()
    assert auth_ops.find_user("late").password_hash == user.password_hash


def test_deactivation_ends_the_session_at_once(client, make):
    user = make.user(username="gone")
    login(client, "gone")
    user.active = False
    db.session.commit()
    assert _sent_to_login(client.get("/"))


def test_session_cookie_flags(app, client, make):
    make.user(username="flags")
    response = login(client, "flags")
    header = response.headers["Set-Cookie"]
    assert "HttpOnly" in header and "SameSite=Lax" in header
    assert "Secure" not in header  # not asked for: a plain-HTTP installation still works


def test_session_cookie_is_secure_when_configured(app, client, make):
    app.config["SESSION_COOKIE_SECURE"] = True
    make.user(username="tls")
    response = login(client, "tls")
    header = response.headers["Set-Cookie"]
    assert "Secure" in header and "HttpOnly" in header and "SameSite=Lax" in header


def test_live_session_count(make):
    user = make.user()
    first = auth_ops.start_session(user)
    auth_ops.start_session(user)
    ended = auth_ops.start_session(user)
    db.session.flush()
    auth_ops.end_session(ended.id)
    first.last_seen_at = utcnow() - timedelta(hours=1)
    db.session.flush()
    assert auth_ops.live_session_count(user, idle=timedelta(minutes=30),
                                       absolute=timedelta(hours=12)) == 1
