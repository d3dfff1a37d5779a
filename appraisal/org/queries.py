"""Queries of the organisation pages: selects to paginate, and bulk look-ups for the imports.

Nothing here runs one statement per row: the tree is two statements, an import's look-ups a
handful whatever the size of the file.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Select, false, func, or_, select
from sqlalchemy.orm import aliased, contains_eager

from appraisal.auth.models import User
from appraisal.extensions import db
from appraisal.org.importing import (
    DepartmentRecord,
    DepartmentRef,
    ImportPlan,
    Parsed,
    StaffRecord,
    parse_department_csv,
    parse_staff_csv,
    plan_departments,
    plan_staff,
)
from appraisal.org.models import Department, Staff, StaffGroup
from appraisal.org.tree import TreeNode, build_tree

# Stays well below SQLite's and PostgreSQL's limits on bound parameters.
CHUNK = 900


@dataclass
class StaffFilters:
    """The staff list's search and filters (also honoured by the export)."""

    q: str = ""
    department: Department | None = None
    group: StaffGroup | None = None
    active: bool | None = True


# -- departments -----------------------------------------------------------------------------
def all_departments() -> list[Department]:
    return list(db.session.scalars(select(Department).order_by(Department.path)))


def active_staff_counts() -> dict[int, int]:
    """Active staff directly in each department, keyed by department id (one statement)."""
    rows = db.session.execute(
        select(Staff.department_id, func.count()).where(Staff.active)
        .group_by(Staff.department_id)
    )
    return {department_id: count for department_id, count in rows}


def department_tree() -> list[TreeNode]:
    """The whole tree with staff counts, in two statements."""
    return build_tree(all_departments(), active_staff_counts())


def scope_clause(user):
    """SQL condition on Department: what ``user`` may see (admin all, manager subtrees)."""
    if user.is_admin:
        return None
    managed = user.managed_departments
    if not managed:
        return false()
    return or_(*(Department.path.startswith(d.path, autoescape=True) for d in managed))


def departments_in_scope(user) -> list[Department]:
    query = select(Department).order_by(Department.path)
    clause = scope_clause(user)
    if clause is not None:
        query = query.where(clause)
    return list(db.session.scalars(query))


def ancestors(department: Department) -> list[Department]:
    """The departments above ``department``, top first (one statement)."""
    ids = department.ancestor_ids[:-1]
    if not ids:
        return []
    found = {d.id: d for d in db.session.scalars(select(Department).where(Department.id.in_(ids)))}
    return [found[i] for i in ids if i in found]


def subtree_counts(department: Department) -> tuple[int, int]:
    """(active staff in the subtree, active departments below) of ``department``."""
    below = Department.path.startswith(department.path, autoescape=True)
    staff = db.session.scalar(
        select(func.count()).select_from(Staff).join(Staff.department)
        .where(below, Staff.active)
    )
    children = db.session.scalar(
        select(func.count()).select_from(Department)
        .where(below, Department.id != department.id, Department.active)
    )
    return staff, children


def department_code_taken(code: str, exclude_id: int | None = None) -> Department | None:
    """The department already using ``code`` (codes are unique whatever their case)."""
    query = select(Department).where(func.lower(Department.code) == code.strip().lower())
    if exclude_id is not None:
        query = query.where(Department.id != exclude_id)
    return db.session.scalars(query).first()


# -- staff -----------------------------------------------------------------------------------
def staff_select(user, filters: StaffFilters) -> Select:
    """The staff ``user`` may see, filtered, with the department loaded in the same query."""
    query = (select(Staff).join(Staff.department).options(contains_eager(Staff.department))
             .order_by(Staff.name, Staff.id))
    clause = scope_clause(user)
    if clause is not None:
        query = query.where(clause)
    if filters.q:
        query = query.where(or_(Staff.name.icontains(filters.q, autoescape=True),
                                Staff.employee_number.icontains(filters.q, autoescape=True)))
    if filters.department is not None:
        query = query.where(Department.path.startswith(filters.department.path, autoescape=True))
    if filters.group is not None:
        query = query.where(Staff.staff_group == filters.group)
    if filters.active is not None:
        query = query.where(Staff.active.is_(filters.active))
    return query


