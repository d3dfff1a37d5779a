"""The audit log never holds a password, a token, a secret or a hash."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from appraisal.auth import operations as auth_ops
from appraisal.core.audit import REDACTED, AuditEntry, record
from appraisal.extensions import db

SECRETS = {
    "password": "hunter2hunter2",
    "new_Password": "hunter3hunter3",
    "api_token": "tok-123",
    "client_secret": "s3cr3t",
    "password_hash": "$argon2id$v=19$abc",
    "TokenHash": "deadbeef",
}


@pytest.mark.parametrize("key", sorted(SECRETS))
def test_secret_keys_are_redacted(app, key):
    entry = record(None, "thing.changed", object_type="Thing", old={key: SECRETS[key]},
                   new={key: SECRETS[key], "nested": {key: SECRETS[key]}, "name": "kept"})
    db.session.commit()

    stored = db.session.get(AuditEntry, entry.id)
    assert stored.old_values == {key: REDACTED}
    assert stored.new_values == {key: REDACTED, "nested": {key: REDACTED}, "name": "kept"}


def test_account_operations_leave_no_password_or_hash_in_the_log(app, make):
    admin = make.admin(username="office")
    user = auth_ops.create_user(admin, username="newbie", password="first password 1")
    auth_ops.set_password(admin, user, "second password 2")
    db.session.commit()

    text = json.dumps([(e.old_values, e.new_values) for e in
                       db.session.scalars(select(AuditEntry))])
    assert "first password 1" not in text and "second password 2" not in text
    assert user.password_hash not in text
    assert "$argon2" not in text


def test_the_page_shows_redacted_values_only(client, make, auth):
    admin = make.admin(username="office")
    record(admin, "integration.token_created", object_type="Token",
           new={"token": "tok-very-secret", "label": "HIS feed"})
    db.session.commit()
    auth.login(admin)

    html = client.get("/admin/audit/").get_data(as_text=True)

    assert "HIS feed" in html and REDACTED in html
    assert "tok-very-secret" not in html
