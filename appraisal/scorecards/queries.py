"""Queries of the result pages: cycles, departments in scope, alarms (selects to paginate)."""

from __future__ import annotations

from sqlalchemy import Select, exists, select
from sqlalchemy.orm import contains_eager

from appraisal.auth.models import Role, RoleGrant, User
from appraisal.cycles.models import Cycle, CycleState
from appraisal.extensions import db
from appraisal.indicators.models import Indicator
from appraisal.measurements.models import Alarm, Measurement
from appraisal.org.models import Department, Staff, StaffGroup
from appraisal.org.queries import scope_clause


def result_cycles() -> list[Cycle]:
    """Cycles that can have results (not drafts), newest first."""
    return list(db.session.scalars(
        select(Cycle).where(Cycle.state != CycleState.draft)
        .order_by(Cycle.start_date.desc(), Cycle.id.desc())))


def newest_cycle_with_data(staff_id: int) -> Cycle | None:
    """The newest cycle holding a measurement of this person."""
    return db.session.scalars(
        select(Cycle).where(Cycle.state != CycleState.draft, exists().where(
            Measurement.cycle_id == Cycle.id, Measurement.staff_id == staff_id))
        .order_by(Cycle.start_date.desc(), Cycle.id.desc()).limit(1)).first()


def newest_cycle_with_any_data(cycles: list[Cycle]) -> Cycle | None:
    """Of ``cycles`` (newest first): the newest holding any measurement, else the newest."""
    if not cycles:
        return None
    with_data = set(db.session.scalars(
        select(Measurement.cycle_id).where(Measurement.cycle_id.in_([c.id for c in cycles]))
        .distinct()))
    return next((c for c in cycles if c.id in with_data), cycles[0])


def earlier_cycles(cycle: Cycle, cycles: list[Cycle], count: int) -> list[Cycle]:
    """Up to ``count`` cycles before ``cycle``, oldest first, then ``cycle`` itself."""
    before = [c for c in cycles if (c.start_date, c.id) < (cycle.start_date, cycle.id)]
    before.sort(key=lambda c: (c.start_date, c.id))
    return before[-count:] + [cycle] if count else [cycle]


def departments_in_scope_select(user) -> Select:
    """The departments whose results ``user`` may see, in tree order."""
    query = select(Department).where(Department.active).order_by(Department.path)
    clause = scope_clause(user)
    return query if clause is None else query.where(clause)


def groups_within(department: Department) -> list[StaffGroup]:
    """The staff groups present in ``department`` and below, in the usual order."""
    found = set(db.session.scalars(
        select(Staff.staff_group).join(Staff.department)
        .where(Department.path.startswith(department.path, autoescape=True)).distinct()))
    return [group for group in StaffGroup if group in found]


# -- alarms --------------------------------------------------------------------------------------
def alarms_select(user, cycle: Cycle | None, state: str) -> Select:
    """The alarms ``user`` may see, newest first, with staff, department and indicator."""
    query = (select(Alarm).join(Alarm.staff).join(Staff.department).join(Alarm.indicator)
             .options(contains_eager(Alarm.staff).contains_eager(Staff.department),
                      contains_eager(Alarm.indicator))
             .order_by(Alarm.raised_at.desc(), Alarm.id.desc()))
    clause = scope_clause(user)
    if clause is not None:
        query = query.where(clause)
    if cycle is not None:
        query = query.where(Alarm.cycle_id == cycle.id)
    if state == "open":
        query = query.where(Alarm.acknowledged_at.is_(None))
    elif state == "acknowledged":
        query = query.where(Alarm.acknowledged_at.is_not(None))
    return query


def users_by_id(ids: set[int]) -> dict[int, User]:
    """These users, by id (one statement; for "acknowledged by" columns)."""
    if not ids:
        return {}
    return {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))}


def existing_alarm_keys(cycle: Cycle) -> set[tuple[int, int]]:
    """(staff id, indicator id) of the alarms already raised in ``cycle``."""
    return set(db.session.execute(
        select(Alarm.staff_id, Alarm.indicator_id).where(Alarm.cycle_id == cycle.id)).all())


def alarm_keys_within(cycle: Cycle, department: Department) -> set[tuple[int, str]]:
    """(staff id, indicator code) of the cycle's alarms in ``department`` and below."""
    return set(db.session.execute(
        select(Alarm.staff_id, Indicator.code).join(Alarm.indicator).join(Alarm.staff)
        .join(Staff.department)
        .where(Alarm.cycle_id == cycle.id,
               Department.path.startswith(department.path, autoescape=True))).all())


def manager_grants(department_ids: set[int]) -> list[RoleGrant]:
    """Manager grants on these departments, with their (active) users."""
    if not department_ids:
        return []
    return list(db.session.scalars(
        select(RoleGrant).join(RoleGrant.user)
        .where(RoleGrant.role == Role.manager, RoleGrant.department_id.in_(department_ids),
               User.active)
        .options(contains_eager(RoleGrant.user))))
