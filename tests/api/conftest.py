"""Fixtures of the API tests: the shared world and a valid token."""

import pytest

from tests.api.helpers import build_world, issue_token


@pytest.fixture
def world(make):
    return build_world(make)


@pytest.fixture
def token(world):
    """(token row, secret) of a freshly issued token."""
    return issue_token()
