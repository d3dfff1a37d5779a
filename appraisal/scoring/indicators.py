"""The per-indicator rules (SPEC Scoring 1-4 and 13), one indicator column at a time.

Every function works on numpy arrays holding one entry per person, so one person (a "what
if") and a whole cohort go through exactly the same code; a single person is a column of one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from appraisal.scoring import stats
from appraisal.scoring.funnel import FunnelArrays, funnel_arrays
from appraisal.scoring.inputs import (
    BreachWhen,
    IndicatorSpec,
    Kind,
    MeasurementError,
    RedLine,
)
from appraisal.scoring.results import GroupStats, Status

SMR_COVERAGE = 0.95

# Status codes inside arrays; STATUSES turns them back into the enum.
SCORED, EXEMPT, NO_DATA, INSUFFICIENT = range(4)
STATUSES = (Status.scored, Status.exempt, Status.no_data, Status.insufficient_evidence)


@dataclass(frozen=True)
class MeasurementColumn:
    """One indicator's measurements for many people (NaN = not supplied)."""

    numerator: np.ndarray
    denominator: np.ndarray
    value: np.ndarray
    expected: np.ndarray
    exempt: np.ndarray

    def counted(self, minimum: int) -> np.ndarray:
        """Rates that are evidence: both parts present and the denominator at the minimum."""
        return ~np.isnan(self.numerator) & (self.denominator >= minimum)


@dataclass(frozen=True)
class IndicatorColumn:
    """Everything the rules produced for one indicator, one entry per person."""

    spec: IndicatorSpec
    minimum: int
    measurement: MeasurementColumn
    status: np.ndarray
    raw: np.ndarray
    adjusted: np.ndarray
    smr: tuple[np.ndarray, np.ndarray, np.ndarray]
    measured: np.ndarray  # adjusted where risk-adjusted, else raw: what red lines and funnels see
    shrunk: np.ndarray
    credibility: np.ndarray
    used: np.ndarray
    unclamped: np.ndarray
    score: np.ndarray
    breached: np.ndarray
    group: GroupStats | None
    funnel: FunnelArrays | None


def linear_score(value, threshold: float, target: float):
    """Rule 1: 0 at the threshold, 100 at the target, linear between; (unclamped, clamped).
    Dividing by ``target - threshold`` makes the direction follow from their order."""
    with np.errstate(over="ignore"):  # a near-zero target - threshold: +/-inf, clamped below
        unclamped = (np.asarray(value, dtype=float) - threshold) / (target - threshold) * 100.0
    return unclamped, np.clip(unclamped, 0.0, 100.0)


def red_line_breached(red_line: RedLine | None, value: np.ndarray) -> np.ndarray:
    """Rule 4: which values cross the red line (NaN never does)."""
    if red_line is None:
        return np.zeros(value.shape, dtype=bool)
    if red_line.breach_when is BreachWhen.above:
        return value > red_line.limit
    return value < red_line.limit


def group_stats(events: np.ndarray, totals: np.ndarray, overdispersion: bool) -> GroupStats:
    """Rule 2's prior (pbar, rho) and rule 13's over-dispersion, from the counted members."""
    if events.size == 0:
        return GroupStats(size=0, rate=float("nan"), rho=0.0)
    rate, rho = stats._shrinkage_prior(events, totals)
    if overdispersion and 0.0 < rate < 1.0:
        phi, tau2 = stats._overdispersion(events, totals, rate)
        return GroupStats(events.size, rate, rho, phi, tau2)
    return GroupStats(events.size, rate, rho)


def score_column(
    spec: IndicatorSpec, minimum: int, column: MeasurementColumn, group: GroupStats | None
) -> IndicatorColumn:
    """Apply rules 1-4 (and the funnel position) to one indicator column.
    The column must have passed :func:`validate_column`."""
    if spec.kind is Kind.rate:
        return _score_rate_column(spec, minimum, column, group)
    return _score_value_column(spec, minimum, column)


