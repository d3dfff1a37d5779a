"""Queries of the cycle and scheme pages.

A scheme is identified by (cycle, staff group, department); each change of a frozen version
adds a row with the next version number, and the current version is the highest one.
"""

from __future__ import annotations

from sqlalchemy import Select, and_, exists, func, or_, select
from sqlalchemy.orm import aliased, contains_eager, joinedload, lazyload

from appraisal.cycles.models import Cycle, CycleState, Scheme, SchemeIndicator
from appraisal.cycles.states import CycleFacts
from appraisal.extensions import db
from appraisal.indicators.models import Indicator
from appraisal.measurements.models import Measurement


def _same_key(other, scheme):
    """SQL: ``other`` is a version of the same scheme as ``scheme`` (NULL department = NULL)."""
    return and_(other.cycle_id == scheme.cycle_id, other.staff_group == scheme.staff_group,
                func.coalesce(other.department_id, 0) == func.coalesce(scheme.department_id, 0))


def is_current_clause():
    """SQL condition on Scheme: no higher version of the same scheme exists."""
    newer = aliased(Scheme)
    return ~exists().where(_same_key(newer, Scheme), newer.version > Scheme.version)


PUBLISHED_STATES = (CycleState.published, CycleState.closed)


def in_force_clause():
    """SQL condition on Scheme: the version results are computed with.

    Until its cycle is published, the current version. Once it is published, the version
    that was frozen then: its grades were published with it and must never change silently.
    A version made afterwards (editing a frozen one) is a starting point for later cycles'
    copies, not a change to the published results.
    """
    newer_frozen = aliased(Scheme)
    published = select(Cycle.id).where(Cycle.state.in_(PUBLISHED_STATES))
    return or_(
        and_(Scheme.cycle_id.not_in(published), is_current_clause()),
        and_(Scheme.cycle_id.in_(published), Scheme.frozen,
             ~exists().where(_same_key(newer_frozen, Scheme), newer_frozen.frozen,
                             newer_frozen.version > Scheme.version)),
    )


def version_in_force(scheme: Scheme) -> Scheme | None:
    """Of ``scheme``'s versions, the one its cycle's results are computed with."""
    return db.session.scalars(
        select(Scheme).where(_same_key(Scheme, scheme), in_force_clause())
        .options(lazyload(Scheme.items))).first()


# -- cycles ----------------------------------------------------------------------------------
def cycle_select() -> Select:
    return select(Cycle).order_by(Cycle.start_date.desc(), Cycle.id.desc())


def scheme_counts(cycle_ids: list[int]) -> dict[int, int]:
    """Current schemes per cycle (one statement)."""
    if not cycle_ids:
        return {}
    rows = db.session.execute(
        select(Scheme.cycle_id, func.count()).where(Scheme.cycle_id.in_(cycle_ids),
                                                    is_current_clause())
        .group_by(Scheme.cycle_id))
    return dict(rows.all())


def cycle_name_taken(name: str, exclude_id: int | None = None) -> Cycle | None:
    query = select(Cycle).where(func.lower(Cycle.name) == name.strip().lower())
    if exclude_id is not None:
        query = query.where(Cycle.id != exclude_id)
    return db.session.scalars(query).first()


def current_schemes(cycle: Cycle) -> list[Scheme]:
    """The current version of each scheme of ``cycle``, with indicators and departments."""
    return list(db.session.scalars(
        select(Scheme).where(Scheme.cycle_id == cycle.id, is_current_clause())
        .options(joinedload(Scheme.department))
        .order_by(Scheme.staff_group, Scheme.name, Scheme.id)))


def cycle_facts(cycle: Cycle) -> CycleFacts:
    """What the state machine's guards need to know about ``cycle``."""
    schemes = current_schemes(cycle)
    measurements = db.session.scalar(
        select(func.count()).select_from(Measurement).where(Measurement.cycle_id == cycle.id))
    return CycleFacts(schemes=len(schemes), measurements=measurements,
                      schemes_without_indicators=tuple(s.name for s in schemes if not s.items))


def all_schemes(cycle: Cycle) -> list[Scheme]:
    """Every version of every scheme of ``cycle``."""
    return list(db.session.scalars(select(Scheme).where(Scheme.cycle_id == cycle.id)
                                   .options(lazyload(Scheme.items))))


# -- schemes ---------------------------------------------------------------------------------
def find_current(cycle: Cycle, staff_group, department) -> Scheme | None:
    """The current version of the scheme of ``cycle`` for this group and department."""
    return db.session.scalars(
        select(Scheme).where(Scheme.cycle_id == cycle.id, Scheme.staff_group == staff_group,
                             func.coalesce(Scheme.department_id, 0)
                             == (department.id if department else 0))
        .order_by(Scheme.version.desc()).limit(1)).first()


def versions(scheme: Scheme) -> list[Scheme]:
    """Every version of ``scheme``, newest first (without their indicators)."""
    return list(db.session.scalars(
        select(Scheme).where(_same_key(Scheme, scheme)).options(lazyload(Scheme.items))
        .order_by(Scheme.version.desc())))


def current_version_number(scheme: Scheme) -> int:
    return db.session.scalar(select(func.max(Scheme.version)).where(_same_key(Scheme, scheme)))


def item_counts(scheme_ids: list[int]) -> dict[int, int]:
    if not scheme_ids:
        return {}
    rows = db.session.execute(
        select(SchemeIndicator.scheme_id, func.count())
        .where(SchemeIndicator.scheme_id.in_(scheme_ids)).group_by(SchemeIndicator.scheme_id))
    return dict(rows.all())


def indicators_to_add(scheme: Scheme) -> list[Indicator]:
    """Active library entries the scheme has not chosen yet, by dimension and code."""
    chosen = [item.indicator_id for item in scheme.items]
    query = select(Indicator).where(Indicator.active).order_by(Indicator.dimension,
                                                               Indicator.code)
    if chosen:
        query = query.where(Indicator.id.not_in(chosen))
    return list(db.session.scalars(query))


def copy_sources(cycle: Cycle) -> list[Scheme]:
    """Current schemes of the other cycles, newest cycle first (one statement)."""
    return list(db.session.scalars(
        select(Scheme).join(Scheme.cycle)
        .where(Scheme.cycle_id != cycle.id, is_current_clause())
        .options(contains_eager(Scheme.cycle), joinedload(Scheme.department),
                 lazyload(Scheme.items))
        .order_by(Cycle.start_date.desc(), Cycle.id.desc(), Scheme.staff_group, Scheme.name)))
