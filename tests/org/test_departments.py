"""The department tree page and its actions: create, rename, move, deactivate, reactivate."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from appraisal.extensions import db
from appraisal.org.models import Department
from tests.conftest import csrf_token_from
from tests.org.helpers import audit_entries, count_statements, page_text


def reload(department):
    db.session.expire_all()
    return db.session.get(Department, department.id)


# -- pure rules ------------------------------------------------------------------------------
@pytest.mark.parametrize("moved, target, allowed", [
    ("card", None, True),
    ("card", "sur", True),
    ("card", "orth", True),
    ("card", "card", False),      # under itself
    ("card", "ward", False),      # under its own child
    ("med", "ward", False),       # under its own grandchild
    ("ward", "med", True),        # up the tree
    ("hospital", "orth", False),  # the root under anything
])
def test_can_move_under(org, moved, target, allowed):
    department = getattr(org, moved)
    parent = getattr(org, target) if target else None
    assert department.can_move_under(parent) is allowed


# -- tree page -------------------------------------------------------------------------------
def test_tree_shows_every_level_with_kind_code_state_and_staff_counts(as_admin, org, make):
    make.staff(org.ward)
    make.staff(org.ward)
    make.staff(org.card)
    make.staff(org.card, active=False)
    org.orth.active = False
    html = page_text(as_admin.get("/org/departments"))
    for name in ("General Hospital", "Medicine", "Cardiology ward", "Orthopaedics"):
        assert name in html
    assert "CARD-W" in html and "Ward / team" in html
    assert "inactive" in html
    # Cardiology: 1 active staff itself, 3 with its ward; the inactive one is not counted.
    assert "1 staff</span>" not in html  # counts are followed by the subtree total
    assert "1 staff (3 in all)" in html
    assert "2 staff" in html  # the ward


def test_tree_page_statements_do_not_grow_with_departments(as_admin, make, org):
    with count_statements() as small:
        as_admin.get("/org/departments")
    for n in range(30):
        make.department(f"Extra {n}", parent=org.card)
        make.staff(org.card)
    with count_statements() as large:
        assert as_admin.get("/org/departments").status_code == 200
    assert large.n == small.n


def test_empty_tree_explains_what_to_do(as_admin):
    html = page_text(as_admin.get("/org/departments"))
    assert "There are no departments yet" in html


# -- create ----------------------------------------------------------------------------------
def test_create_department_under_a_parent(as_admin, org):
    response = as_admin.post("/org/departments/new", data={
        "code": "NEURO", "name": "Neurology", "kind": "department", "parent": str(org.med.id)})
    assert response.status_code == 302
    created = db.session.scalars(select(Department).where(Department.code == "NEURO")).one()
    assert created.parent_id == org.med.id
    assert created.path == f"{org.med.path}{created.id}/"
    entry = audit_entries("department.created")[-1]
    assert entry.new_values["code"] == "NEURO" and entry.actor_id is not None


@pytest.mark.parametrize("data, message", [
    ({"code": "", "name": "X", "kind": "department"}, "This field is required."),
    ({"code": "TWO WORDS", "name": "X", "kind": "department"}, "A code is one word"),
    ({"code": "card", "name": "X", "kind": "department"},
     "The code CARD is already used by Cardiology."),
    ({"code": "NEW", "name": "", "kind": "department"}, "This field is required."),
    ({"code": "NEW", "name": "X", "kind": "planet"}, "Not a valid choice"),
    ({"code": "NEW", "name": "X", "kind": "department", "parent": "99999"},
     "Choose a department from the list."),
])
def test_create_department_errors_keep_the_input(as_admin, org, data, message):
    before = len(audit_entries("department.created"))
    response = as_admin.post("/org/departments/new", data=data)
    html = page_text(response)
    assert response.status_code == 200
    assert message in html
    assert "Please correct the fields marked below." in html
    if data["name"]:
        assert f'value="{data["name"]}"' in html
    assert len(audit_entries("department.created")) == before


def test_create_under_an_inactive_parent_is_refused(as_admin, org):
    org.orth.active = False
    html = page_text(as_admin.post("/org/departments/new", data={
        "code": "NEW", "name": "Spine", "kind": "ward", "parent": str(org.orth.id)}))
    assert "Orthopaedics is inactive: reactivate it before adding departments under it." in html
    assert db.session.scalar(select(Department).where(Department.code == "NEW")) is None


# -- rename ----------------------------------------------------------------------------------
def test_rename_records_old_and_new(as_admin, org):
    response = as_admin.post(f"/org/departments/{org.card.id}/edit", data={
        "code": "CARDIO", "name": "Cardiology & vascular", "kind": "department"})
    assert response.status_code == 302
    card = reload(org.card)
    assert (card.code, card.name) == ("CARDIO", "Cardiology & vascular")
    entry = audit_entries("department.updated")[-1]
    assert entry.old_values == {"code": "CARD", "name": "Cardiology"}
    assert entry.new_values == {"code": "CARDIO", "name": "Cardiology & vascular"}


def test_rename_to_a_code_in_use_is_refused(as_admin, org):
    html = page_text(as_admin.post(f"/org/departments/{org.card.id}/edit", data={
        "code": "orth", "name": "Cardiology", "kind": "department"}))
    assert "The code ORTH is already used by Orthopaedics." in html
    assert reload(org.card).code == "CARD"
    assert audit_entries("department.updated") == []


def test_rename_without_change_says_so(as_admin, org):
    as_admin.post(f"/org/departments/{org.card.id}/edit", data={
        "code": "CARD", "name": "Cardiology", "kind": "department"})
    assert "Nothing was changed." in page_text(as_admin.get(f"/org/departments/{org.card.id}"))
    assert audit_entries("department.updated") == []


# -- move ------------------------------------------------------------------------------------
def test_move_updates_the_path_of_the_whole_subtree(as_admin, org, make):
    deep = make.department("Cath lab team", parent=org.ward, code="CATH")
    response = as_admin.post(f"/org/departments/{org.card.id}/move",
                             data={"parent": str(org.sur.id)})
    assert response.status_code == 302
    card, ward, deep = reload(org.card), reload(org.ward), reload(deep)
    assert card.parent_id == org.sur.id
    assert card.path == f"{org.sur.path}{card.id}/"
    assert ward.path == f"{card.path}{ward.id}/"
    assert deep.path == f"{ward.path}{deep.id}/"
    assert deep.is_within(org.sur) and not deep.is_within(org.med)
    entry = audit_entries("department.moved")[-1]
    assert entry.old_values["parent_id"] == org.med.id
    assert entry.new_values["parent_id"] == org.sur.id


def test_move_is_one_update_for_the_subtree(app, org, make, admin):
    from appraisal.org import operations

    for n in range(20):
        make.department(f"Team {n}", parent=org.ward)
    db.session.flush()
    with count_statements() as counter:
        operations.move_department(admin, org.card, org.sur)
        db.session.flush()
    updates = [s for s in counter.statements if s.lstrip().upper().startswith("UPDATE DEPARTMENTS")]
    assert len(updates) <= 2  # the parent_id of the moved node, then every path at once


@pytest.mark.parametrize("target", ["card", "ward"])
def test_move_under_itself_or_a_descendant_is_refused(as_admin, org, target):
    before = reload(org.card).path
    response = as_admin.post(f"/org/departments/{org.card.id}/move",
                             data={"parent": str(getattr(org, target).id)})
    html = page_text(response)
    assert response.status_code == 200
    assert ("Cardiology cannot be moved under" in html
            and "that is the department itself or one of its own sub-departments" in html)
    assert reload(org.card).path == before
    assert audit_entries("department.moved") == []


def test_move_to_the_top_level(as_admin, org):
    as_admin.post(f"/org/departments/{org.card.id}/move", data={"parent": ""})
    card = reload(org.card)
    assert card.parent_id is None and card.path == f"/{card.id}/"
    assert reload(org.ward).path == f"/{card.id}/{org.ward.id}/"


def test_move_to_the_same_parent_or_unknown_parent_says_so(as_admin, org):
    html = page_text(as_admin.post(f"/org/departments/{org.card.id}/move",
                                   data={"parent": str(org.med.id)}))
    assert "Cardiology is already there." in html
    html = page_text(as_admin.post(f"/org/departments/{org.card.id}/move",
                                   data={"parent": "424242"}))
    assert "Choose a department from the list." in html


def test_move_form_offers_only_real_destinations(as_admin, org):
    html = page_text(as_admin.get(f"/org/departments/{org.card.id}"))
    move_form = html[html.index('id="move-h"'):html.index('id="state-h"')]
    assert "Surgery (SUR)" in move_form
    assert "Cardiology ward (CARD-W)" not in move_form


# -- deactivate / reactivate -----------------------------------------------------------------
def test_deactivate_refused_with_counts_of_what_is_still_active(as_admin, org, make):
    make.staff(org.ward)
    make.staff(org.card)
    as_admin.post(f"/org/departments/{org.card.id}/deactivate")
    html = page_text(as_admin.get(f"/org/departments/{org.card.id}"))
    assert ("Cardiology cannot be deactivated: it still has 2 active staff and 1 active "
            "sub-departments.") in html
    assert reload(org.card).active is True
    assert audit_entries("department.deactivated") == []


def test_deactivate_then_reactivate(as_admin, org):
    as_admin.post(f"/org/departments/{org.ward.id}/deactivate")
    assert reload(org.ward).active is False
    assert "Cardiology ward is now inactive." in page_text(
        as_admin.get(f"/org/departments/{org.ward.id}"))
    as_admin.post(f"/org/departments/{org.ward.id}/reactivate")
    assert reload(org.ward).active is True
    assert audit_entries("department.deactivated")[-1].new_values == {"active": False}
    assert audit_entries("department.reactivated")[-1].new_values == {"active": True}


def test_reactivate_under_an_inactive_parent_is_refused(as_admin, org):
    as_admin.post(f"/org/departments/{org.ward.id}/deactivate")
    as_admin.post(f"/org/departments/{org.card.id}/deactivate")
    as_admin.post(f"/org/departments/{org.ward.id}/reactivate")
    html = page_text(as_admin.get(f"/org/departments/{org.ward.id}"))
    assert "Cardiology ward cannot be reactivated while Cardiology above it is inactive." in html
    assert reload(org.ward).active is False


def test_deactivating_twice_says_it_is_already_inactive(as_admin, org):
    as_admin.post(f"/org/departments/{org.ward.id}/deactivate")
    as_admin.post(f"/org/departments/{org.ward.id}/deactivate")
    assert "Cardiology ward is already inactive." in page_text(
        as_admin.get(f"/org/departments/{org.ward.id}"))
    assert len(audit_entries("department.deactivated")) == 1


def test_detail_page_shows_breadcrumb_children_and_history(as_admin, org):
    html = page_text(as_admin.get(f"/org/departments/{org.card.id}"))
    assert "General Hospital</a> › <a" in html and "Medicine</a>" in html
    assert "Cardiology ward" in html
    assert "department.created" in html


def test_unknown_department_is_404(as_admin):
    assert as_admin.get("/org/departments/98765").status_code == 404


def test_actions_need_the_csrf_token(csrf_client, make, org):
    make.admin(username="csrf-admin")
    db.session.commit()
    token = csrf_token_from(page_text(csrf_client.get("/login")))
    csrf_client.post("/login", data={"username": "csrf-admin", "csrf_token": token,
                                     "password": "correct horse battery"})
    response = csrf_client.post(f"/org/departments/{org.ward.id}/deactivate")
    assert response.status_code == 400
    assert reload(org.ward).active is True
    assert audit_entries("department.deactivated") == []
