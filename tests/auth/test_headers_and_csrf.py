"""Security headers on every response; CSRF refusal on every form; no change on GET."""

from __future__ import annotations

import pytest

from appraisal.core.security import CSP
from appraisal.extensions import db
from tests.auth.helpers import current_sid, login
from tests.conftest import PASSWORD, csrf_token_from

EXPECTED_CSP = ("default-src 'self'; object-src 'none'; base-uri 'none'; "
                "frame-ancestors 'none'")


def _assert_headers(response):
    assert response.headers["Content-Security-Policy"] == EXPECTED_CSP == CSP
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] in ("same-origin", "strict-origin-when-cross-origin",
                                                   "no-referrer")
    assert "no-store" in response.headers["Cache-Control"]


def test_headers_on_the_login_page(client):
    response = client.get("/login")
    assert response.status_code == 200
    _assert_headers(response)


@pytest.mark.parametrize("path", ["/", "/account/password", "/accounts/users"])
def test_headers_on_pages_behind_the_login(client, make, path):
    make.admin(username="headed")
    login(client, "headed")
    response = client.get(path)
    assert response.status_code == 200
    _assert_headers(response)


def test_headers_on_error_pages_and_redirects(client):
    _assert_headers(client.get("/no-such-page"))
    _assert_headers(client.get("/"))  # redirect to the login


def test_login_without_a_csrf_token_is_refused_with_the_friendly_page(csrf_client, make):
    make.user(username="forged")
    response = csrf_client.post("/login", data={"username": "forged", "password": PASSWORD})
    assert response.status_code == 400
    assert b"The request could not be understood" in response.data
    assert b"Traceback" not in response.data
    _assert_headers(response)
    assert current_sid(csrf_client) is None


def _csrf_login(client, username):
    db.session.commit()  # the GET below rolls back whatever is not committed
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"username": username, "password": PASSWORD,
                                           "csrf_token": token})
    assert response.status_code == 302
    return response


def test_login_with_the_token_works(csrf_client, make):
    make.user(username="honest")
    _csrf_login(csrf_client, "honest")
    assert csrf_client.get("/").status_code == 200


@pytest.mark.parametrize("path, data", [
    ("/logout", {}),
    ("/account/password", {"current_password": PASSWORD, "new_password": "x" * 12,
                           "confirm": "x" * 12}),
    ("/language", {"language": "zh"}),
])
def test_forms_of_a_logged_in_user_refuse_a_missing_token(csrf_client, make, path, data):
    make.user(username="victim")
    _csrf_login(csrf_client, "victim")
    response = csrf_client.post(path, data=data)
    assert response.status_code == 400
    assert b"The request could not be understood" in response.data
    assert csrf_client.get("/").status_code == 200  # still logged in, nothing changed


def test_admin_actions_refuse_a_missing_token(csrf_client, make):
    make.admin(username="chief")
    other = make.user(username="other")
    _csrf_login(csrf_client, "chief")
    response = csrf_client.post(f"/accounts/users/{other.id}/deactivate")
    assert response.status_code == 400
    db.session.expire_all()
    assert other.active


def test_the_login_token_from_before_login_is_not_reused_after(csrf_client, make):
    make.user(username="rotated")
    db.session.commit()
    before = csrf_token_from(csrf_client.get("/login").get_data(as_text=True))
    _csrf_login(csrf_client, "rotated")
    response = csrf_client.post("/logout", data={"csrf_token": before})
    assert response.status_code == 400


@pytest.mark.parametrize("path", ["/logout", "/language"])
def test_state_changing_routes_refuse_get(client, make, path):
    make.user(username="getter")
    login(client, "getter")
    assert client.get(path).status_code == 405
    assert client.get("/").status_code == 200
