"""A department's results for a cycle and a staff group: the staff x indicator table, the
funnel plots of its rate indicators, and the trend against earlier cycles.

Everything is computed in Python from one ``loading.load`` snapshot, so the page costs the
same number of statements for 10 staff or 500. Each cohort is scored once by the core.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from appraisal.indicators.models import Indicator, IndicatorKind
from appraisal.org.models import Department, StaffGroup
from appraisal.scorecards.loading import Cohort, Snapshot, StaffRow
from appraisal.scoring import CohortScore, FunnelPlot, ScoringError, Status
from appraisal.scoring.indicators import STATUSES

TREND_CYCLES = 5  # earlier cycles shown next to the current one


@dataclass(frozen=True)
class Cell:
    """One staff member's result on one indicator."""

    score: float | None
    status: Status
    alarm: bool = False


@dataclass
class StaffResult:
    """One row of the staff x indicator table."""

    staff: StaffRow
    department: Department
    cohort: Cohort | None
    overall: float | None = None
    cells: dict[str, Cell] = field(default_factory=dict)
    problem: str | None = None  # why there is no score (no scheme, unscorable data)

    @property
    def alarm_count(self) -> int:
        return sum(1 for cell in self.cells.values() if cell.alarm)


@dataclass(frozen=True)
class FunnelRow:
    """One department member on a funnel plot (the accessible table beside the chart)."""

    staff: StaffRow
    position: object  # scoring.FunnelPosition


@dataclass(frozen=True)
class Funnel:
    """A rate indicator's funnel plot for one cohort, with the department's members."""

    ident: str
    cohort: Cohort
    indicator: Indicator
    plot: FunnelPlot
    labels: dict[int, str]
    rows: list[FunnelRow]

    @property
    def others(self) -> int:
        return len(self.plot.points) - len(self.rows)


@dataclass
class TrendPoint:
    """One cycle of the trend: the department's average score and rates."""

    cycle: object
    average: float | None
    scored: int
    rates: dict[str, tuple[float | None, float | None]]  # code -> (department, group)


@dataclass
class DepartmentResults:
    """Everything the department page shows for one cycle and staff group."""

    department: Department
    group: StaffGroup
    indicators: list[Indicator]
    rows: list[StaffResult]
    funnels: list[Funnel]
    trend: list[TrendPoint]
    errors: list[tuple[str, ScoringError]]

    @property
    def average(self) -> float | None:
        return _mean([r.overall for r in self.rows])

    @property
    def rate_indicators(self) -> list[Indicator]:
        return [i for i in self.indicators if i.kind is IndicatorKind.rate]


def department_results(snapshot: Snapshot, cycles: list, department: Department,
                       group: StaffGroup, alarms: set[tuple[int, str]]) -> DepartmentResults:
    """The results of ``department``'s ``group`` in ``cycles[-1]``, with the trend over all."""
    cycle = cycles[-1]
    staff = [s for s in snapshot.staff_within(department) if s.staff_group is group]
    scores, errors = _scores(snapshot, cycle.id, staff)
    rows = [_row(snapshot, cycle.id, person, scores, alarms) for person in staff]
    rows = [r for r in rows if r.staff.active or r.cohort is not None]
    indicators = _columns(r.cohort for r in rows)
    funnels = _funnels(rows, scores)
    trend = [_trend_point(snapshot, c, staff, indicators) for c in cycles]
    return DepartmentResults(department, group, indicators, rows, funnels, trend, errors)


def _scores(snapshot: Snapshot, cycle_id: int, staff: list[StaffRow]):
    """Each involved cohort scored once: {key: (score, staff id -> row)}, and the failures."""
    scores: dict[object, tuple[CohortScore, dict[int, int]]] = {}
    errors, failed = [], set()
    for person in staff:
        cohort = snapshot.cohort_of(cycle_id, person.id)
        if cohort is None or cohort.key in scores or cohort.key in failed:
            continue
        try:
            score = cohort.score()
        except ScoringError as error:
            failed.add(cohort.key)
            errors.append((cohort.scheme.name, error))
            continue
        scores[cohort.key] = (score, {key: i for i, key in enumerate(score.keys)})
    return scores, errors


def _row(snapshot: Snapshot, cycle_id: int, person: StaffRow, scores, alarms) -> StaffResult:
    cohort = snapshot.cohort_of(cycle_id, person.id)
    row = StaffResult(person, snapshot.departments[person.department_id], cohort)
    if cohort is None:
        row.problem = "no_scheme"
        return row
    if cohort.key not in scores:
        row.problem = "error"
        return row
    score, rows = scores[cohort.key]
    index = rows[person.id]
    overall = score.combined.overall[index]
    row.overall = None if math.isnan(overall) else float(overall)
    for column in score.columns:
        value = float(column.score[index])
        code = column.spec.code
        row.cells[code] = Cell(None if math.isnan(value) else value,
                               STATUSES[column.status[index]], (person.id, code) in alarms)
    return row


