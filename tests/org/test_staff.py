"""The staff list (search, filters, pagination, manager scope), the record page and editing."""

from __future__ import annotations

import re

import pytest

from appraisal.extensions import db
from appraisal.org import rules
from appraisal.org.models import Staff, StaffGroup
from tests.org.helpers import audit_entries, count_statements, page_text


def names_on(response) -> list[str]:
    html = page_text(response)
    assert response.status_code == 200, response.status_code
    return re.findall(r'<th scope="row"><a href="/org/staff/\d+">([^<]+)</a></th>', html)


@pytest.fixture
def people(make, org):
    people = {
        "wang": make.staff(org.card, StaffGroup.doctor, name="Wang Fang", number="E-100"),
        "li": make.staff(org.ward, StaffGroup.nurse, name="Li Na", number="E-200"),
        "zhao": make.staff(org.orth, StaffGroup.doctor, name="Zhao Lei", number="E-300"),
        "old": make.staff(org.card, StaffGroup.pharmacist, name="Qian Old", number="E-400",
                          active=False),
    }
    db.session.commit()
    return people


# -- pure rules ------------------------------------------------------------------------------
@pytest.mark.parametrize("who, department, can_list, can_filter", [
    ("admin", "orth", True, True),
    ("manager_med", "med", True, True),
    ("manager_med", "ward", True, True),
    ("manager_med", "orth", True, False),
    ("manager_med", "hospital", True, False),
    ("clinician", "card", False, False),
    ("nobody", "card", False, False),
])
def test_staff_list_rules(make, org, who, department, can_list, can_filter):
    users = {
        "admin": lambda: make.admin(),
        "manager_med": lambda: make.user(manages=(org.med,)),
        "clinician": lambda: make.clinician(org.card),
        "nobody": lambda: make.user(),
    }
    user = users[who]()
    assert rules.can_list_staff(user) is can_list
    assert rules.can_filter_by_department(user, getattr(org, department)) is can_filter
    assert rules.can_manage_organisation(user) is (who == "admin")


# -- list, search and filters ----------------------------------------------------------------
def test_admin_sees_active_staff_by_default_sorted_by_name(as_admin, people):
    assert names_on(as_admin.get("/org/staff")) == ["Li Na", "Wang Fang", "Zhao Lei"]


def test_status_filter(as_admin, people):
    assert names_on(as_admin.get("/org/staff?active=0")) == ["Qian Old"]
    assert len(names_on(as_admin.get("/org/staff?active=all"))) == 4


@pytest.mark.parametrize("q, expected", [
    ("wang", ["Wang Fang"]),
    ("E-2", ["Li Na"]),
    ("e-3", ["Zhao Lei"]),
    ("%", []),  # a literal percent sign, not a wildcard
    ("nobody here", []),
])
def test_search_by_name_or_employee_number(as_admin, people, q, expected):
    assert names_on(as_admin.get("/org/staff", query_string={"q": q})) == expected


def test_department_filter_includes_the_departments_below(as_admin, people, org):
    assert names_on(as_admin.get(f"/org/staff?department={org.card.id}")) == [
        "Li Na", "Wang Fang"]
    assert names_on(as_admin.get(f"/org/staff?department={org.ward.id}")) == ["Li Na"]


def test_group_filter(as_admin, people):
    assert names_on(as_admin.get("/org/staff?group=doctor")) == ["Wang Fang", "Zhao Lei"]
    assert names_on(as_admin.get("/org/staff?group=nurse&q=li")) == ["Li Na"]


def test_unknown_or_malformed_department_is_404(as_admin, people):
    assert as_admin.get("/org/staff?department=987654").status_code == 404
    assert as_admin.get("/org/staff?department=abc").status_code == 404


def test_empty_results_say_so(as_admin, people):
    assert "No staff match these filters." in page_text(as_admin.get("/org/staff?q=xyz"))


def test_department_name_is_shown(as_admin, people):
    html = page_text(as_admin.get("/org/staff"))
    assert "Orthopaedics" in html and "Cardiology ward" in html


