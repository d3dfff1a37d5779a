"""The data-quality page: missing measurements per department and indicator."""

from __future__ import annotations

import re

import pytest

from appraisal.measurements import quality
from appraisal.measurements.models import ExemptionState
from appraisal.org.models import StaffGroup
from tests.data.helpers import count_statements, login, text


@pytest.fixture
def ward_doctors(hospital, make, data):
    """Cardiology: Li + 2 doctors in the ward; a nurse (no nurse scheme); an inactive doctor.

    Li and Chen have READM; only Li has VISITS; Qian has READM exempted (approved).
    """
    chen = make.staff(hospital.ward, StaffGroup.doctor, name="Chen Jie")
    qian = make.staff(hospital.ward, StaffGroup.doctor, name="Qian Yu")
    make.staff(hospital.ward, StaffGroup.nurse, name="Wang Fang")
    make.staff(hospital.ward, StaffGroup.doctor, name="Gone Away", active=False)
    batch = data.batch(hospital.cycle)
    for staff in (hospital.li, chen):
        data.measurement(staff, hospital.readm, hospital.cycle, batch=batch)
    data.measurement(hospital.li, hospital.visits, hospital.cycle, batch=batch, value=900)
    data.exemption(hospital.cycle, qian, hospital.readm, hospital.admin,
                   state=ExemptionState.approved)
    return {"chen": chen, "qian": qian}


def cells(table, department):
    row = next(r for r in table.rows if r.department.id == department.id)
    return {code: (row.cells[i.id].missing, row.cells[i.id].expected)
            for i in table.indicators for code in [i.code] if i.id in row.cells}


def test_counts_per_department_and_indicator(app, hospital, ward_doctors):
    table = quality.quality_table(hospital.admin, hospital.cycle)
    assert [i.code for i in table.indicators] == ["READM", "VISITS"]
    assert cells(table, hospital.card) == {"READM": (0, 1), "VISITS": (0, 1)}
    # Ward: Chen and Qian are doctors; Qian's READM is exempted, so not expected.
    assert cells(table, hospital.ward) == {"READM": (0, 1), "VISITS": (2, 2)}
    assert cells(table, hospital.orth) == {"READM": (1, 1), "VISITS": (1, 1)}
    readm = next(i for i in table.indicators if i.code == "READM")
    assert (table.totals[readm.id].missing, table.totals[readm.id].expected) == (1, 3)
    assert (table.overall.missing, table.overall.expected) == (4, 7)


def test_a_department_scheme_replaces_the_group_scheme_below_it(hospital, data,
                                                                 ward_doctors):
    pubs = data.indicator("PUBS", name="Publications")
    data.scheme(hospital.cycle, [pubs], department=hospital.card)
    table = quality.quality_table(hospital.admin, hospital.cycle)
    assert cells(table, hospital.ward) == {"PUBS": (2, 2)}
    assert cells(table, hospital.card) == {"PUBS": (1, 1)}
    assert cells(table, hospital.orth) == {"READM": (1, 1), "VISITS": (1, 1)}


def test_the_latest_scheme_version_counts(hospital, data, ward_doctors):
    data.scheme(hospital.cycle, [hospital.visits], version=2)
    table = quality.quality_table(hospital.admin, hospital.cycle)
    assert [i.code for i in table.indicators] == ["VISITS"]


def test_page_shows_highlighted_cells_and_links(client, auth, hospital, ward_doctors):
    login(auth, hospital.admin)
    html = text(client.get("/data/quality"))
    assert "2 of 2 missing" in html and "tag tag-bad" in html
    assert "0 of 1 missing" in html and "tag tag-ok" in html
    assert f"department={hospital.ward.id}" in html
    assert "57.1 %" in html  # overall: 4 of 7 missing
    assert re.search(r'class="stat">7<', html) and re.search(r'class="stat">4<', html)


def test_missing_list_names_who_is_missing(client, auth, hospital, ward_doctors):
    login(auth, hospital.admin)
    visits = hospital.visits
    html = text(client.get(f"/data/quality/missing?cycle={hospital.cycle.id}"
                           f"&indicator={visits.id}&department={hospital.ward.id}"))
    assert "Chen Jie" in html and "Qian Yu" in html
    assert "Li Wei" not in html and "Wang Fang" not in html and "Gone Away" not in html
    html = text(client.get(f"/data/quality/missing?cycle={hospital.cycle.id}"
                           f"&indicator={hospital.readm.id}"))
    assert "Zhao Lei" in html and "Qian Yu" not in html and "Chen Jie" not in html


def test_missing_list_is_paginated(app, client, auth, hospital, make):
    app.config["PAGE_SIZE"] = 2
    for n in range(3):
        make.staff(hospital.orth, StaffGroup.doctor, name=f"Doctor {n}")
    login(auth, hospital.admin)
    html = text(client.get(f"/data/quality/missing?cycle={hospital.cycle.id}"
                           f"&indicator={hospital.readm.id}&department={hospital.orth.id}"))
    assert "Page 1 of 2" in html


def test_a_manager_sees_only_their_departments(client, auth, hospital, ward_doctors):
    login(auth, hospital.med_manager)
    html = text(client.get("/data/quality"))
    assert "Cardiology ward" in html and "Orthopaedics" not in html
    table = quality.quality_table(hospital.med_manager, hospital.cycle)
    assert (table.overall.missing, table.overall.expected) == (2, 5)
    url = (f"/data/quality/missing?cycle={hospital.cycle.id}&indicator={hospital.readm.id}"
           f"&department={hospital.orth.id}")
    assert client.get(url).status_code == 403
    html = text(client.get(f"/data/quality/missing?cycle={hospital.cycle.id}"
                           f"&indicator={hospital.readm.id}"))
    assert "Zhao Lei" not in html  # outside the manager's departments


def test_a_cycle_without_schemes(client, auth, hospital, data):
    empty = data.cycle("2026 Q2")
    login(auth, hospital.admin)
    assert "has no scheme yet" in text(client.get(f"/data/quality?cycle={empty.id}"))


def test_no_cycle_at_all(client, auth, make):
    auth.login(make.admin())
    assert "no appraisal cycle yet" in text(client.get("/data/quality"))


def test_statement_count_is_the_same_for_10_and_200_staff(client, auth, hospital, make, data):
    groups = [StaffGroup.doctor, StaffGroup.nurse]
    data.scheme(hospital.cycle, [hospital.visits], group=StaffGroup.nurse)
    departments = [hospital.card, hospital.ward, hospital.orth]

    def statements_with(total):
        batch = data.batch(hospital.cycle)
        while len(made) < total:
            n = len(made)
            staff = make.staff(departments[n % 3], groups[n % 2])
            made.append(staff)
            if n % 3:
                data.measurement(staff, hospital.visits, hospital.cycle, batch=batch)
        login(auth, hospital.admin)
        with count_statements() as counter:
            response = client.get(f"/data/quality?cycle={hospital.cycle.id}")
        assert response.status_code == 200
        return counter.n

    made: list = []
    small = statements_with(10)
    assert small == statements_with(200)
