"""Data quality: which measurements a cycle's schemes expect and which are missing.

A staff member is expected to have a measurement for every indicator of the scheme that
applies to them: the latest version of the cycle's scheme for their staff group whose
department is the nearest one above them (or the group-wide scheme when none is). Approved
exemptions are not expected. Everything is counted in SQL with GROUP BY, so the page costs
the same handful of statements for 10 staff or 10,000.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import Select, and_, exists, false, func, or_, select
from sqlalchemy.orm import contains_eager, selectinload

from appraisal.cycles.models import Cycle, CycleState, Scheme
from appraisal.extensions import db
from appraisal.indicators.models import Indicator
from appraisal.measurements.models import Exemption, ExemptionState, Measurement
from appraisal.org.models import Department, Staff, StaffGroup
from appraisal.org.queries import scope_clause

# A cell at or above this share of missing measurements is shown as serious.
SERIOUS_PERCENT = 25


# -- which scheme applies to whom (pure once the schemes are loaded) -----------------------
def latest_schemes(cycle: Cycle) -> list[Scheme]:
    """The newest version of each of the cycle's schemes, with indicators and departments."""
    schemes = db.session.scalars(
        select(Scheme).where(Scheme.cycle_id == cycle.id)
        .options(selectinload(Scheme.department), selectinload(Scheme.items))
        .order_by(Scheme.version))
    latest: dict[tuple, Scheme] = {}
    for scheme in schemes:
        latest[(scheme.staff_group, scheme.department_id)] = scheme
    return list(latest.values())


def scheme_for(schemes: Iterable[Scheme], group: StaffGroup, department: Department
               ) -> Scheme | None:
    """The scheme for ``group`` whose department is nearest above ``department``."""
    best, best_depth = None, -1
    for scheme in schemes:
        if scheme.staff_group is not group:
            continue
        if scheme.department is None:
            depth = 0
        elif department.is_within(scheme.department):
            depth = len(scheme.department.path)
        else:
            continue
        if depth > best_depth:
            best, best_depth = scheme, depth
    return best


def scheme_indicators(scheme: Scheme | None) -> set[int]:
    return {item.indicator_id for item in scheme.items} if scheme else set()


# -- the department x indicator table -------------------------------------------------------
@dataclass
class Cell:
    """Expected and present measurements of one indicator in one department."""

    expected: int = 0
    measured: int = 0

    @property
    def missing(self) -> int:
        return max(0, self.expected - self.measured)

    @property
    def percent(self) -> float:
        return 100.0 * self.missing / self.expected if self.expected else 0.0

    @property
    def severity(self) -> str:
        if not self.missing:
            return "ok"
        return "bad" if self.percent >= SERIOUS_PERCENT else "warn"

    def add(self, other: Cell) -> None:
        self.expected += other.expected
        self.measured += other.measured


@dataclass
class QualityRow:
    """One department (its directly placed staff) and its cells by indicator id."""

    department: Department
    parent: Department | None
    cells: dict[int, Cell] = field(default_factory=dict)


@dataclass
class QualityTable:
    """The whole table, its column totals and the overall figure."""

    indicators: list[Indicator]
    rows: list[QualityRow]
    totals: dict[int, Cell]
    overall: Cell
    scheme_count: int


def quality_table(user, cycle: Cycle) -> QualityTable:
    """Missing measurements per department and indicator, within what ``user`` may see."""
    schemes = latest_schemes(cycle)
    departments = {d.id: d for d in db.session.scalars(select(Department))}
    staff = _staff_counts(user)
    measured = _measured_counts(user, cycle)
    exempt = _exempt_counts(user, cycle)
    rows: dict[int, QualityRow] = {}
    for (department_id, group), count in staff.items():
        department = departments[department_id]
        for indicator_id in scheme_indicators(scheme_for(schemes, group, department)):
            key = (department_id, group, indicator_id)
            row = rows.setdefault(department_id, QualityRow(
                department, departments.get(department.parent_id)))
            row.cells.setdefault(indicator_id, Cell()).add(
                Cell(count - exempt.get(key, 0), measured.get(key, 0)))
    return _assemble(schemes, rows)


