"""From database rows to the scoring core's inputs, in a fixed number of statements.

Everything a scorecard, a department page or the alarm refresh needs is read at once for some
cycles and staff groups (schemes, departments, staff, measurements, approved exemptions, open
disputes: a handful of statements, whatever the number of staff), then grouped in Python into
**cohorts**: everyone scored by the same scheme in the same cycle and therefore compared with
each other (narrowed to the same department when the scheme says so). Each cohort is scored
by one ``score_cohort`` call; a single person's scorecard is their row of that call, and a
"what if" is the same call with that person's inputs replaced (:meth:`Cohort.with_inputs`).

Which scheme applies to a staff member: the version in force (the current one; for a
published cycle, the one it was published with) of the cycle's scheme for their
staff group whose department is theirs or the nearest one above them; else the group-wide
scheme (no department).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import cache, cached_property

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from appraisal.cycles.models import Scheme
from appraisal.cycles.queries import in_force_clause
from appraisal.cycles.spec import scheme_spec
from appraisal.extensions import db
from appraisal.indicators.models import Indicator, IndicatorKind
from appraisal.measurements.disputes import disputed_codes
from appraisal.measurements.exemptions import approved_exemptions
from appraisal.measurements.models import Measurement
from appraisal.org.models import Department, DepartmentKind, Staff, StaffGroup
from appraisal.scoring import (
    CohortScore,
    MeasurementColumn,
    MeasurementInput,
    SchemeError,
    SchemeSpec,
    score_columns,
)


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


PARTS = ("numerator", "denominator", "value", "expected")


@dataclass
class Cohort:
    """Everyone compared with each other under one scheme in one cycle: the core's inputs.

    The inputs are columnar, as the core takes them: ``data[part, j, i]`` is part ``PARTS[part]``
    of member ``i``'s measurement of the scheme's ``j``-th indicator (NaN = none), and
    ``exempt[j, i]`` whether that indicator is exempted for them. Members are in staff-id
    order, so the order, and therefore every sum the core takes, is the same for the stored
    data and for a "what if".
    """

    key: CohortKey
    scheme: Scheme
    spec: SchemeSpec | None
    spec_error: SchemeError | None
    unit: Department | None
    members: list[StaffRow]
    codes: tuple[str, ...]
    data: np.ndarray
    exempt: np.ndarray
    _score: CohortScore | None = field(default=None, repr=False)

    @property
    def indicators(self) -> list[Indicator]:
        return [item.indicator for item in self.scheme.items]

    @cached_property
    def rows(self) -> dict[int, int]:
        """staff id -> their position in the arrays."""
        return {person.id: i for i, person in enumerate(self.members)}

    def score(self) -> CohortScore:
        """The whole group scored by the core (once; raises the core's ``ScoringError``)."""
        if self.spec is None:
            raise self.spec_error
        if self._score is None:
            self._score = score_columns(self.spec, list(self.rows), self.columns())
        return self._score

    def columns(self) -> dict[str, MeasurementColumn]:
        return {code: MeasurementColumn(*self.data[:, j], exempt=self.exempt[j])
                for j, code in enumerate(self.codes)}

    def inputs_of(self, staff_id: int) -> dict[str, MeasurementInput]:
        """A member's measurements by indicator code (those they have)."""
        i = self.rows.get(staff_id)
        if i is None:
            return {}
        inputs = {}
        for j, code in enumerate(self.codes):
            parts = [None if np.isnan(v) else float(v) for v in self.data[:, j, i]]
            if any(v is not None for v in parts):
                inputs[code] = MeasurementInput(*parts)
        return inputs

    def exempted_of(self, staff_id: int) -> frozenset[str]:
        i = self.rows.get(staff_id)
        if i is None:
            return frozenset()
        return frozenset(code for j, code in enumerate(self.codes) if self.exempt[j, i])

    def values_of(self, code: str, part: str) -> np.ndarray:
        """One part of every member's measurement of one indicator (NaN = none)."""
        return self.data[PARTS.index(part), self.codes.index(code)]

    def with_inputs(self, staff_id: int, measurements: Mapping[str, MeasurementInput],
                    exempted: Collection[str]) -> Cohort:
        """A copy where one member's inputs are replaced: nothing here touches the database."""
        i = self.rows[staff_id]
        data, exempt = self.data.copy(), self.exempt.copy()
        for j, code in enumerate(self.codes):
            given = measurements.get(code)
            data[:, j, i] = [np.nan if given is None or getattr(given, part) is None
                             else getattr(given, part) for part in PARTS]
            exempt[j, i] = code in exempted
        return replace(self, data=data, exempt=exempt, _score=None)


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
    schemes = schemes_in_force(cycle_ids, groups)
    staff = _staff(groups)
    indicator_ids = {item.indicator_id for s in schemes for item in s.items}
    rows = _measurements(cycle_ids, groups, indicator_ids)
    exemptions = {cycle_id: approved_exemptions(cycle_id) for cycle_id in cycle_ids}
    disputed = ({(disputes_of, staff_id, code) for staff_id, code in disputed_codes(disputes_of)}
                if disputes_of is not None else set())
    assignment = assign(schemes, staff, departments, cycle_ids, _measured_inactive(rows, staff))
    cohorts = _cohorts(schemes, staff, departments, assignment, exemptions)
    _fill(cohorts, assignment, rows)
    return Snapshot(cycle_ids, departments, staff, cohorts, assignment, disputed)


def schemes_in_force(cycle_ids: Collection[int], groups: Collection[StaffGroup]
                     ) -> list[Scheme]:
    """The version in force of every scheme of these cycles and groups (with its indicators):
    the current one, or for a published cycle the one it was published with."""
    if not cycle_ids or not groups:
        return []
    return list(db.session.scalars(
        select(Scheme).where(Scheme.cycle_id.in_(cycle_ids), Scheme.staff_group.in_(groups),
                             in_force_clause())
        .options(selectinload(Scheme.items)).order_by(Scheme.id)))


def _staff(groups: Collection[StaffGroup]) -> dict[int, StaffRow]:
    if not groups:
        return {}
    rows = db.session.execute(
        select(Staff.id, Staff.name, Staff.employee_number, Staff.department_id,
               Staff.staff_group, Staff.active)
        .where(Staff.staff_group.in_(groups)).order_by(Staff.id))
    return {row.id: StaffRow(*row) for row in rows}


@dataclass(frozen=True)
class MeasurementRows:
    """The measurement rows of the loaded cycles, one numpy array per column."""

    cycle_id: np.ndarray
    staff_id: np.ndarray
    indicator_id: np.ndarray
    parts: np.ndarray  # (4, rows): PARTS, NaN where the column is NULL

    @classmethod
    def of(cls, rows: list) -> MeasurementRows:
        # One array per column, not a Python object per row: at 800,000 rows the objects
        # were most of the time a whole cycle took to score (benchmarks/README.md).
        columns = list(zip(*rows)) if rows else [()] * 7
        ids = [np.array(column, dtype=np.int64) for column in columns[:3]]
        parts = np.array(columns[3:], dtype=float).reshape(4, len(rows))
        return cls(*ids, parts)


def _measurements(cycle_ids, groups, indicator_ids) -> MeasurementRows:
    if not cycle_ids or not indicator_ids:
        return MeasurementRows.of([])
    query = (select(Measurement.cycle_id, Measurement.staff_id, Measurement.indicator_id,
                    Measurement.numerator, Measurement.denominator, Measurement.value,
                    Measurement.expected)
             .where(Measurement.cycle_id.in_(cycle_ids),
                    Measurement.indicator_id.in_(indicator_ids)))
    if set(groups) != set(StaffGroup):  # else every row is wanted: no join needed
        query = query.join(Measurement.staff).where(Staff.staff_group.in_(groups))
    return MeasurementRows.of(db.session.execute(query).all())


def _measured_inactive(rows: MeasurementRows, staff: Mapping[int, StaffRow]
                       ) -> set[tuple[int, int]]:
    """(cycle id, staff id) of the inactive staff who have measurements there: they are
    scored in those cycles although they have left."""
    inactive = np.array([p.id for p in staff.values() if not p.active], dtype=np.int64)
    hit = np.isin(rows.staff_id, inactive)
    return set(zip(rows.cycle_id[hit].tolist(), rows.staff_id[hit].tolist()))


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

    @cache  # everyone of a group in a department is in the same cohort: work it out once
    def cohort_key(cycle_id: int, group: StaffGroup, department_id: int) -> CohortKey | None:
        department = departments[department_id]
        scheme = scheme_for(by_cycle_group.get((cycle_id, group), ()), department)
        if scheme is None:
            return None
        unit = (comparison_unit(department, departments).id
                if scheme.compare_within_department else None)
        return CohortKey(cycle_id, scheme.id, unit)

    assignment = {}
    for cycle_id in cycle_ids:
        for person in staff.values():
            if not person.active and (cycle_id, person.id) not in measured:
                continue
            key = cohort_key(cycle_id, person.staff_group, person.department_id)
            if key is not None:
                assignment[(cycle_id, person.id)] = key
    return assignment


def _cohorts(schemes, staff, departments, assignment, exemptions) -> dict[CohortKey, Cohort]:
    """Every cohort with its members, exemptions and empty (all-NaN) measurement arrays."""
    schemes_by_id = {s.id: s for s in schemes}
    specs = {s.id: _spec(s) for s in schemes}
    members: dict[CohortKey, list[StaffRow]] = defaultdict(list)
    for (_cycle_id, staff_id), key in sorted(assignment.items(), key=lambda item: item[0]):
        members[key].append(staff[staff_id])
    cohorts = {}
    for key, people in members.items():
        scheme = schemes_by_id[key.scheme_id]
        spec, error = specs[key.scheme_id]
        codes = tuple(item.indicator.code for item in scheme.items)
        exempt = np.zeros((len(codes), len(people)), dtype=bool)
        for i, person in enumerate(people):
            for code in exemptions.get(key.cycle_id, {}).get(person.id, ()):
                if code in codes:
                    exempt[codes.index(code), i] = True
        cohorts[key] = Cohort(
            key=key, scheme=scheme, spec=spec, spec_error=error,
            unit=departments.get(key.unit_id) if key.unit_id else None, members=people,
            codes=codes, data=np.full((len(PARTS), len(codes), len(people)), np.nan),
            exempt=exempt)
    return cohorts


def _fill(cohorts: Mapping[CohortKey, Cohort], assignment, rows: MeasurementRows) -> None:
    """Put every measurement row into its cohort's arrays, with array operations only.

    Each row is mapped to a cohort number and a member position through one lookup table
    indexed by (cycle, staff); rows of people in no cohort are dropped.
    """
    if not cohorts or rows.staff_id.size == 0:
        return
    order = list(cohorts.values())
    number = {cohort.key: n for n, cohort in enumerate(order)}
    cycles = np.unique(rows.cycle_id)
    people = np.unique(rows.staff_id)
    cohort_of = np.full((cycles.size, people.size), -1, dtype=np.int64)
    member_of = np.zeros((cycles.size, people.size), dtype=np.int64)
    pairs = np.array(list(assignment), dtype=np.int64).reshape(-1, 2)
    entries = [(number[key], cohorts[key].rows[staff_id])
               for (_, staff_id), key in assignment.items()]
    c, p = _positions(cycles, pairs[:, 0]), _positions(people, pairs[:, 1])
    found = (c >= 0) & (p >= 0)
    entries = np.array(entries, dtype=np.int64).reshape(-1, 2)[found]
    cohort_of[c[found], p[found]] = entries[:, 0]
    member_of[c[found], p[found]] = entries[:, 1]
    c, p = np.searchsorted(cycles, rows.cycle_id), np.searchsorted(people, rows.staff_id)
    row_cohort, row_member = cohort_of[c, p], member_of[c, p]
    for n, cohort in enumerate(order):
        mine = np.flatnonzero(row_cohort == n)
        _fill_cohort(cohort, row_member[mine], rows.indicator_id[mine], rows.parts[:, mine])


def _fill_cohort(cohort: Cohort, members: np.ndarray, indicator_ids: np.ndarray,
                 parts: np.ndarray) -> None:
    """The rows of one cohort into its arrays; each part only where the indicator's kind
    uses it (a rate its counts, and the expected count only when it is risk-adjusted)."""
    items = cohort.scheme.items
    if not items:
        return
    ids = np.array([item.indicator_id for item in items], dtype=np.int64)
    by_id = np.argsort(ids)
    at = np.minimum(np.searchsorted(ids, indicator_ids, sorter=by_id), ids.size - 1)
    j = by_id[at]
    known = ids[j] == indicator_ids
    cohort.data[:, j[known], members[known]] = parts[:, known]
    is_rate = np.array([item.indicator.kind is IndicatorKind.rate for item in items], dtype=bool)
    adjusted = np.array([item.indicator.risk_adjustable for item in items], dtype=bool)
    for part, used_by in (("numerator", is_rate), ("denominator", is_rate), ("value", ~is_rate),
                          ("expected", is_rate & adjusted)):
        cohort.data[PARTS.index(part), ~used_by] = np.nan


def _positions(sorted_ids: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Where each value is in ``sorted_ids`` (-1 where it is not there)."""
    at = np.minimum(np.searchsorted(sorted_ids, values), sorted_ids.size - 1)
    return np.where(sorted_ids[at] == values, at, -1)


def _spec(scheme: Scheme) -> tuple[SchemeSpec | None, SchemeError | None]:
    try:
        return scheme_spec(scheme), None
    except SchemeError as error:
        return None, error
