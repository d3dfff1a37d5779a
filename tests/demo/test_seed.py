"""The demo hospital: deterministic, big enough to feel real, and every demo account works."""

from __future__ import annotations

import re
import time

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from appraisal import create_app
from appraisal.auth.operations import find_user
from appraisal.core.audit import AuditEntry
from appraisal.demo.seed import (
    DEMO_ACCOUNTS,
    DEMO_PASSWORD,
    DemoRefused,
    database_is_empty,
    seed_demo,
)
from appraisal.extensions import db
from appraisal.org.models import Department, DepartmentKind, Staff, StaffGroup

HANZI_NAME = re.compile(r"^[\u4e00-\u9fff]{2,4}$")


def staff_rows() -> list[tuple]:
    """Everything a person would see of the staff list, without database ids."""
    staff = db.session.scalars(
        select(Staff).options(joinedload(Staff.department)).order_by(Staff.employee_number)
    ).all()
    return [(s.employee_number, s.name, s.staff_group, s.title, s.department.code, s.hire_date)
            for s in staff]


def count_kind(kind: DepartmentKind) -> int:
    return db.session.scalar(select(func.count()).where(Department.kind == kind))


@pytest.fixture
def seeded(app):
    seed_demo()
    db.session.commit()
    return app


def test_two_seeds_into_two_fresh_databases_give_the_same_hospital(seeded, tmp_path):
    first = staff_rows()
    first_tree = db.session.execute(select(Department.code, Department.name, Department.kind)
                                    .order_by(Department.code)).all()
    other = create_app({"TESTING": True, "SECRET_KEY": "x",
                        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'second.sqlite'}"})
    with other.app_context():
        db.create_all()
        seed_demo()
        db.session.commit()
        assert staff_rows() == first
        assert db.session.execute(select(Department.code, Department.name, Department.kind)
                                  .order_by(Department.code)).all() == first_tree
        db.session.remove()
        db.engine.dispose()


def test_hospital_has_divisions_departments_wards_and_hundreds_of_staff(seeded):
    assert count_kind(DepartmentKind.hospital) == 1
    assert count_kind(DepartmentKind.division) >= 4
    assert count_kind(DepartmentKind.department) >= 15
    assert count_kind(DepartmentKind.ward) >= 5
    rows = staff_rows()
    assert len(rows) >= 300
    assert {row[2] for row in rows} == set(StaffGroup)
    assert len({row[1] for row in rows}) == len(rows), "names repeat"


def test_staff_look_like_real_people(seeded):
    for number, name, _group, title, _, hired in staff_rows():
        assert HANZI_NAME.match(name), name
        assert title, f"{number} has no title"
        assert number.startswith(str(hired.year)), number
        assert 1990 <= hired.year <= 2025
    titles = {row[3] for row in staff_rows()}
    for expected in ("Chief Physician 主任医师", "Attending Physician 主治医师",
                     "Resident Physician 住院医师", "Head Nurse 护士长", "Nurse 护士"):
        assert expected in titles


def test_every_department_below_a_division_sits_in_the_tree(seeded):
    departments = db.session.scalars(
        select(Department).where(Department.kind == DepartmentKind.department)).all()
    for department in departments:
        assert department.parent.kind is DepartmentKind.division
        assert department.path == f"{department.parent.path}{department.id}/"


def test_seeding_shows_in_the_audit_log(seeded):
    actions = dict(db.session.execute(
        select(AuditEntry.action, func.count()).group_by(AuditEntry.action)).all())
    assert actions["department.created"] == db.session.scalar(
        select(func.count()).select_from(Department))
    assert actions["staff.created"] == db.session.scalar(select(func.count()).select_from(Staff))
    assert actions["user.created"] == len(DEMO_ACCOUNTS)
    assert actions["role.granted"] == 3
    assert actions["demo.seeded"] == 1


def test_every_demo_account_logs_in_with_the_documented_password(seeded, client):
    for account in DEMO_ACCOUNTS:
        assert account.password == DEMO_PASSWORD == "demo-password-2026"
        response = client.post("/login", data={"username": account.username,
                                               "password": account.password})
        assert response.status_code == 302, account.username
        assert client.get("/").status_code == 200
        client.post("/logout")


def test_demo_accounts_have_their_roles(seeded):
    admin, manager, clinician, nurse, panel = (find_user(a.username) for a in DEMO_ACCOUNTS)
    assert admin.is_admin and admin.staff is None
    division = db.session.scalar(select(Department).where(Department.code == "IM"))
    assert [d.code for d in manager.managed_departments] == ["IM"]
    assert not manager.is_admin
    assert manager.staff.title.startswith("Chief Physician")
    assert manager.staff.department.is_within(division)
    assert clinician.staff.staff_group is StaffGroup.doctor
    assert clinician.staff.department.code == "IM-CARD"
    assert not (clinician.is_admin or clinician.is_manager or clinician.is_panel_member)
    assert nurse.staff.staff_group is StaffGroup.nurse and not nurse.grants
    assert panel.is_panel_member and not panel.is_admin and not panel.is_manager
    assert panel.staff.staff_group is StaffGroup.doctor
    assert not panel.staff.department.is_within(division)
    assert panel.staff.title.startswith(("Chief Physician", "Associate Chief Physician"))


def test_manager_sees_their_division_on_the_home_page(seeded, client):
    client.post("/login", data={"username": "manager", "password": DEMO_PASSWORD})
    page = client.get("/").get_data(as_text=True)
    assert "Your departments" in page
    assert "Internal Medicine" in page
    assert "Set-up checklist" not in page


def test_seed_refuses_a_database_that_holds_data(seeded):
    assert not database_is_empty()
    with pytest.raises(DemoRefused, match="already holds data"):
        seed_demo()


def test_database_is_empty_on_a_new_installation(app):
    assert database_is_empty()


def test_seeding_is_fast(app):
    started = time.perf_counter()
    seed_demo()
    db.session.commit()
    assert time.perf_counter() - started < 10


def test_cli_seeds_then_refuses_then_skips_with_if_empty(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "Demo hospital created" in result.output
    assert "demo-password-2026" in result.output
    db.session.rollback()
    staff_after_seeding = len(staff_rows())

    again = runner.invoke(args=["demo"])
    assert again.exit_code != 0
    assert "already holds data" in again.output

    skipped = runner.invoke(args=["demo", "--if-empty"])
    assert skipped.exit_code == 0
    assert "skipped" in skipped.output
    db.session.rollback()
    assert len(staff_rows()) == staff_after_seeding


def test_cli_if_empty_seeds_an_empty_database(app):
    result = app.test_cli_runner().invoke(args=["demo", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert "Demo hospital created" in result.output
    db.session.rollback()
    assert not database_is_empty()

