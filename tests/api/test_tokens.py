"""API token administration: issued (shown once, only a hash kept), listed, revoked."""

from __future__ import annotations

import hashlib
import json
import re

import pytest
from sqlalchemy import func, select

from appraisal.core.audit import AuditEntry
from appraisal.extensions import db
from appraisal.measurements.models import ApiToken
from tests.api.helpers import bearer


@pytest.fixture
def office(client, auth, world):
    auth.login(world.admin)
    return client


def issue(client, name="HIS nightly export"):
    response = client.post("/measurements/api-tokens/issue", data={"name": name})
    html = response.get_data(as_text=True)
    match = re.search(r'id="token-secret" value="(apr_[^"]+)"', html)
    return response, (match.group(1) if match else None)


def test_a_token_is_shown_once_and_only_its_hash_is_kept(office):
    response, secret = issue(office)
    assert response.status_code == 200 and secret
    assert "This is the only time the token is shown" in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"
    token = db.session.scalars(select(ApiToken)).one()
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert token.prefix == secret[:8] and token.name == "HIS nightly export"
    # The list shows the prefix, never the secret; nor does the audit log hold it.
    listing = office.get("/measurements/api-tokens").get_data(as_text=True)
    assert f"{token.prefix}…" in listing and secret not in listing
    entries = db.session.scalars(select(AuditEntry)).all()
    assert any(e.action == "api_token.issued" for e in entries)
    assert not any(secret in json.dumps([e.old_values, e.new_values]) for e in entries)
    # ... and the secret opens the API.
    assert office.get("/api/v1/cycles", headers=bearer(secret)).status_code == 200


def test_every_token_is_different(office):
    secrets = {issue(office)[1] for _ in range(3)}
    assert len(secrets) == 3 and all(len(s) > 40 for s in secrets)


def test_a_token_needs_a_name(office):
    response, secret = issue(office, name="  ")
    assert secret is None and "Give the token a name" in response.get_data(as_text=True)
    assert db.session.scalar(select(ApiToken.id)) is None


def test_the_list_shows_when_a_token_was_last_used(office, token):
    assert "never" in office.get("/measurements/api-tokens").get_data(as_text=True)
    office.get("/api/v1/cycles", headers=bearer(token[1]))
    listing = office.get("/measurements/api-tokens").get_data(as_text=True)
    assert "never" not in listing


def test_revoking_asks_first_then_refuses_the_token(office, world, token):
    row, secret = token
    confirm_page = office.get(f"/measurements/api-tokens/{row.id}/revoke")
    assert "Revoke the token HIS nightly?" in confirm_page.get_data(as_text=True)
    assert db.session.get(ApiToken, row.id).active  # the GET changed nothing

    done = office.post(f"/measurements/api-tokens/{row.id}/revoke")
    assert done.status_code == 302
    assert "is revoked" in office.get(done.headers["Location"]).get_data(as_text=True)
    db.session.expire_all()
    assert not db.session.get(ApiToken, row.id).active
    [entry] = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "api_token.revoked")).all()
    assert entry.actor_id == world.admin.id and entry.object_id == str(row.id)
    assert office.get("/api/v1/cycles", headers=bearer(secret)).status_code == 401

    again = office.post(f"/measurements/api-tokens/{row.id}/revoke")
    assert "already revoked" in office.get(again.headers["Location"]).get_data(as_text=True)


def test_the_token_page_links_the_api_documentation(office):
    html = office.get("/measurements/api-tokens").get_data(as_text=True)
    assert 'href="/api/v1/openapi.json"' in html
    assert "No token has been issued yet" in html


def test_the_token_list_issues_the_same_statements_for_few_and_many(office, world):
    from appraisal.measurements import operations
    from tests.helpers import count_statements

    counts = []
    for total in (2, 70):
        while db.session.scalar(select(func.count()).select_from(ApiToken)) < total:
            operations.issue_token(world.admin, "system")
        db.session.commit()
        with count_statements() as statements:
            assert office.get("/measurements/api-tokens").status_code == 200
        counts.append(statements.n)
    assert counts[0] == counts[1], counts
