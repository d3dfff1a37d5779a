"""Fixtures of the data tests: a small hospital, a cycle with a scheme, and measurements."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from appraisal.indicators.models import Direction, IndicatorKind
from appraisal.org.models import DepartmentKind, StaffGroup
from tests.data.factories import DataFactory


@pytest.fixture
def data(app):
    return DataFactory()


@pytest.fixture
def hospital(make, data):
    """Medicine > Cardiology (+ ward); Surgery > Orthopaedics. Two doctors with accounts,
    a cycle open for data with a doctors' scheme of a rate and a count indicator."""
    root = make.department("General Hospital", kind=DepartmentKind.hospital, code="H")
    med = make.department("Medicine", parent=root, kind=DepartmentKind.division, code="MED")
    card = make.department("Cardiology", parent=med, code="CARD")
    ward = make.department("Cardiology ward", parent=card, kind=DepartmentKind.ward,
                           code="CARD-W")
    sur = make.department("Surgery", parent=root, kind=DepartmentKind.division, code="SUR")
    orth = make.department("Orthopaedics", parent=sur, code="ORTH")
    li = make.staff(card, StaffGroup.doctor, name="Li Wei", number="E-1")
    zhao = make.staff(orth, StaffGroup.doctor, name="Zhao Lei", number="E-2")
    readm = data.indicator("READM", name="30-day readmission", plausible_min=0,
                           plausible_max=0.6)
    visits = data.indicator("VISITS", IndicatorKind.count, name="Outpatient visits",
                            direction=Direction.higher, plausible_min=0, plausible_max=20000)
    cycle = data.cycle("2026 Q1")
    data.scheme(cycle, [readm, visits])
    return SimpleNamespace(
        root=root, med=med, card=card, ward=ward, sur=sur, orth=orth, li=li, zhao=zhao,
        readm=readm, visits=visits, cycle=cycle,
        admin=make.admin(username="steward"),
        li_user=make.user("li", staff=li), zhao_user=make.user("zhao", staff=zhao),
        med_manager=make.user("med_head", manages=(med,)),
        orth_manager=make.user("orth_head", manages=(orth,)),
    )
