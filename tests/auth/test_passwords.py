"""Password storage: argon2id with at least the OWASP parameters; secrets never logged."""

from __future__ import annotations

import json
import re

from sqlalchemy import select

from appraisal.auth import passwords
from appraisal.auth.models import User
from appraisal.core.audit import AuditEntry
from appraisal.extensions import db
from tests.auth.helpers import PASSWORD, login

HASH_FORMAT = re.compile(r"^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$[^$]+\$[^$]+$")


def test_hash_parameters_read_from_the_stored_hash(make):
    """ACCEPTANCE: argon2id, m >= 19 MiB (19456 KiB), t >= 2, as stored in the database."""
    user = make.user(username="hashed")
    db.session.commit()
    stored = db.session.scalar(select(User.password_hash).where(User.id == user.id))
    match = HASH_FORMAT.match(stored)
    assert match, stored[:20]
    memory_kib, time_cost, parallelism = map(int, match.groups())
    assert memory_kib >= 19456
    assert time_cost >= 2
    assert parallelism >= 1
    assert PASSWORD not in stored


def test_the_same_password_hashes_differently_each_time():
    assert passwords.hash_password(PASSWORD) != passwords.hash_password(PASSWORD)


def test_verify_password_refuses_missing_and_malformed_hashes():
    good = passwords.hash_password(PASSWORD)
    assert passwords.verify_password(good, PASSWORD)
    assert not passwords.verify_password(good, PASSWORD + "x")
    assert not passwords.verify_password(None, PASSWORD)
    assert not passwords.verify_password("not-a-hash", PASSWORD)


def test_a_hash_with_weaker_parameters_is_upgraded_at_login(client, make):
    from argon2 import PasswordHasher

    user = make.user(username="legacy")
    user.password_hash = PasswordHasher(time_cost=1, memory_cost=8192).hash(PASSWORD)
    db.session.commit()
    assert login(client, "legacy").status_code == 302
    db.session.expire_all()
    memory_kib = int(HASH_FORMAT.match(db.session.get(User, user.id).password_hash).group(1))
    assert memory_kib >= 19456


def test_no_password_or_hash_ever_reaches_the_audit_log(client, make):
    admin = make.admin(username="office")
    new_password = "brand new secret 99"
    reset_password = "reset by the office 7"
    login(client, "office")
    client.post("/accounts/users/new", data={
        "username": "fresh", "password": new_password, "confirm": new_password})
    fresh = db.session.scalars(select(User).where(User.username == "fresh")).one()
    client.post(f"/accounts/users/{fresh.id}/password", data={
        "reset-new_password": reset_password, "reset-confirm": reset_password})
    client.post("/account/password", data={
        "current_password": PASSWORD, "new_password": new_password, "confirm": new_password})
    login(client.application.test_client(), "fresh", "a wrong guess here")

    entries = db.session.scalars(select(AuditEntry)).all()
    actions = {entry.action for entry in entries}
    assert {"user.created", "user.password_set"} <= actions
    dumped = json.dumps([[e.old_values, e.new_values] for e in entries])
    hashes = [u.password_hash for u in db.session.scalars(select(User))]
    for secret in [new_password, reset_password, PASSWORD, "$argon2", *hashes]:
        assert secret not in dumped
    assert admin.id in {entry.actor_id for entry in entries}
