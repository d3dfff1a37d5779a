"""The authorisation matrix: every route in app.url_map, logged out, denied and allowed.

Each feature lists its routes in ``tests/access/routes_<feature>.py`` as ``CASES``. A route
missing from the matrix fails ``test_every_route_is_in_the_matrix``.
"""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from flask import url_for

import tests.access
from tests.access.world import World

PUBLIC_ENDPOINTS = {"static"}
# The JSON API authenticates by bearer token, not by the login cookie; tests/api/test_auth.py
# checks every one of its routes (and fails when one lacks a case there).
API_ENDPOINT_PREFIX = "api."


def _load_cases():
    cases = []
    for module in pkgutil.iter_modules(tests.access.__path__):
        if module.name.startswith("routes_"):
            cases += importlib.import_module(f"tests.access.{module.name}").CASES
    return cases


CASES = _load_cases()


def test_every_route_is_in_the_matrix(app):
    known = {case.key for case in CASES}
    missing = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_ENDPOINTS or rule.endpoint.startswith(API_ENDPOINT_PREFIX):
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            if (rule.endpoint, method) not in known:
                missing.append(f"{method} {rule.endpoint} ({rule.rule})")
    assert not missing, "routes without an access test:\n" + "\n".join(missing)


def test_matrix_names_only_real_routes(app):
    real = {(r.endpoint, m) for r in app.url_map.iter_rules() for m in r.methods}
    assert not [str(c) for c in CASES if c.key not in real]


def _call(client, case, world):
    from appraisal.extensions import db

    args = case.args(world)
    # The request shares the test's session: commit the world so that a refused request's
    # rollback cannot take the objects the next user needs with it.
    db.session.commit()
    with client.application.test_request_context():
        url = url_for(case.endpoint, **args)
    data = case.data(world) if case.method != "GET" else None
    return client.open(url, method=case.method, data=data)


def _login(client, user):
    from appraisal.extensions import db

    db.session.commit()
    response = client.post("/login", data={"username": user.username,
                                           "password": "correct horse battery"})
    assert response.status_code == 302, "test user could not log in"


@pytest.mark.parametrize("case", [c for c in CASES if not c.public], ids=str)
def test_logged_out_is_sent_to_login(client, make, case):
    world = World(make)
    response = _call(client, case, world)
    assert response.status_code in (302, 303, 401), response.status_code
    if response.status_code != 401:
        assert "/login" in response.headers["Location"]


@pytest.mark.parametrize(
    "case", [c for c in CASES if not c.public and c.denied], ids=str)
def test_user_without_the_right_is_refused(app, make, case):
    world = World(make)
    for pick in [case.denied, *case.also_denied]:
        client = app.test_client()
        _login(client, pick(world))
        response = _call(client, case, world)
        assert response.status_code in (403, 404), (pick, response.status_code)


@pytest.mark.parametrize("case", [c for c in CASES if c.allowed or c.public], ids=str)
def test_user_with_the_right_gets_through(app, make, case):
    world = World(make)
    client = app.test_client()
    if case.allowed:
        _login(client, case.allowed(world))
    response = _call(client, case, world)
    assert response.status_code < 400, response.status_code


def test_every_non_public_route_has_a_denied_user_unless_open_to_all_logged_in():
    # Routes open to every logged-in user must say so by leaving `denied` empty on purpose:
    # they are listed here so that adding one is a visible decision.
    open_to_all = {c.key for c in CASES if not c.public and not c.denied}
    assert open_to_all <= {
        ("auth.logout", "POST"), ("auth.change_password", "GET"),
        ("auth.change_password", "POST"), ("home.index", "GET"),
        ("notifications.inbox", "GET"), ("notifications.mark_read", "POST"),
        ("notifications.mark_all_read", "POST"),
        ("indicators.detail", "GET"),  # clinicians read what they are measured on
    }, open_to_all
