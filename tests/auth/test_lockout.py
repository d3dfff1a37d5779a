"""Per-account lockout: LOGIN_MAX_FAILURES failures within LOGIN_FAILURE_WINDOW_MINUTES."""

from __future__ import annotations

from datetime import timedelta

import pytest

from appraisal.auth import operations as auth_ops
from appraisal.core.db import utcnow
from appraisal.extensions import db
from tests.auth.helpers import attempts, audit_actions, login, shift_attempts


@pytest.fixture
def policy(app):
    app.config.update(LOGIN_MAX_FAILURES=3, LOGIN_FAILURE_WINDOW_MINUTES=15)


def _fail(client, username, times):
    for _ in range(times):
        assert login(client, username, "wrong password!").status_code == 200


def test_the_account_locks_after_the_allowed_failures(policy, client, make):
    user = make.user(username="target")
    _fail(client, "target", 3)

    assert login(client, "target").status_code == 200  # the right password, refused
    assert client.get("/").status_code == 302
    assert attempts(user, succeeded=False) == 4
    locked = audit_actions("auth.account_locked")
    assert len(locked) == 1
    assert locked[0].object_id == str(user.id) and locked[0].new_values["failures"] == 3


def test_fewer_failures_do_not_lock(policy, client, make):
    make.user(username="clumsy")
    _fail(client, "clumsy", 2)
    assert login(client, "clumsy").status_code == 302
    assert audit_actions("auth.account_locked") == []


def test_attempts_while_locked_do_not_log_the_lock_again(policy, client, make):
    make.user(username="hammered")
    _fail(client, "hammered", 8)
    assert len(audit_actions("auth.account_locked")) == 1


def test_the_lock_ends_when_the_failures_leave_the_window(policy, client, make):
    user = make.user(username="patient")
    _fail(client, "patient", 3)
    assert login(client, "patient").status_code == 200
    shift_attempts(user, timedelta(minutes=16))

    assert login(client, "patient").status_code == 302


def test_failures_just_inside_the_window_still_count(policy, client, make):
    user = make.user(username="early")
    _fail(client, "early", 3)
    shift_attempts(user, timedelta(minutes=14))
    assert login(client, "early").status_code == 200


def test_a_successful_login_starts_the_count_again(policy, client, make, app):
    make.user(username="forgetful")
    _fail(client, "forgetful", 2)
    assert login(client, "forgetful").status_code == 302
    client.post("/logout")
    _fail(client, "forgetful", 2)
    assert login(client, "forgetful").status_code == 302


def test_an_administrator_unlock_forgives_earlier_failures_only(policy, make, app):
    user = make.user(username="unlucky")
    client = app.test_client()
    _fail(client, "unlucky", 3)
    window = timedelta(minutes=15)
    assert auth_ops.is_locked(user, max_failures=3, window=window, now=utcnow())

    auth_ops.clear_lockout(None, user, window=window)
    db.session.commit()
    assert auth_ops.recent_failures(user, window, utcnow()) == 0
    _fail(client, "unlucky", 2)  # counted again from the unlock on
    assert auth_ops.recent_failures(user, window, utcnow()) == 2
    assert login(client, "unlucky").status_code == 302


def test_unknown_usernames_lock_nothing(policy, client, make):
    make.user(username="bystander")
    _fail(client, "not-a-user", 5)
    assert login(client, "bystander").status_code == 302
    assert audit_actions("auth.account_locked") == []


def test_failure_counts_are_per_account(policy, client, make):
    first, second = make.user(username="first"), make.user(username="second")
    _fail(client, "first", 3)
    counts = auth_ops.failure_counts([first.id, second.id], timedelta(minutes=15), utcnow())
    assert counts == {first.id: 3}
    assert login(client, "second").status_code == 302