def _score_rate_column(
    spec: IndicatorSpec, minimum: int, column: MeasurementColumn, group: GroupStats
) -> IndicatorColumn:
    counted = column.counted(minimum)
    status = _status(column.exempt, ~np.isnan(column.numerator), counted)
    with np.errstate(divide="ignore", invalid="ignore"):
        raw = column.numerator / column.denominator
    adjusted, smr = _risk_adjust(column, group.rate)
    measured = np.where(np.isnan(adjusted), raw, adjusted)
    scored = status == SCORED
    credibility = np.where(
        scored, stats.credibility(np.where(scored, column.denominator, 1.0), group.rho), np.nan
    )
    shrunk = credibility * measured + (1.0 - credibility) * group.rate
    used, unclamped, score, breached = _apply_score(spec, status, shrunk, measured)
    return IndicatorColumn(
        spec=spec,
        minimum=minimum,
        measurement=column,
        status=status,
        raw=raw,
        adjusted=adjusted,
        smr=smr,
        measured=measured,
        shrunk=shrunk,
        credibility=credibility,
        used=used,
        unclamped=unclamped,
        score=score,
        breached=breached,
        group=group,
        funnel=funnel_arrays(measured, column.denominator, counted, group.rate, group.tau2,
                             expected=np.where(np.isnan(adjusted), np.nan, column.expected)),
    )


def _score_value_column(
    spec: IndicatorSpec, minimum: int, column: MeasurementColumn
) -> IndicatorColumn:
    present = ~np.isnan(column.value)
    status = _status(column.exempt, present, present)
    nothing = np.full(status.shape, np.nan)
    used, unclamped, score, breached = _apply_score(spec, status, column.value, column.value)
    return IndicatorColumn(
        spec=spec,
        minimum=minimum,
        measurement=column,
        status=status,
        raw=column.value,
        adjusted=nothing,
        smr=(nothing, nothing, nothing),
        measured=column.value,
        shrunk=nothing,
        credibility=nothing,
        used=used,
        unclamped=unclamped,
        score=score,
        breached=breached,
        group=None,
        funnel=None,
    )


def _apply_score(
    spec: IndicatorSpec, status: np.ndarray, estimate: np.ndarray, measured: np.ndarray
) -> tuple[np.ndarray, ...]:
    """Score the estimate of every included row; red lines look at the measured value,
    because a red line is about what happened, not about an estimate of it."""
    scored = status == SCORED
    used = np.where(scored, estimate, np.nan)
    unclamped, score = linear_score(used, spec.threshold, spec.target)
    return used, unclamped, score, scored & red_line_breached(spec.red_line, measured)


def _status(exempt: np.ndarray, present: np.ndarray, enough: np.ndarray) -> np.ndarray:
    # Order matters: an exemption wins over missing data, missing data over too little.
    return np.select([exempt, ~present, ~enough], [EXEMPT, NO_DATA, INSUFFICIENT], SCORED)


def _risk_adjust(column: MeasurementColumn, group_rate: float):
    """Rule 3: rate = O/E x group rate, and the exact Poisson CI of O/E, where E is given."""
    adjust = ~np.isnan(column.expected) & ~np.isnan(column.numerator)
    ratio, lower, upper = (np.full(adjust.shape, np.nan) for _ in range(3))
    observed, expected = column.numerator[adjust], column.expected[adjust]
    ratio[adjust] = observed / expected
    lower[adjust], upper[adjust] = stats._poisson_ratio_limits(observed, expected, SMR_COVERAGE)
    return ratio * group_rate, (ratio, lower, upper)


def validate_column(spec: IndicatorSpec, column: MeasurementColumn) -> None:
    """Refuse measurements that cannot be scored; the error names the first bad row."""
    if spec.kind is Kind.rate:
        _refuse(spec, "incomplete_rate", np.isnan(column.numerator) != np.isnan(column.denominator))
        _refuse(spec, "negative", (column.numerator < 0) | (column.denominator < 0))
        _refuse(spec, "not_whole", _fractional(column.numerator) | _fractional(column.denominator))
        _refuse(spec, "numerator_exceeds_denominator", column.numerator > column.denominator)
        has_expected = ~np.isnan(column.expected)
        if not spec.risk_adjustable:
            _refuse(spec, "expected_not_allowed", has_expected)
        _refuse(spec, "expected_not_positive", has_expected & ~(column.expected > 0))
    else:
        _refuse(spec, "not_finite", np.isinf(column.value))
        if spec.kind is Kind.count:
            _refuse(spec, "negative", column.value < 0)


def _refuse(spec: IndicatorSpec, code: str, bad: np.ndarray) -> None:
    if bad.any():
        raise MeasurementError(code, indicator=spec.code, row=int(np.argmax(bad)))


def _fractional(counts: np.ndarray) -> np.ndarray:
    return ~np.isnan(counts) & (counts != np.floor(counts))