def _columns(cohorts) -> list[Indicator]:
    seen: dict[int, Indicator] = {}
    for cohort in cohorts:
        if cohort is not None:
            for indicator in cohort.indicators:
                seen.setdefault(indicator.id, indicator)
    return list(seen.values())


def _funnels(rows: list[StaffResult], scores) -> list[Funnel]:
    funnels = []
    by_cohort: dict[object, list[StaffResult]] = {}
    for row in rows:
        if row.cohort is not None and row.cohort.key in scores:
            by_cohort.setdefault(row.cohort.key, []).append(row)
    for number, (key, members) in enumerate(by_cohort.items()):
        cohort, score = members[0].cohort, scores[key][0]
        for indicator in cohort.indicators:
            if indicator.kind is not IndicatorKind.rate:
                continue
            funnel = _funnel(f"funnel-{number}-{indicator.id}", cohort, score, indicator,
                             members)
            if funnel is not None:
                funnels.append(funnel)
    return funnels


def _funnel(ident, cohort, score: CohortScore, indicator, members) -> Funnel | None:
    try:
        plot = score.funnel(indicator.code)
    except KeyError:
        return None
    if not plot.points:
        return None
    ours = {row.staff.id: row.staff for row in members}
    rows = [FunnelRow(ours[p.key], p.position) for p in plot.points if p.key in ours]
    order = {"alarm": 0, "warning": 1, "within": 2}
    rows.sort(key=lambda r: (order[str(r.position.level)], r.staff.name.casefold()))
    return Funnel(ident, cohort, indicator, plot, {k: s.name for k, s in ours.items()}, rows)


def _trend_point(snapshot: Snapshot, cycle, staff: list[StaffRow], indicators) -> TrendPoint:
    overall, cohorts, totals = [], {}, {}
    for person in staff:
        cohort = snapshot.cohort_of(cycle.id, person.id)
        if cohort is None:
            continue
        if cohort.key not in cohorts:
            cohorts[cohort.key] = cohort
            try:
                totals[cohort.key] = cohort.score().overall()
            except ScoringError:
                totals[cohort.key] = {}
        overall.append(totals[cohort.key].get(person.id))
    ours = {person.id for person in staff}
    rates = {i.code: (_pooled(cohorts.values(), i, ours), _pooled(cohorts.values(), i, None))
             for i in indicators if i.kind is IndicatorKind.rate}
    scored = [value for value in overall if value is not None]
    return TrendPoint(cycle, _mean(scored), len(scored), rates)


def _pooled(cohorts, indicator: Indicator, only: set[int] | None) -> float | None:
    """Events / cases over the counted members (the department's, or the whole group's)."""
    events = cases = 0.0
    for cohort in cohorts:
        spec = next((s for s in (cohort.spec.indicators if cohort.spec else ())
                     if s.code == indicator.code), None)
        if spec is None:
            continue
        numerator = cohort.values_of(indicator.code, "numerator")
        denominator = cohort.values_of(indicator.code, "denominator")
        counted = ~np.isnan(numerator) & (denominator >= cohort.spec.minimum_for(spec))
        if only is not None:
            counted &= np.array([person.id in only for person in cohort.members], dtype=bool)
        events += float(numerator[counted].sum())
        cases += float(denominator[counted].sum())
    return events / cases if cases else None


def _mean(values) -> float | None:
    values = [v for v in values if v is not None]
    return sum(values) / len(values) if values else None


# -- sorting ------------------------------------------------------------------------------------
def sort_rows(rows: list[StaffResult], sort: str) -> list[StaffResult]:
    """Sort by "name", "overall" or an indicator code, "-" first for descending; rows without
    a value always come last."""
    descending = sort.startswith("-")
    key = sort.lstrip("-") or "name"
    if key == "name":
        return sorted(rows, key=lambda r: (r.staff.name.casefold(), r.staff.id),
                      reverse=descending)
    value = (lambda r: r.overall) if key == "overall" else (
        lambda r: r.cells[key].score if key in r.cells else None)
    present = [r for r in rows if value(r) is not None]
    missing = [r for r in rows if value(r) is None]
    present.sort(key=lambda r: (value(r), r.staff.name.casefold()), reverse=descending)
    missing.sort(key=lambda r: r.staff.name.casefold())
    return present + missing