def employee_number_taken(number: str, exclude_id: int | None = None) -> Staff | None:
    query = select(Staff).where(Staff.employee_number == number.strip())
    if exclude_id is not None:
        query = query.where(Staff.id != exclude_id)
    return db.session.scalars(query).first()


def account_of(staff: Staff):
    """The user account linked to ``staff``, if any."""
    return db.session.scalars(select(User).where(User.staff_id == staff.id)).first()


# -- import look-ups -------------------------------------------------------------------------
def department_refs() -> dict[str, DepartmentRef]:
    """Every department keyed by its casefolded code (one statement)."""
    rows = db.session.execute(
        select(Department.id, Department.code, Department.name, Department.active))
    return {row.code.casefold(): DepartmentRef(*row) for row in rows}


def existing_staff(numbers: Iterable[str]) -> dict[str, tuple[int, StaffRecord]]:
    """The staff with these employee numbers, as (id, record), in chunks of CHUNK."""
    numbers = list(dict.fromkeys(numbers))
    found = {}
    for start in range(0, len(numbers), CHUNK):
        rows = db.session.execute(
            select(Staff.id, Staff.employee_number, Staff.name, Staff.staff_group, Staff.title,
                   Department.code, Staff.hire_date, Staff.active)
            .join(Staff.department)
            .where(Staff.employee_number.in_(numbers[start:start + CHUNK]))
        )
        for staff_id, *values in rows:
            found[values[0]] = (staff_id, StaffRecord(*values))
    return found


def staff_ids(numbers: list[str]) -> dict[str, int]:
    """Employee number -> staff id, in chunks of CHUNK."""
    found = {}
    for start in range(0, len(numbers), CHUNK):
        rows = db.session.execute(
            select(Staff.employee_number, Staff.id)
            .where(Staff.employee_number.in_(numbers[start:start + CHUNK])))
        found.update({number: staff_id for number, staff_id in rows})
    return found


def existing_departments() -> dict[str, tuple[int, DepartmentRecord]]:
    """Every department as (id, record) keyed by casefolded code (one statement)."""
    parent = aliased(Department)
    rows = db.session.execute(
        select(Department.id, Department.code, Department.name, Department.kind, parent.code,
               Department.active)
        .outerjoin(parent, Department.parent_id == parent.id)
    )
    return {code.casefold(): (dept_id, DepartmentRecord(code, *rest))
            for dept_id, code, *rest in rows}


def active_staff_by_code() -> dict[str, int]:
    """Active staff directly in each department, keyed by casefolded code (one statement)."""
    rows = db.session.execute(
        select(Department.code, func.count(Staff.id)).join(Staff.department)
        .where(Staff.active).group_by(Department.code)
    )
    return {code.casefold(): count for code, count in rows}


# -- import reviews: the file checked against the database as it is now ----------------------
def review_staff_import(text: str) -> tuple[Parsed, ImportPlan | None]:
    """Validate a staff file and, when it is valid, plan it (a few statements in all)."""
    parsed = parse_staff_csv(text, department_refs())
    if not parsed.ok:
        return parsed, None
    existing = existing_staff(record.employee_number for _, record in parsed.rows)
    return parsed, plan_staff(parsed, existing)


def review_department_import(text: str) -> tuple[Parsed, ImportPlan | None]:
    """Validate a department file against the current tree and, when valid, plan it."""
    existing = existing_departments()
    records = {key: record for key, (_, record) in existing.items()}
    parsed = parse_department_csv(text, records, active_staff_by_code())
    if not parsed.ok:
        return parsed, None
    return parsed, plan_departments(parsed, existing)