def test_pagination_keeps_the_filters(app, as_admin, make, org):
    app.config["PAGE_SIZE"] = 5
    for n in range(12):
        make.staff(org.card, name=f"Doctor {n:02d}")
    make.staff(org.orth, name="Doctor Elsewhere")
    db.session.commit()
    first = as_admin.get(f"/org/staff?department={org.card.id}")
    assert names_on(first) == [f"Doctor {n:02d}" for n in range(5)]
    html = page_text(first)
    assert "1–5 of 12" in html and "Page 1 of 3" in html
    assert f"department={org.card.id}" in html.split('rel="next"')[0].rsplit("href=", 1)[1]
    third = as_admin.get(f"/org/staff?department={org.card.id}&page=3")
    assert names_on(third) == ["Doctor 10", "Doctor 11"]


# -- manager scope ---------------------------------------------------------------------------
def test_manager_sees_only_their_departments_and_below(client, auth, make, org, people):
    manager = make.user(username="head-med", manages=(org.med,))
    auth.login(manager)
    assert names_on(client.get("/org/staff")) == ["Li Na", "Wang Fang"]
    assert names_on(client.get("/org/staff?q=zhao")) == []


def test_manager_filter_outside_their_scope_is_refused(client, auth, make, org, people):
    manager = make.user(username="head-card", manages=(org.card,))
    auth.login(manager)
    assert client.get(f"/org/staff?department={org.orth.id}").status_code == 403
    assert client.get(f"/org/staff?department={org.med.id}").status_code == 403
    assert names_on(client.get(f"/org/staff?department={org.ward.id}")) == ["Li Na"]


def test_manager_filter_offers_only_their_departments(client, auth, make, org, people):
    manager = make.user(username="head-card", manages=(org.card,))
    auth.login(manager)
    html = page_text(client.get("/org/staff"))
    select = html[html.index('name="department"'):html.index("</select>", html.index(
        'name="department"'))]
    assert "Cardiology ward (CARD-W)" in select
    assert "Orthopaedics" not in select and "Medicine" not in select


def test_clinician_cannot_open_the_list(client, auth, make, org):
    auth.login(make.clinician(org.card))
    assert client.get("/org/staff").status_code == 403


# -- statement count -------------------------------------------------------------------------
@pytest.mark.parametrize("who", ["admin", "manager"])
def test_list_statement_count_does_not_grow_with_the_staff(client, auth, make, org, who):
    user = make.admin() if who == "admin" else make.user(manages=(org.hospital,))
    for n in range(10):
        make.staff(org.card if n % 2 else org.ward)
    auth.login(user)
    with count_statements() as small:
        assert len(names_on(client.get("/org/staff?active=all"))) == 10
    for n in range(190):
        make.staff([org.card, org.ward, org.orth, org.sur][n % 4])
    db.session.commit()
    with count_statements() as large:
        assert len(names_on(client.get("/org/staff?active=all"))) == 50
    assert large.n == small.n, (small.statements, large.statements)


# -- staff record ----------------------------------------------------------------------------
def test_detail_shows_the_record_and_where_the_department_sits(as_admin, people):
    html = page_text(as_admin.get(f"/org/staff/{people['li'].id}"))
    assert "Li Na" in html and "E-200" in html and "Nurse" in html
    assert "General Hospital › Medicine › Cardiology › Cardiology ward" in html
    assert "No account is linked to this staff member." in html


def test_clinician_sees_their_own_record_without_admin_parts(client, auth, make, org):
    user = make.clinician(org.card)
    auth.login(user)
    html = page_text(client.get(f"/org/staff/{user.staff_id}"))
    assert user.staff.name in html
    assert "History" not in html and "Edit" not in html


def test_manager_sees_records_of_their_staff_only(client, auth, make, org, people):
    auth.login(make.user(manages=(org.med,)))
    assert client.get(f"/org/staff/{people['li'].id}").status_code == 200
    assert client.get(f"/org/staff/{people['zhao'].id}").status_code == 403
    assert client.get("/org/staff/999999").status_code == 404


