"""What the home page shows, by role."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import exists, func, select

from appraisal.auth.models import Role, RoleGrant, User
from appraisal.cycles.models import Cycle, CycleState
from appraisal.extensions import db
from appraisal.indicators.models import Indicator
from appraisal.measurements.models import Measurement
from appraisal.org.models import Department, Staff


@dataclass
class ChecklistStep:
    label: str
    done: bool
    endpoint: str


def admin_counts() -> dict[str, int]:
    """Counts for the administrator's overview, and whether the quantitative baseline has its
    indicators, a cycle under way and data (one statement)."""
    row = db.session.execute(
        select(
            select(func.count()).select_from(Department).where(Department.active).scalar_subquery(),
            select(func.count()).select_from(Staff).where(Staff.active).scalar_subquery(),
            select(func.count()).select_from(User).where(User.active).scalar_subquery(),
            select(func.count()).select_from(RoleGrant)
            .where(RoleGrant.role == Role.manager).scalar_subquery(),
            exists().where(Indicator.active),
            exists().where(Cycle.state != CycleState.draft),
            exists().where(Measurement.id.is_not(None)),
        )
    ).one()
    return dict(zip(("departments", "staff", "users", "manager_grants", "indicators",
                     "cycle_under_way", "measurements"), row))


def department_staff_counts(departments: list[Department]) -> dict[int, int]:
    """Active staff in each department's subtree, keyed by department id (one statement)."""
    if not departments:
        return {}
    counts = {department.id: 0 for department in departments}
    rows = db.session.execute(
        select(Department.path, func.count(Staff.id))
        .join(Staff, Staff.department_id == Department.id)
        .where(Staff.active)
        .group_by(Department.path)
    ).all()
    for path, count in rows:
        for department in departments:
            if path.startswith(department.path):
                counts[department.id] += count
    return counts
