"""Every API route refuses a request without a valid bearer token (401, JSON) and serves one
with it; a test below fails when a new /api/v1 route has no case here."""

from __future__ import annotations

import pytest

from appraisal.extensions import db
from appraisal.measurements import operations
from tests.api.helpers import bearer

# How to call each route: (path, keyword arguments of client.open) from the world.
CALLS = {
    ("api.cycles", "GET"): lambda w: ("/api/v1/cycles", {}),
    ("api.indicators", "GET"): lambda w: ("/api/v1/indicators", {}),
    ("api.batch_create", "POST"): lambda w: (f"/api/v1/cycles/{w.cycle.id}/batches", {
        "json": {"batch_key": "HIS", "measurements": [
            {"employee_number": "E001", "indicator_code": "VISITS", "value": 12}]},
        "headers": {"Idempotency-Key": "auth-test"}}),
}
# Routes open without a token (they hold no data).
PUBLIC = {("api.openapi", "GET")}


def api_routes(app) -> set[tuple[str, str]]:
    return {(rule.endpoint, method) for rule in app.url_map.iter_rules()
            if rule.rule.startswith("/api/v1")
            for method in rule.methods - {"HEAD", "OPTIONS"}}


def test_every_api_route_has_an_authentication_test(app):
    assert api_routes(app) == set(CALLS) | PUBLIC


def call(client, world, key, headers=None):
    path, kwargs = CALLS[key](world)
    kwargs = dict(kwargs)
    kwargs["headers"] = {**kwargs.get("headers", {}), **(headers or {})}
    return client.open(path, method=key[1], **kwargs)


def assert_401(response):
    assert response.status_code == 401
    assert response.is_json and response.json["status"] == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("key", sorted(CALLS), ids=str)
def test_without_a_token(client, world, key):
    response = call(client, world, key)
    assert_401(response)
    assert "Authorization: Bearer" in response.json["message"]


@pytest.mark.parametrize("key", sorted(CALLS), ids=str)
def test_with_an_unknown_or_malformed_token(client, world, token, key):
    for header in ["Bearer apr_not-a-real-token", "Bearer", "Basic dXNlcjpw", token[1],
                   f"Bearer {token[1]}x", f"Bearer {token[0].token_hash}"]:
        assert_401(call(client, world, key, {"Authorization": header}))


@pytest.mark.parametrize("key", sorted(CALLS), ids=str)
def test_with_a_revoked_token(client, world, token, key):
    row, secret = token
    operations.revoke_token(world.admin, row)
    db.session.commit()
    response = call(client, world, key, bearer(secret))
    assert_401(response)
    assert "revoked" in response.json["message"]


@pytest.mark.parametrize("key", sorted(CALLS), ids=str)
def test_with_a_valid_token(client, world, token, key):
    response = call(client, world, key, bearer(token[1]))
    assert response.status_code in (200, 201), response.json
    assert response.is_json


@pytest.mark.parametrize("key", sorted(CALLS), ids=str)
def test_a_login_cookie_is_not_a_token(client, auth, world, key):
    auth.login(world.admin)
    assert_401(call(client, world, key))


def test_the_openapi_document_needs_no_token(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.json["openapi"].startswith("3.1")


def test_the_last_use_of_a_token_is_recorded(client, world, token):
    row, secret = token
    assert row.last_used_at is None
    assert client.get("/api/v1/cycles", headers=bearer(secret)).status_code == 200
    db.session.expire_all()
    first = row.last_used_at
    assert first is not None
    # Within the same minute it is not written again (no write per request).
    client.get("/api/v1/indicators", headers=bearer(secret))
    db.session.expire_all()
    assert row.last_used_at == first
