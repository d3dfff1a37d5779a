"""Fixtures for the cycle and scheme tests: an administrator and a small indicator library."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from appraisal.extensions import db
from appraisal.indicators.models import Dimension, Direction, IndicatorKind
from tests.cycles import factories


@pytest.fixture
def admin(make):
    return make.admin(username="office")


@pytest.fixture
def as_admin(client, auth, admin):
    auth.login(admin)
    return client


@pytest.fixture
def lib(app):
    """READMIT (rate, lower better), ALOS (days), VISITS (count), OLD (inactive rate)."""
    rows = SimpleNamespace(
        readmit=factories.indicator("READMIT", IndicatorKind.rate, name="Readmission rate"),
        alos=factories.indicator("ALOS", IndicatorKind.value, Dimension.efficiency_process,
                                 name="Average length of stay", unit="days"),
        visits=factories.indicator("VISITS", IndicatorKind.count, Dimension.efficiency_process,
                                   Direction.higher, name="Outpatient visits", unit="visits"),
        old=factories.indicator("OLD", IndicatorKind.rate, name="Retired rate", active=False),
    )
    db.session.commit()
    return rows
