"""Lockout under real concurrency, against PostgreSQL."""

from __future__ import annotations

import threading

import pytest

from appraisal.extensions import db
from tests.auth.helpers import PASSWORD, attempts, audit_actions, login
from tests.conftest import POSTGRES

THREADS = 20

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not POSTGRES, reason=(
        "needs PostgreSQL (set DATABASE_URL): SQLite serialises every writer, so it cannot "
        "show whether concurrent failures are counted exactly")),
]


def _attempt(app, barrier, results, errors):
    # Each thread is its own browser: its own client, app context and database session.
    try:
        with app.app_context():
            client = app.test_client()
            barrier.wait(timeout=30)
            response = client.post("/login", data={"username": "besieged",
                                                   "password": "a wrong guess!"})
            results.append(response.status_code)
    except Exception as error:  # noqa: BLE001  (reported by the main thread)
        errors.append(error)


def test_20_concurrent_wrong_passwords_lock_the_account_and_record_every_failure(app, make):
    """ACCEPTANCE: 20 concurrent wrong-password attempts on one account against PostgreSQL
    lock it and record every failure."""
    app.config.update(LOGIN_MAX_FAILURES=10, LOGIN_FAILURE_WINDOW_MINUTES=15)
    user = make.user(username="besieged")
    db.session.commit()  # the threads see only committed rows
    barrier = threading.Barrier(THREADS)
    results, errors = [], []
    threads = [threading.Thread(target=_attempt, args=(app, barrier, results, errors))
               for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert not errors, errors
    assert results == [200] * THREADS
    db.session.expire_all()
    assert attempts(user, succeeded=False) == THREADS
    assert len(audit_actions("auth.account_locked")) == 1
    assert login(app.test_client(), "besieged", PASSWORD).status_code == 200  # locked
    assert attempts(user, succeeded=True) == 0
