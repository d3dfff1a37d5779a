"""Test fixtures: a real database per test (SQLite file, or PostgreSQL when DATABASE_URL is
set), the app, a client, object factories and a login helper."""

from __future__ import annotations

import functools
import os
import re
from itertools import count

import pytest
from flask.testing import FlaskClient
from sqlalchemy import text

from appraisal import create_app
from appraisal.auth import operations as auth_ops
from appraisal.auth.models import Role
from appraisal.auth.passwords import hash_password as _real_hash_password
from appraisal.extensions import db
from appraisal.org.models import DepartmentKind, Staff, StaffGroup

PASSWORD = "correct horse battery"
POSTGRES = bool(os.environ.get("DATABASE_URL"))


def _database_per_xdist_worker() -> None:
    """Under pytest-xdist, give each worker its own PostgreSQL database (created on demand).

    Tests recreate the schema per test, so workers must not share one. The environment
    variable is rewritten before any app exists, so subprocesses started by tests (the
    scheduler test) see the same database as the test itself.
    """
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not (POSTGRES and worker):
        return
    import psycopg

    base, name = os.environ["DATABASE_URL"].rsplit("/", 1)
    worker_db = f"{name}_{worker}"
    with psycopg.connect(f"{base}/{name}", autocommit=True) as connection:
        found = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (worker_db,)).fetchone()
        if not found:
            connection.execute(f'CREATE DATABASE "{worker_db}"')
    os.environ["DATABASE_URL"] = f"{base}/{worker_db}"


_database_per_xdist_worker()


class IsolatedClient(FlaskClient):
    """A test client whose every request runs in an application context of its own, as on a
    real server: a fresh ``g`` and its own database session, so a page cannot pass a test by
    seeing what an earlier request left in ``g`` or in the session.

    What the test built is committed first (a server sees only committed data), and the
    test's objects are expired afterwards, so the test reads what the request wrote.
    """

    def open(self, *args, **kwargs):
        db.session.commit()
        try:
            with self.application.app_context():
                return super().open(*args, **kwargs)
        finally:
            db.session.expire_all()


@pytest.fixture
def app(tmp_path):
    config = {"TESTING": True, "SECRET_KEY": "test-secret", "SERVER_NAME": "localhost"}
    if not POSTGRES:
        config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{tmp_path / 'test.sqlite'}"
    app = create_app(config)
    app.test_client_class = IsolatedClient
    with app.app_context():
        if POSTGRES:
            _reset_postgres()
        else:
            db.create_all()
        yield app
        db.session.remove()
        db.engine.dispose()


def _reset_postgres() -> None:
    """Drop and recreate the schema: every test starts from empty tables."""
    with db.engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    db.create_all()


@functools.cache
def _cached_hash(password: str) -> str:
    return _real_hash_password(password)


@pytest.fixture(autouse=True)
def _hash_each_password_once(monkeypatch):
    """A real argon2id hash, computed once per distinct password for the whole run.

    Verification at login stays real; only the repeated hashing of the same test password
    (about 50 ms each) is skipped.
    """
    monkeypatch.setattr(auth_ops, "hash_password", _cached_hash)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def csrf_client(app):
    """A client for tests that prove CSRF protection is on."""
    app.config["WTF_CSRF_ENABLED"] = True
    return app.test_client()


@pytest.fixture(autouse=True)
def _no_csrf_by_default(request):
    # Most tests post forms directly; csrf tests use the csrf_client fixture.
    if "app" in request.fixturenames and "csrf_client" not in request.fixturenames:
        request.getfixturevalue("app").config["WTF_CSRF_ENABLED"] = False


class Factory:
    """Makes one valid object per call; every argument has a sensible default."""

    def __init__(self):
        self._seq = count(1)

    def department(self, name=None, parent=None, kind=DepartmentKind.department, code=None):
        from appraisal.org.operations import create_department

        n = next(self._seq)
        department = create_department(None, code=code or f"D{n:03d}", name=name or f"Dept {n}",
                                       kind=kind, parent=parent)
        db.session.flush()
        return department

    def staff(self, department=None, group=StaffGroup.doctor, name=None, number=None, **extra):
        n = next(self._seq)
        staff = Staff(employee_number=number or f"E{n:05d}", name=name or f"Staff {n}",
                      staff_group=group, title=extra.pop("title", "Attending"),
                      department=department or self.department(), **extra)
        db.session.add(staff)
        db.session.flush()
        return staff

    def user(self, username=None, roles=(), manages=(), staff=None, password=PASSWORD):
        n = next(self._seq)
        user = auth_ops.create_user(None, username=username or f"user{n}", password=password,
                                    staff_id=staff.id if staff else None)
        for role in roles:
            auth_ops.grant_role(None, user, role)
        for department in manages:
            auth_ops.grant_role(None, user, Role.manager, department.id)
        db.session.flush()
        return user

    def admin(self, **kw):
        return self.user(roles=(Role.admin,), **kw)

    def clinician(self, department=None, **kw):
        return self.user(staff=self.staff(department=department), **kw)


@pytest.fixture
def make(app):
    return Factory()


class Auth:
    def __init__(self, client):
        self.client = client

    def login(self, user_or_name, password=PASSWORD):
        username = getattr(user_or_name, "username", user_or_name)
        db.session.commit()
        return self.client.post("/login", data={"username": username, "password": password})

    def logout(self):
        return self.client.post("/logout")


@pytest.fixture
def auth(client):
    return Auth(client)


def csrf_token_from(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "no csrf token in the page"
    return match.group(1)
