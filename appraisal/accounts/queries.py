"""Queries for the account pages; each returns a select() or runs one statement."""

from __future__ import annotations

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from appraisal.auth.models import LoginAttempt, Role, RoleGrant, User
from appraisal.extensions import db
from appraisal.org.models import Department, Staff

RECENT_ATTEMPTS = 20

# The role filter of the user list: granted roles, plus "clinician" (linked to a staff
# member) and "none" (neither).
ROLE_FILTERS = ("admin", "manager", "panel_member", "clinician", "none")
STATUS_FILTERS = ("active", "inactive")


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def users_query(search: str = "", role: str = "", status: str = "") -> Select:
    """Users matching the list filters, by username; roles and staff load with the page."""
    query = select(User).options(
        joinedload(User.staff).joinedload(Staff.department),
        selectinload(User.grants).joinedload(RoleGrant.department),
    )
    if search := search.strip():
        pattern = _like(search)
        query = query.where(or_(
            User.username.ilike(pattern, escape="\\"),
            User.display_name.ilike(pattern, escape="\\"),
            User.email.ilike(pattern, escape="\\"),
            User.staff.has(or_(Staff.name.ilike(pattern, escape="\\"),
                               Staff.employee_number.ilike(pattern, escape="\\"))),
        ))
    query = _filter_role(query, role)
    if status in STATUS_FILTERS:
        query = query.where(User.active.is_(status == "active"))
    return query.order_by(User.username)


def _filter_role(query: Select, role: str) -> Select:
    if role in ("admin", "manager", "panel_member"):
        return query.where(User.grants.any(RoleGrant.role == Role(role)))
    if role == "clinician":
        return query.where(User.staff_id.is_not(None))
    if role == "none":
        return query.where(~User.grants.any(), User.staff_id.is_(None))
    return query


def recent_attempts(user: User, limit: int = RECENT_ATTEMPTS) -> list[LoginAttempt]:
    """The account's latest login attempts, newest first."""
    return list(db.session.scalars(
        select(LoginAttempt).where(LoginAttempt.user_id == user.id)
        .order_by(LoginAttempt.at.desc(), LoginAttempt.id.desc()).limit(limit)
    ))


def active_admin_count() -> int:
    """Active accounts holding the admin role."""
    return db.session.scalar(
        select(func.count(func.distinct(User.id)))
        .join(RoleGrant, RoleGrant.user_id == User.id)
        .where(User.active.is_(True), RoleGrant.role == Role.admin)
    )


def department_choices() -> list[Department]:
    """Active departments in tree order (a subtree follows its root)."""
    return list(db.session.scalars(
        select(Department).where(Department.active.is_(True)).order_by(Department.path)
    ))


def staff_by_number(employee_number: str) -> Staff | None:
    return db.session.scalars(
        select(Staff).where(Staff.employee_number == employee_number.strip())
    ).first()


def account_of_staff(staff: Staff) -> User | None:
    return db.session.scalars(select(User).where(User.staff_id == staff.id)).first()
