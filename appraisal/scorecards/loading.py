"""From database rows to the scoring core's inputs, in a fixed number of statements.

Everything a scorecard, a department page or the alarm refresh needs is read at once for some
cycles and staff groups (schemes, departments, staff, measurements, approved exemptions, open
disputes: a handful of statements, whatever the number of staff), then grouped in Python into
**cohorts**: everyone scored by the same scheme in the same cycle and therefore compared with
each other (narrowed to the same department when the scheme says so). Each cohort is scored
by one ``score_cohort`` call; a single person's scorecard is their row of that call, and a
"what if" is the same call with that person's inputs replaced (:meth:`Cohort.with_inputs`).

Which scheme applies to a staff member: the current version of the cycle's scheme for their
staff group whose department is theirs or the nearest one above them; else the group-wide
scheme (no department).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from appraisal.cycles.models import Scheme
from appraisal.cycles.queries import is_current_clause
from appraisal.cycles.spec import scheme_spec
from appraisal.extensions import db
from appraisal.indicators.models import Indicator, IndicatorKind
from appraisal.measurements.disputes import open_dispute_measurement_ids
from appraisal.measurements.exemptions import approved_exemptions
from appraisal.measurements.models import Measurement
from appraisal.org.models import Department, DepartmentKind, Staff, StaffGroup
from appraisal.scoring import CohortScore, MeasurementInput, SchemeError, SchemeSpec, score_cohort


@dataclass(frozen=True)
class StaffRow:
    """The few facts about a staff member the result pages show (plain data, no lazy loads)."""

    id: int
    name: str
    employee_number: str
    department_id: int
    staff_group: StaffGroup
    active: bool


@dataclass(frozen=True)
class CohortKey:
    """A comparison group: a scheme in a cycle, narrowed to a department (``unit_id``) or not."""

    cycle_id: int
    scheme_id: int
    unit_id: int | None


@dataclass
class Cohort:
    """Everyone compared with each other under one scheme in one cycle: the core's inputs.

    ``measurements`` holds one entry per member (in staff-id order, empty when they have no
    data), so the member order, and therefore every sum the core takes, is the same for the
    stored data and for a "what if".
    """

    key: CohortKey
    scheme: Scheme
    spec: SchemeSpec | None
    spec_error: SchemeError | None
    unit: Department | None
    members: list[StaffRow]
    measurements: dict[int, dict[str, MeasurementInput]]
    exemptions: dict[int, frozenset[str]]
    measurement_ids: dict[tuple[int, str], int] = field(default_factory=dict)
    _score: CohortScore | None = field(default=None, repr=False)

    @property
    def indicators(self) -> list[Indicator]:
        return [item.indicator for item in self.scheme.items]

    def score(self) -> CohortScore:
        """The whole group scored by the core (once; raises the core's ``ScoringError``)."""
        if self.spec is None:
            raise self.spec_error
        if self._score is None:
            self._score = score_cohort(self.spec, self.measurements, self.exemptions)
        return self._score

    def with_inputs(self, staff_id: int, measurements: Mapping[str, MeasurementInput],
                    exempted: Collection[str]) -> Cohort:
        """A copy where one member's inputs are replaced: nothing here touches the database."""
        inputs = dict(self.measurements)
        inputs[staff_id] = dict(measurements)
        exemptions = dict(self.exemptions)
        exemptions[staff_id] = frozenset(exempted)
        return replace(self, measurements=inputs, exemptions=exemptions, _score=None)


@dataclass
class Snapshot:
    """What was read for some cycles and staff groups, grouped into cohorts."""

    cycle_ids: tuple[int, ...]
    departments: dict[int, Department]
    staff: dict[int, StaffRow]
    cohorts: dict[CohortKey, Cohort]
    assignment: dict[tuple[int, int], CohortKey]
    disputed: set[tuple[int, int, str]]  # (cycle id, staff id, indicator code) with an open dispute

    def cohort_of(self, cycle_id: int, staff_id: int) -> Cohort | None:
        """The cohort a staff member is scored in (None when no scheme applies to them)."""
        key = self.assignment.get((cycle_id, staff_id))
        return self.cohorts.get(key) if key is not None else None

    def cohorts_in(self, cycle_id: int) -> list[Cohort]:
        return [c for k, c in self.cohorts.items() if k.cycle_id == cycle_id]

    def staff_within(self, department: Department) -> list[StaffRow]:
        """Staff of ``department`` and everything below it, by name."""
        rows = [s for s in self.staff.values()
                if self.departments[s.department_id].is_within(department)]
        return sorted(rows, key=lambda s: (s.name.casefold(), s.id))


# -- the loader -----------------------------------------------------------------------------------
def load(cycle_ids: Iterable[int], groups: Iterable[StaffGroup],
         disputes_of: int | None = None) -> Snapshot:
    """Read everything for these cycles and staff groups, in a fixed number of statements.

    Open disputes are read for the cycle ``disputes_of`` only (the one a page shows).
    """
    cycle_ids, groups = tuple(dict.fromkeys(cycle_ids)), tuple(dict.fromkeys(groups))
    departments = {d.id: d for d in db.session.scalars(select(Department))}
    schemes = current_schemes(cycle_ids, groups)
    staff = _staff(groups)
    indicator_ids = {item.indicator_id for s in schemes for item in s.items}
    rows = _measurements(cycle_ids, groups, indicator_ids)
    exemptions = {cycle_id: approved_exemptions(cycle_id) for cycle_id in cycle_ids}
    disputed = _disputed(rows, disputes_of)
    assignment = assign(schemes, staff, departments, cycle_ids,
                        {(r.cycle_id, r.staff_id) for r in rows})
    cohorts = _cohorts(schemes, staff, departments, assignment, rows, exemptions)
    return Snapshot(cycle_ids, departments, staff, cohorts, assignment, disputed)


def current_schemes(cycle_ids: Collection[int], groups: Collection[StaffGroup]) -> list[Scheme]:
    """The current version of every scheme of these cycles and groups (with its indicators)."""
    if not cycle_ids or not groups:
        return []
    return list(db.session.scalars(
        select(Scheme).where(Scheme.cycle_id.in_(cycle_ids), Scheme.staff_group.in_(groups),
                             is_current_clause())
        .options(selectinload(Scheme.items)).order_by(Scheme.id)))


def _staff(groups: Collection[StaffGroup]) -> dict[int, StaffRow]:
    if not groups:
        return {}
    rows = db.session.execute(
        select(Staff.id, Staff.name, Staff.employee_number, Staff.department_id,
               Staff.staff_group, Staff.active)
        .where(Staff.staff_group.in_(groups)).order_by(Staff.id))
    return {row.id: StaffRow(*row) for row in rows}


def _measurements(cycle_ids, groups, indicator_ids) -> list:
    if not cycle_ids or not indicator_ids:
        return []
    return list(db.session.execute(
        select(Measurement.id, Measurement.cycle_id, Measurement.staff_id, Indicator.code,
               Indicator.kind, Indicator.risk_adjustable, Measurement.numerator,
               Measurement.denominator, Measurement.value, Measurement.expected)
        .join(Measurement.indicator).join(Measurement.staff)
        .where(Measurement.cycle_id.in_(cycle_ids), Staff.staff_group.in_(groups),
               Measurement.indicator_id.in_(indicator_ids))
        .order_by(Measurement.staff_id, Measurement.id)))


def _disputed(rows, cycle_id: int | None) -> set[tuple[int, int, str]]:
    if cycle_id is None:
        return set()
    ids = open_dispute_measurement_ids(cycle_id)
    return {(r.cycle_id, r.staff_id, r.code) for r in rows if r.id in ids}


# -- who is scored by which scheme (pure) ---------------------------------------------------------
def scheme_for(schemes: Iterable[Scheme], department: Department) -> Scheme | None:
    """Of one cycle's and one group's schemes: the one of ``department`` or the nearest above it,
    else the group-wide one."""
    by_department = {s.department_id: s for s in schemes}
    for department_id in reversed(department.ancestor_ids or [department.id]):
        if department_id in by_department:
            return by_department[department_id]
    return by_department.get(None)


def comparison_unit(department: Department, departments: Mapping[int, Department]
                    ) -> Department:
    """The department a "compare within the department" scheme narrows the group to.

    A ward or team is compared within the department it belongs to; someone placed directly
    in a division or the hospital, within that node.
    """
    for department_id in reversed(department.ancestor_ids):
        candidate = departments.get(department_id)
        if candidate is not None and candidate.kind is DepartmentKind.department:
            return candidate
    return department


def assign(schemes, staff, departments, cycle_ids, measured: set[tuple[int, int]]
           ) -> dict[tuple[int, int], CohortKey]:
    """(cycle id, staff id) -> their cohort, for everyone active or measured in that cycle."""
    by_cycle_group: dict[tuple, list[Scheme]] = defaultdict(list)
    for scheme in schemes:
        by_cycle_group[(scheme.cycle_id, scheme.staff_group)].append(scheme)
    assignment = {}
    for cycle_id in cycle_ids:
        for person in staff.values():
            if not person.active and (cycle_id, person.id) not in measured:
                continue
            department = departments[person.department_id]
            scheme = scheme_for(by_cycle_group.get((cycle_id, person.staff_group), ()),
                                department)
            if scheme is None:
                continue
            unit = (comparison_unit(department, departments).id
                    if scheme.compare_within_department else None)
            assignment[(cycle_id, person.id)] = CohortKey(cycle_id, scheme.id, unit)
    return assignment


def measurement_input(kind: IndicatorKind, risk_adjustable: bool, numerator, denominator,
                      value, expected) -> MeasurementInput:
    """A stored measurement as the core takes it: a rate is numerator/denominator (and an
    expected count only where the indicator is risk-adjusted), anything else its value."""
    if kind is IndicatorKind.rate:
        return MeasurementInput(numerator=numerator, denominator=denominator,
                                expected=expected if risk_adjustable else None)
    return MeasurementInput(value=value)


def _cohorts(schemes, staff, departments, assignment, rows, exemptions
             ) -> dict[CohortKey, Cohort]:
    schemes_by_id = {s.id: s for s in schemes}
    specs = {s.id: _spec(s) for s in schemes}
    members: dict[CohortKey, list[StaffRow]] = defaultdict(list)
    for (cycle_id, staff_id), key in sorted(assignment.items(), key=lambda item: item[0]):
        members[key].append(staff[staff_id])
    cohorts = {}
    for key, people in members.items():
        scheme = schemes_by_id[key.scheme_id]
        spec, error = specs[key.scheme_id]
        exempted = exemptions.get(key.cycle_id, {})
        cohorts[key] = Cohort(
            key=key, scheme=scheme, spec=spec, spec_error=error,
            unit=departments.get(key.unit_id) if key.unit_id else None, members=people,
            measurements={p.id: {} for p in people},
            exemptions={p.id: frozenset(exempted.get(p.id, ())) for p in people})
    for row in rows:
        key = assignment.get((row.cycle_id, row.staff_id))
        if key is None:
            continue
        cohort = cohorts[key]
        cohort.measurements[row.staff_id][row.code] = measurement_input(
            row.kind, row.risk_adjustable, row.numerator, row.denominator, row.value,
            row.expected)
        cohort.measurement_ids[(row.staff_id, row.code)] = row.id
    return cohorts


def _spec(scheme: Scheme) -> tuple[SchemeSpec | None, SchemeError | None]:
    try:
        return scheme_spec(scheme), None
    except SchemeError as error:
        return None, error