# -- create and edit -------------------------------------------------------------------------
def form(org, **changes):
    data = {"employee_number": "E-900", "name": "Sun Yue", "staff_group": "technician",
            "title": "Radiographer", "department": str(org.card.id), "hire_date": "2021-03-04",
            "active": "y"}
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_admin_adds_a_staff_member(as_admin, org):
    response = as_admin.post("/org/staff/new", data=form(org))
    assert response.status_code == 302
    staff = db.session.query(Staff).filter_by(employee_number="E-900").one()
    assert staff.staff_group is StaffGroup.technician
    assert staff.hire_date.isoformat() == "2021-03-04"
    assert audit_entries("staff.created")[-1].new_values["name"] == "Sun Yue"


def test_edit_records_old_and_new_values(as_admin, people, org):
    wang = people["wang"]
    response = as_admin.post(f"/org/staff/{wang.id}/edit", data=form(
        org, employee_number="E-100", name="Wang Fang", staff_group="doctor",
        title="Chief physician", department=str(org.ward.id), hire_date="", active=None))
    assert response.status_code == 302
    db.session.expire_all()
    wang = db.session.get(Staff, wang.id)
    assert (wang.title, wang.department_id, wang.active) == ("Chief physician", org.ward.id, False)
    entry = audit_entries("staff.updated")[-1]
    assert entry.old_values == {"title": "Attending", "department_id": org.card.id,
                                "active": True}
    assert entry.new_values == {"title": "Chief physician", "department_id": org.ward.id,
                                "active": False}
    assert "staff.updated" in page_text(as_admin.get(f"/org/staff/{wang.id}"))


def test_edit_form_is_filled_with_the_record(as_admin, people, org):
    html = page_text(as_admin.get(f"/org/staff/{people['wang'].id}/edit"))
    assert 'value="E-100"' in html and 'value="Wang Fang"' in html
    assert f'<option selected value="{org.card.id}">' in html


@pytest.mark.parametrize("changes, message", [
    ({"employee_number": "E-200"}, "The employee number E-200 already belongs to Li Na."),
    ({"name": ""}, "This field is required."),
    ({"hire_date": "03/04/2021"}, "Not a valid date value."),
    ({"department": ""}, "Choose a department from the list."),
    ({"department": "123456"}, "Choose a department from the list."),
    ({"staff_group": "surgeon"}, "Not a valid choice"),
    ({"department": "inactive"}, ("Orthopaedics is inactive: an active staff member cannot "
                                  "be placed there.")),
])
def test_staff_form_errors_keep_the_input(as_admin, people, org, changes, message):
    if changes.get("department") == "inactive":
        people["zhao"].active = False
        org.orth.active = False
        changes = {"department": str(org.orth.id)}
    before = len(audit_entries("staff.updated"))
    response = as_admin.post(f"/org/staff/{people['wang'].id}/edit",
                             data=form(org, **{"employee_number": "E-100", **changes}))
    html = page_text(response)
    assert response.status_code == 200
    assert message in html
    assert 'value="Radiographer"' in html  # what was typed is still there
    assert len(audit_entries("staff.updated")) == before


def test_saving_without_changes_writes_no_audit_entry(as_admin, people, org):
    wang = people["wang"]
    as_admin.post(f"/org/staff/{wang.id}/edit", data=form(
        org, employee_number="E-100", name="Wang Fang", staff_group="doctor", title="Attending",
        hire_date=""))
    assert audit_entries("staff.updated") == []


def test_add_form_errors(as_admin, people, org):
    response = as_admin.post("/org/staff/new", data=form(org, employee_number="E-100"))
    html = page_text(response)
    assert response.status_code == 200
    assert "The employee number E-100 already belongs to Wang Fang." in html
    assert 'value="Sun Yue"' in html
    assert audit_entries("staff.created") == []
    html = page_text(as_admin.get("/org/staff/new"))
    assert '<input checked id="active"' in html  # a new person is active unless unticked
