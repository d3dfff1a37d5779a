"""Turn one row of the scoring arrays into a :class:`PersonScore` with its steps.

Only here do numpy numbers become plain Python values, and only here are the steps written,
so a person scored alone and the same person scored in a cohort explain themselves alike.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence

from appraisal.scoring.funnel import ALARM_COVERAGE, WARNING_COVERAGE
from appraisal.scoring.indicators import (
    EXEMPT,
    INSUFFICIENT,
    NO_DATA,
    SMR_COVERAGE,
    STATUSES,
    IndicatorColumn,
)
from appraisal.scoring.inputs import Direction, Kind, SchemeSpec
from appraisal.scoring.results import (
    DimensionScore,
    FunnelPosition,
    IndicatorResult,
    OutlierLevel,
    PersonScore,
    PersonStatus,
    SmrInterval,
    Step,
    StepCode,
)
from appraisal.scoring.weights import Combined


def person_score(
    scheme: SchemeSpec,
    columns: Sequence[IndicatorColumn],
    combined: Combined,
    row: int,
    key: Hashable,
) -> PersonScore:
    """The explained score of the person in ``row``."""
    indicators = tuple(_indicator_result(c, combined, row, j) for j, c in enumerate(columns))
    breaches = tuple(result.code for result in indicators if result.red_line_breached)
    cap = scheme.cap_grade if breaches else None
    overall = _number(combined.overall[row])
    return PersonScore(
        key=key,
        status=PersonStatus.scored if overall is not None else PersonStatus.no_quantitative_score,
        overall=overall,
        indicators=indicators,
        dimensions=_dimensions(scheme, combined, row),
        red_line_breaches=breaches,
        grade_cap=cap,
        steps=_person_steps(combined, row, indicators, overall, breaches, cap),
    )


def _indicator_result(
    column: IndicatorColumn, combined: Combined, row: int, index: int
) -> IndicatorResult:
    spec = column.spec
    funnel = None
    if column.funnel is not None:
        funnel = column.funnel.position(row, spec.direction is Direction.lower_is_better)
    return IndicatorResult(
        code=spec.code,
        dimension=spec.dimension,
        status=STATUSES[column.status[row]],
        weight=spec.weight,
        share=float(combined.share[row, index]),
        contribution=float(combined.contribution[row, index]),
        raw=_number(column.raw[row]),
        adjusted=_number(column.adjusted[row]),
        shrunk=_number(column.shrunk[row]),
        used=_number(column.used[row]),
        score=_number(column.score[row]),
        smr=_smr(column, row),
        red_line_breached=bool(column.breached[row]),
        funnel=funnel,
        steps=_indicator_steps(column, row) + _funnel_steps(funnel),
    )


def _smr(column: IndicatorColumn, row: int) -> SmrInterval | None:
    ratio, lower, upper = (float(part[row]) for part in column.smr)
    if math.isnan(ratio):
        return None
    return SmrInterval(ratio, lower, upper, SMR_COVERAGE)


def _indicator_steps(column: IndicatorColumn, row: int) -> tuple[Step, ...]:
    status = column.status[row]
    if status == EXEMPT:
        return (_step(StepCode.exempt),)
    if status == NO_DATA:
        return (_step(StepCode.no_data),)
    if status == INSUFFICIENT:
        denominator = float(column.measurement.denominator[row])
        return (
            _step(StepCode.insufficient_evidence, denominator=denominator, minimum=column.minimum),
        )
    if column.spec.kind is Kind.rate:
        steps = _rate_steps(column, row)
    else:
        steps = [_step(StepCode.value, value=float(column.raw[row]))]
    return tuple(steps + _score_steps(column, row))


def _rate_steps(column: IndicatorColumn, row: int) -> list[Step]:
    measurement, group = column.measurement, column.group
    numerator = float(measurement.numerator[row])
    steps = [
        _step(
            StepCode.rate,
            numerator=numerator,
            denominator=float(measurement.denominator[row]),
            rate=float(column.raw[row]),
        )
    ]
    if not math.isnan(column.adjusted[row]):
        ratio, lower, upper = (float(part[row]) for part in column.smr)
        steps.append(
            _step(
                StepCode.risk_adjusted,
                observed=numerator,
                expected=float(measurement.expected[row]),
                smr=ratio,
                smr_lower=lower,
                smr_upper=upper,
                coverage=SMR_COVERAGE,
                group_rate=group.rate,
                adjusted_rate=float(column.adjusted[row]),
            )
        )
    steps.append(
        _step(
            StepCode.shrunk,
            rate=float(column.measured[row]),
            group_rate=group.rate,
            group_size=group.size,
            rho=group.rho,
            prior_size=group.prior_size,
            credibility=float(column.credibility[row]),
            shrunk_rate=float(column.shrunk[row]),
        )
    )
    return steps


def _score_steps(column: IndicatorColumn, row: int) -> list[Step]:
    spec = column.spec
    unclamped, score = float(column.unclamped[row]), float(column.score[row])
    steps = [
        _step(
            StepCode.scored,
            value=float(column.used[row]),
            threshold=spec.threshold,
            target=spec.target,
            direction=spec.direction.value,
            score=unclamped,
        )
    ]
    if unclamped != score:
        steps.append(_step(StepCode.clamped, unclamped=unclamped, score=score))
    if column.breached[row]:
        steps.append(
            _step(
                StepCode.red_line_breached,
                value=float(column.measured[row]),
                limit=spec.red_line.limit,
                breach_when=spec.red_line.breach_when.value,
            )
        )
    return steps


def _funnel_steps(funnel: FunnelPosition | None) -> tuple[Step, ...]:
    if funnel is None or funnel.level is OutlierLevel.within:
        return ()
    if funnel.level is OutlierLevel.alarm:
        code, lower, upper = StepCode.outlier_alarm, funnel.lower998, funnel.upper998
        coverage = ALARM_COVERAGE
    else:
        code, lower, upper = StepCode.outlier_warning, funnel.lower95, funnel.upper95
        coverage = WARNING_COVERAGE
    return (
        _step(
            code,
            rate=funnel.rate,
            n=funnel.n,
            theta0=funnel.theta0,
            lower=lower,
            upper=upper,
            coverage=coverage,
            side=funnel.side,
            unfavourable=funnel.unfavourable,
            expected=funnel.expected,
        ),
    )


def _dimensions(scheme: SchemeSpec, combined: Combined, row: int) -> tuple[DimensionScore, ...]:
    return tuple(
        DimensionScore(
            dimension=dimension,
            score=_number(combined.dimension_score[row, d]),
            share=float(combined.dimension_share[row, d]),
            contribution=float(combined.dimension_contribution[row, d]),
        )
        for d, dimension in enumerate(scheme.dimensions)
    )


def _person_steps(combined, row, indicators, overall, breaches, cap) -> tuple[Step, ...]:
    total_weight = float(combined.weights.sum())
    included_weight = float(combined.included_weight[row])
    excluded = tuple(result.code for result in indicators if not result.included)
    if overall is None:
        steps = [_step(StepCode.no_quantitative_score, excluded=excluded)]
    else:
        steps = [
            _step(StepCode.weighted_mean, score=overall, included=len(indicators) - len(excluded))
        ]
        if included_weight < total_weight:
            steps.insert(
                0,
                _step(
                    StepCode.renormalised,
                    included_weight=included_weight,
                    total_weight=total_weight,
                    excluded=excluded,
                ),
            )
    if breaches:
        steps.append(_step(StepCode.red_line_breached, indicators=breaches, cap_grade=cap))
    return tuple(steps)


def _step(code: StepCode, **params) -> Step:
    return Step(code, params)


def _number(value) -> float | None:
    value = float(value)
    return None if math.isnan(value) else value
