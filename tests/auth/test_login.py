"""Logging in: one answer for every refusal, a brand-new session, safe redirects."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from appraisal.auth.models import LoginAttempt, UserSession
from appraisal.extensions import db
from tests.auth.helpers import PASSWORD, attempts, cookie, current_sid, login

REFUSAL = b"Wrong username or password, or the account is locked."


def _normalised(response, username: str) -> str:
    # The form echoes what was typed; everything else must be identical.
    return re.sub(re.escape(username), "USERNAME", response.get_data(as_text=True))


def test_login_succeeds_and_records_the_attempt(client, make):
    user = make.user(username="li.wei")
    response = login(client, "LI.Wei")  # usernames ignore case
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/"
    assert client.get("/").status_code == 200
    assert attempts(user, succeeded=True) == 1
    assert db.session.get(type(user), user.id).last_login_at is not None


def test_unknown_user_wrong_password_locked_and_inactive_get_the_same_answer(app, client, make):
    app.config["LOGIN_MAX_FAILURES"] = 2
    make.user(username="zq-known")
    locked = make.user(username="zq-locked")
    inactive = make.user(username="zq-asleep")
    inactive.active = False
    for _ in range(2):
        login(client, "zq-locked", "wrong password")

    # Usernames that appear nowhere else in the page, so they can be masked out.
    answers = {
        name: _normalised(login(client, name, password), name)
        for name, password in [("zq-ghost", PASSWORD), ("zq-known", "not the password"),
                               ("zq-locked", PASSWORD), ("zq-asleep", PASSWORD)]
    }
    assert len(set(answers.values())) == 1, "the answers differ"
    assert REFUSAL.decode() in answers["zq-ghost"]
    assert current_sid(client) is None
    assert client.get("/").status_code == 302
    assert locked.active


def test_every_attempt_is_recorded_even_for_an_unknown_username(client, make):
    make.user(username="known")
    login(client, "ghost", "whatever-it-is")
    row = db.session.scalars(select(LoginAttempt)).one()
    assert (row.user_id, row.username, row.succeeded) == (None, "ghost", False)


def test_inactive_user_cannot_log_in_with_the_right_password(client, make):
    user = make.user(username="retired")
    user.active = False
    response = login(client, "retired")
    assert response.status_code == 200 and REFUSAL in response.data
    assert client.get("/").status_code == 302
    assert attempts(user, succeeded=False) == 1


def test_the_session_id_changes_at_login(client, make):
    """ACCEPTANCE: the sid before and after login differ, and so does the cookie."""
    user = make.user(username="fixated")
    with client.session_transaction() as sess:  # what an attacker could plant
        sess.update({"sid": "planted-by-someone", "csrf_token": "old", "language": "zh",
                     "_user_id": "999", "anything": "else"})
    before_sid, before_cookie = current_sid(client), cookie(client)

    assert login(client, "fixated").status_code == 302

    after_sid, after_cookie = current_sid(client), cookie(client)
    assert before_sid == "planted-by-someone"
    assert after_sid and after_sid != before_sid
    assert after_cookie != before_cookie
    row = db.session.get(UserSession, after_sid)
    assert row.user_id == user.id and row.ended_at is None
    with client.session_transaction() as sess:
        assert "anything" not in sess and sess.get("csrf_token") != "old"
        assert sess["language"] == "zh"  # the only thing that survives a login
        assert sess["_user_id"] == str(user.id)


def test_each_login_gets_its_own_session(client, make):
    make.user(username="twice")
    login(client, "twice")
    first = current_sid(client)
    client.post("/logout")
    login(client, "twice")
    second = current_sid(client)
    assert first and second and first != second


def test_a_logged_in_user_opening_the_login_page_goes_home(client, make):
    make.user(username="here")
    login(client, "here")
    response = client.get("/login")
    assert response.status_code == 302 and urlsplit(response.headers["Location"]).path == "/"


@pytest.mark.parametrize("target", [
    "//evil.example/",
    "https://evil.example/",
    "http:/evil.example",
    "/\\evil.example",
    "/\t/evil.example",
    "/%0a/evil.example".replace("%0a", "\n"),
    "javascript:alert(1)",
    "evil.example",
])
def test_login_refuses_to_redirect_off_site(client, make, target):
    make.user(username="careful")
    response = login(client, "careful", next=target)
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.netloc in ("", "localhost")
    assert location.path == "/"


def test_login_follows_a_local_next(client, make):
    make.user(username="back")
    response = login(client, "back", next="/account/password?x=1")
    assert response.headers["Location"].endswith("/account/password?x=1")


def test_the_login_page_carries_next_from_the_query(client):
    page = client.get("/login?next=/account/password").get_data(as_text=True)
    assert 'value="/account/password"' in page


def test_a_stale_session_cookie_does_not_block_logging_in(client, make):
    make.user(username="again")
    login(client, "again")
    stale = current_sid(client)
    db.session.get(UserSession, stale).ended_at = db.session.get(UserSession, stale).created_at
    db.session.commit()
    response = login(client, "again")
    assert response.status_code == 302
    assert current_sid(client) not in (None, stale)
