"""Fixtures for the organisation tests: a small tree and a logged-in administrator."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from appraisal.extensions import db
from appraisal.org.models import DepartmentKind


@pytest.fixture
def org(make):
    """hospital H > division MED > department CARD > ward CARD-W; division SUR > ORTH."""
    hospital = make.department("General Hospital", kind=DepartmentKind.hospital, code="H")
    med = make.department("Medicine", parent=hospital, kind=DepartmentKind.division, code="MED")
    card = make.department("Cardiology", parent=med, code="CARD")
    ward = make.department("Cardiology ward", parent=card, kind=DepartmentKind.ward,
                           code="CARD-W")
    sur = make.department("Surgery", parent=hospital, kind=DepartmentKind.division, code="SUR")
    orth = make.department("Orthopaedics", parent=sur, code="ORTH")
    db.session.commit()  # each GET rolls back: the tree must outlive the first request
    return SimpleNamespace(hospital=hospital, med=med, card=card, ward=ward, sur=sur, orth=orth)


@pytest.fixture
def admin(make):
    return make.admin(username="office")


@pytest.fixture
def as_admin(client, auth, admin):
    auth.login(admin)
    return client
