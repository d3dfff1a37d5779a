"""Seed the demo hospital: the department tree, some 500 staff and five demo accounts.

Deterministic: one ``random.Random`` with a fixed seed drives every choice, so every run gives
the same hospital, the same people and the same employee numbers. Departments and accounts go
through the ordinary operations, so the audit log shows the seeding like any other change.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select

from appraisal.auth import operations as auth_ops
from appraisal.auth.models import Role, User
from appraisal.core import audit
from appraisal.demo import data
from appraisal.demo.baseline import seed_baseline
from appraisal.extensions import db
from appraisal.org.models import Department, DepartmentKind, Staff, StaffGroup
from appraisal.org.operations import create_department

DEMO_SEED = 2026
DEMO_PASSWORD = "demo-password-2026"
DEMO_EMAIL_DOMAIN = "hospital.example"


@dataclass(frozen=True)
class DemoAccount:
    """A demo login, as documented in the README."""

    username: str
    role: str
    description: str
    password: str = DEMO_PASSWORD


DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("admin", "admin",
                "Performance office: administrator; sees and configures everything."),
    DemoAccount("manager", "manager",
                "Head of the Internal Medicine division (a Chief Physician in Gastroenterology); "
                "manages the division and every department and ward below it."),
    DemoAccount("clinician", "clinician",
                "A physician in Cardiology; sees only their own appraisal."),
    DemoAccount("nurse", "clinician",
                "A nurse on Cardiology Ward 1; sees only their own appraisal."),
    DemoAccount("panel", "panel_member",
                "Expert panel member: the Chief Physician heading General Surgery."),
)


@dataclass(frozen=True)
class _Link:
    """Which generated person a demo account becomes: unit, group, title levels by preference."""

    unit_code: str
    group: StaffGroup
    levels: tuple[int, ...]


_LINKS = {
    "manager": _Link("IM-GAST", StaffGroup.doctor, (0,)),
    "clinician": _Link("IM-CARD", StaffGroup.doctor, (2, 1, 3)),
    "nurse": _Link("IM-CARD-W1", StaffGroup.nurse, (3, 4, 2)),
    "panel": _Link("SUR-GEN", StaffGroup.doctor, (0,)),
}
_MANAGED_DIVISION = {"manager": "IM"}


class DemoRefused(RuntimeError):
    """The database already holds data: the demo is seeded only into an empty one."""


@dataclass(frozen=True)
class DemoSummary:
    """What one seeding created."""

    divisions: int
    departments: int
    wards: int
    staff: int
    accounts: int


@dataclass
class _Person:
    staff: Staff
    unit_code: str
    level: int  # index of the title in data.TITLES[group]; -1 for a department secretary


def database_is_empty() -> bool:
    """True when there is no department and no user yet (a brand-new installation)."""
    return _count(Department) == 0 and _count(User) == 0


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def seed_demo(seed: int = DEMO_SEED) -> DemoSummary:
    """Create the demo hospital in an empty database (flushes, never commits)."""
    if not database_is_empty():
        raise DemoRefused(
            f"The database already holds data ({_count(Department)} departments, "
            f"{_count(User)} user accounts): the demo hospital is seeded only into an empty "
            "database.")
    rng = random.Random(seed)
    departments, units = _create_tree()
    people = _create_staff(rng, units)
    accounts = _create_accounts(people, departments)
    summary = DemoSummary(
        divisions=len(data.DIVISIONS),
        departments=sum(len(division.departments) for division in data.DIVISIONS),
        wards=sum(len(unit.wards) for division in data.DIVISIONS for unit in division.departments),
        staff=len(people), accounts=len(accounts))
    audit.record(None, "demo.seeded", object_type="system", new={
        "seed": seed, "divisions": summary.divisions, "departments": summary.departments,
        "wards": summary.wards, "staff": summary.staff,
        "accounts": [user.username for user in accounts]})
    seed_baseline()
    return summary


def _create_tree() -> tuple[dict[str, Department], list[tuple[Department, data.Unit, bool]]]:
    """The hospital, its divisions, departments and wards; returns them by code, and the units
    that have staff (departments and wards) with whether their division is clinical."""
    by_code: dict[str, Department] = {}
    units: list[tuple[Department, data.Unit, bool]] = []
    hospital = create_department(None, code=data.HOSPITAL_CODE, name=data.HOSPITAL_NAME,
                                 kind=DepartmentKind.hospital)
    by_code[hospital.code] = hospital
    for division in data.DIVISIONS:
        node = create_department(None, code=division.code, name=division.name,
                                 kind=DepartmentKind.division, parent=hospital)
        by_code[node.code] = node
        for unit in division.departments:
            department = create_department(None, code=unit.code, name=unit.name,
                                           kind=DepartmentKind.department, parent=node)
            by_code[unit.code] = department
            units.append((department, unit, division.clinical))
            for ward_unit in unit.wards:
                ward = create_department(None, code=ward_unit.code, name=ward_unit.name,
                                         kind=DepartmentKind.ward, parent=department)
                by_code[ward_unit.code] = ward
                units.append((ward, ward_unit, division.clinical))
    return by_code, units


def _create_staff(rng: random.Random, units) -> list[_Person]:
    """Everybody, unit by unit, group by group, most senior first: one flush, and one audit
    entry per person as a staff import writes."""
    names = _NameMaker(rng)
    people: list[_Person] = []
    for department, unit, clinical in units:
        for group, count in unit.staffing.counts():
            for level, title in _titles(rng, group, count, clinical):
                hired = _hire_date(rng, title)
                staff = Staff(
                    employee_number=f"{hired.year}{len(people) + 1:04d}",
                    name=names.make(female=rng.random() < data.FEMALE_SHARE[group]),
                    staff_group=group, title=title.name, department=department,
                    hire_date=hired)
                people.append(_Person(staff, unit.code, level))
    db.session.add_all(person.staff for person in people)
    db.session.flush()
    for person in people:
        audit.record(None, "staff.created", person.staff, new=_audit_view(person.staff))
    return people


def _audit_view(staff: Staff) -> dict:
    return {"employee_number": staff.employee_number, "name": staff.name,
            "staff_group": staff.staff_group, "title": staff.title,
            "department_id": staff.department_id, "hire_date": staff.hire_date, "source": "demo"}


def _titles(rng: random.Random, group: StaffGroup, count: int, clinical: bool
            ) -> list[tuple[int, data.Title]]:
    """``count`` titles for one group in one unit: the head first, then by seniority."""
    if group is StaffGroup.admin and clinical:
        return [(-1, data.DEPARTMENT_SECRETARY)] * count
    titles = data.TITLES[group]
    head = [0] if count >= data.HEAD_FROM else []
    rest = rng.choices(range(len(titles)), weights=[t.weight for t in titles],
                       k=count - len(head))
    return [(level, titles[level]) for level in head + sorted(rest)]


def _hire_date(rng: random.Random, title: data.Title) -> date:
    year = rng.randint(title.hired_from, title.hired_to)
    return date(year, 1, 1) + timedelta(days=rng.randrange(365))


class _NameMaker:
    """Plausible, distinct Chinese names (surname + one or two given characters)."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used: set[str] = set()
        # Frequent surnames are much more common: weights fall off with the rank.
        self.surname_weights = [1 / (rank + 3) for rank in range(len(data.SURNAMES))]

    def make(self, female: bool) -> str:
        pool = data.GIVEN_FEMALE if female else data.GIVEN_MALE
        while True:
            surname = self.rng.choices(data.SURNAMES, weights=self.surname_weights)[0]
            given = self.rng.choice(pool)
            if self.rng.random() < 0.75:
                given = self.rng.choice(pool + data.GIVEN_EITHER) + given
            name = surname + given
            if len(set(given)) == len(given) and name not in self.used:
                self.used.add(name)
                return name


