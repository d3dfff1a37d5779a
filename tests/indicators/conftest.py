"""Fixtures for the indicator library tests: a logged-in administrator."""

from __future__ import annotations

import pytest


@pytest.fixture
def admin(make):
    return make.admin(username="office")


@pytest.fixture
def as_admin(client, auth, admin):
    auth.login(admin)
    return client