def _assemble(schemes: list[Scheme], rows: dict[int, QualityRow]) -> QualityTable:
    indicators = {item.indicator_id: item.indicator for s in schemes for item in s.items}
    totals: dict[int, Cell] = defaultdict(Cell)
    overall = Cell()
    for row in rows.values():
        for indicator_id, cell in row.cells.items():
            totals[indicator_id].add(cell)
            overall.add(cell)
    ordered = sorted(rows.values(), key=lambda r: (r.department.path, r.department.name))
    return QualityTable(sorted(indicators.values(), key=lambda i: i.code), ordered,
                        dict(totals), overall, len(schemes))


def _scoped(query: Select, user) -> Select:
    clause = scope_clause(user)
    return query if clause is None else query.where(clause)


def _staff_counts(user) -> dict[tuple, int]:
    query = (select(Staff.department_id, Staff.staff_group, func.count())
             .join(Staff.department).where(Staff.active)
             .group_by(Staff.department_id, Staff.staff_group))
    return {(d, g): n for d, g, n in db.session.execute(_scoped(query, user))}


def _approved_exemption_of_measurement():
    return exists().where(Exemption.cycle_id == Measurement.cycle_id,
                          Exemption.staff_id == Measurement.staff_id,
                          Exemption.indicator_id == Measurement.indicator_id,
                          Exemption.state == ExemptionState.approved)


def _measured_counts(user, cycle: Cycle) -> dict[tuple, int]:
    """Measurements of active, non-exempt staff by (department, group, indicator)."""
    query = (select(Staff.department_id, Staff.staff_group, Measurement.indicator_id,
                    func.count())
             .select_from(Measurement).join(Measurement.staff).join(Staff.department)
             .where(Measurement.cycle_id == cycle.id, Staff.active,
                    ~_approved_exemption_of_measurement())
             .group_by(Staff.department_id, Staff.staff_group, Measurement.indicator_id))
    return {(d, g, i): n for d, g, i, n in db.session.execute(_scoped(query, user))}


def _exempt_counts(user, cycle: Cycle) -> dict[tuple, int]:
    query = (select(Staff.department_id, Staff.staff_group, Exemption.indicator_id,
                    func.count())
             .select_from(Exemption).join(Exemption.staff).join(Staff.department)
             .where(Exemption.cycle_id == cycle.id, Staff.active,
                    Exemption.state == ExemptionState.approved)
             .group_by(Staff.department_id, Staff.staff_group, Exemption.indicator_id))
    return {(d, g, i): n for d, g, i, n in db.session.execute(_scoped(query, user))}


# -- who is missing ------------------------------------------------------------------------
def missing_staff_select(user, cycle: Cycle, indicator: Indicator,
                         department: Department | None) -> Select:
    """Active staff expected to have ``indicator`` in ``cycle`` who have no measurement.

    With a department, only the staff placed directly in it (as the table counts them).
    """
    schemes = latest_schemes(cycle)
    candidates = ([department] if department is not None
                  else db.session.scalars(_scoped(select(Department), user)))
    expected = defaultdict(list)  # staff group -> ids of departments expecting the indicator
    for candidate in candidates:
        for group in StaffGroup:
            if indicator.id in scheme_indicators(scheme_for(schemes, group, candidate)):
                expected[group].append(candidate.id)
    who = or_(false(), *(and_(Staff.staff_group == group, Staff.department_id.in_(ids))
                         for group, ids in expected.items()))
    query = (select(Staff).join(Staff.department).options(contains_eager(Staff.department))
             .where(Staff.active, who, ~_has(Measurement, cycle, indicator),
                    ~_has(Exemption, cycle, indicator, Exemption.state == ExemptionState.approved))
             .order_by(Department.path, Staff.name, Staff.id))
    return _scoped(query, user)


def _has(model, cycle: Cycle, indicator: Indicator, *extra):
    return exists().where(model.staff_id == Staff.id, model.cycle_id == cycle.id,
                          model.indicator_id == indicator.id, *extra)


# -- cycles --------------------------------------------------------------------------------
def all_cycles() -> list[Cycle]:
    return list(db.session.scalars(
        select(Cycle).order_by(Cycle.start_date.desc(), Cycle.id.desc())))


def default_cycle(cycles: list[Cycle]) -> Cycle | None:
    """The newest cycle taking data in, else the newest cycle."""
    taking_data = [c for c in cycles if c.state in (CycleState.open, CycleState.reviewing)]
    return (taking_data or cycles or [None])[0]