def _create_accounts(people: list[_Person], departments: dict[str, Department]) -> list[User]:
    """The five demo accounts (the only argon2 hashes of the seeding)."""
    admin = _create_account("admin", display_name="Performance office 绩效办")
    auth_ops.grant_role(None, admin, Role.admin)
    accounts = [admin]
    for username, link in _LINKS.items():
        user = _create_account(username, staff=_pick(people, link))
        if username in _MANAGED_DIVISION:
            auth_ops.grant_role(None, user, Role.manager,
                                departments[_MANAGED_DIVISION[username]].id)
        if username == "panel":
            auth_ops.grant_role(None, user, Role.panel_member)
        accounts.append(user)
    return accounts


def _create_account(username: str, staff: Staff | None = None, display_name: str = "") -> User:
    return auth_ops.create_user(
        None, username=username, password=DEMO_PASSWORD,
        display_name=display_name or (staff.name if staff else username),
        email=f"{username}@{DEMO_EMAIL_DOMAIN}", staff_id=staff.id if staff else None)


def _pick(people: list[_Person], link: _Link) -> Staff:
    """The first person of the unit and group, trying the title levels in order."""
    for level in link.levels:
        for person in people:
            if (person.unit_code == link.unit_code and person.staff.staff_group is link.group
                    and person.level == level):
                return person.staff
    raise LookupError(f"the demo data has no {link.group.value} in {link.unit_code}")
