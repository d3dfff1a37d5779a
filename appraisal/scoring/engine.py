"""The two entry points: :func:`score_person` and :func:`score_cohort`.

Both are pure functions of their arguments. A "what if" is the same call with a changed
input; a recompute is :func:`score_cohort` over the stored data. Both build the same arrays
and go through the same rules (``indicators``, ``weights``) and the same explanation
(``explain``), a single person being a cohort of one whose group statistics come from the
:class:`GroupData` it is given instead of from the cohort itself.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from appraisal.scoring import stats
from appraisal.scoring.explain import person_score
from appraisal.scoring.funnel import ALARM, NOT_PLOTTED, WARNING, WITHIN, FunnelPlot, FunnelPoint
from appraisal.scoring.indicators import (
    IndicatorColumn,
    MeasurementColumn,
    group_stats,
    score_column,
    validate_column,
)
from appraisal.scoring.inputs import (
    Direction,
    GroupData,
    Kind,
    MeasurementError,
    MeasurementInput,
    SchemeSpec,
)
from appraisal.scoring.results import GroupStats, Outlier, OutlierLevel, PersonScore
from appraisal.scoring.weights import Combined, combine

_MISSING = (None, None, None, None)
_SELF = object()  # the person's own entry in a group when the caller gave no key


def score_person(
    scheme: SchemeSpec,
    measurements: Mapping[str, MeasurementInput],
    groups: Mapping[str, GroupData],
    exemptions: Collection[str] = frozenset(),
    person_key: Hashable | None = None,
) -> PersonScore:
    """Score one person with every step explained.

    ``measurements`` and ``exemptions`` are keyed by indicator code (codes not in the scheme
    are ignored). ``groups`` holds the comparison group of each rate indicator. The person's
    own entry in a group (found by ``person_key``; without a key the groups must not contain
    the person) is replaced by their measurement, so a "what if" moves the group rate too.
    A rate indicator without a group is compared with the person alone.
    """
    columns = _measurement_columns(scheme, [measurements], [exemptions])
    for spec in scheme.indicators:
        _validate(spec, columns[spec.code], (person_key,))
    group_of = {
        spec.code: _person_group(
            scheme, spec, groups.get(spec.code), columns[spec.code], person_key
        )
        for spec in scheme.indicators
        if spec.kind is Kind.rate
    }
    return _score(scheme, columns, group_of, 1, (person_key,)).person_at(0, person_key)


def score_cohort(
    scheme: SchemeSpec,
    measurements: Mapping[Hashable, Mapping[str, MeasurementInput]],
    exemptions: Mapping[Hashable, Collection[str]] | None = None,
) -> CohortScore:
    """Score everyone of one comparison group in one pass.

    ``measurements``: person key -> indicator code -> measurement; everyone in it forms the
    comparison group of every rate indicator (for a scheme narrowed to the department, call
    once per department). Group statistics are computed once per indicator.
    """
    keys = tuple(measurements)
    exemptions = exemptions or {}
    columns = _measurement_columns(
        scheme, [measurements[k] for k in keys], [exemptions.get(k, ()) for k in keys]
    )
    return score_columns(scheme, keys, columns)


def score_columns(
    scheme: SchemeSpec,
    keys: Sequence[Hashable],
    columns: Mapping[str, MeasurementColumn],
) -> CohortScore:
    """:func:`score_cohort` for input that is already columnar: one :class:`MeasurementColumn`
    per indicator code of the scheme, entry ``i`` of every array belonging to ``keys[i]``.

    A loader that reads a whole cycle fills these arrays straight from the database rows,
    so no per-measurement object is built; a column of all-NaN is "no data".
    """
    keys = tuple(keys)
    for spec in scheme.indicators:
        _validate(spec, columns[spec.code], keys)
    group_of = {
        spec.code: _cohort_group(scheme, spec, columns[spec.code])
        for spec in scheme.indicators
        if spec.kind is Kind.rate
    }
    return _score(scheme, columns, group_of, len(keys), keys)


@dataclass(frozen=True)
class CohortScore:
    """Scores of a whole group as arrays; a person's explained score is built on request."""

    scheme: SchemeSpec
    keys: tuple[Hashable, ...]
    columns: tuple[IndicatorColumn, ...]
    combined: Combined
    _rows: dict[Hashable, int] = field(repr=False)

    def person(self, key: Hashable) -> PersonScore:
        """The explained score of one person (KeyError for an unknown key)."""
        return self.person_at(self._rows[key], key)

    def person_at(self, row: int, key: Hashable) -> PersonScore:
        return person_score(self.scheme, self.columns, self.combined, row, key)

    def people(self) -> Iterator[PersonScore]:
        """Every explained score, in input order (building them all takes a while)."""
        return (self.person_at(row, key) for row, key in enumerate(self.keys))

    def overall(self) -> dict[Hashable, float | None]:
        """Each person's quantitative score (None where there is none), without explanations."""
        return {
            key: (None if np.isnan(value) else float(value))
            for key, value in zip(self.keys, self.combined.overall, strict=True)
        }

    @property
    def groups(self) -> dict[str, GroupStats]:
        """The comparison-group statistics of each rate indicator."""
        return {c.spec.code: c.group for c in self.columns if c.group is not None}

    def funnel(self, code: str) -> FunnelPlot:
        """The funnel plot of one rate indicator: every counted member of the group."""
        column = self._column(code)
        rows = np.flatnonzero(column.funnel.level != NOT_PLOTTED)
        return FunnelPlot(
            column.group.rate,
            column.group.phi,
            column.group.tau2,
            self._funnel_points(column, rows),
            risk_adjusted=column.funnel.risk_adjusted,
        )

    def outliers(self, level: OutlierLevel = OutlierLevel.alarm) -> list[Outlier]:
        """Everyone at ``level`` or beyond on any rate indicator (alarms by default)."""
        lowest = {
            OutlierLevel.within: WITHIN,
            OutlierLevel.warning: WARNING,
            OutlierLevel.alarm: ALARM,
        }[OutlierLevel(level)]
        return [
            Outlier(column.spec.code, point.key, point.position)
            for column in self.columns
            if column.funnel is not None
            for point in self._funnel_points(column, np.flatnonzero(column.funnel.level >= lowest))
        ]

    def _funnel_points(self, column: IndicatorColumn, rows: np.ndarray) -> tuple[FunnelPoint, ...]:
        lower_is_better = column.spec.direction is Direction.lower_is_better
        return tuple(
            FunnelPoint(self.keys[row], column.funnel.position(row, lower_is_better))
            for row in rows
        )

    def _column(self, code: str) -> IndicatorColumn:
        for column in self.columns:
            if column.spec.code == code and column.funnel is not None:
                return column
        raise KeyError(code)


def _score(scheme, columns, group_of, people, keys) -> CohortScore:
    scored = tuple(
        score_column(spec, scheme.minimum_for(spec), columns[spec.code], group_of.get(spec.code))
        for spec in scheme.indicators
    )
    combined = combine(scheme, scored, people)
    return CohortScore(scheme, tuple(keys), scored, combined, {k: i for i, k in enumerate(keys)})


def _measurement_columns(
    scheme: SchemeSpec,
    rows: Sequence[Mapping[str, MeasurementInput]],
    exemptions: Sequence[Collection[str]],
) -> dict[str, MeasurementColumn]:
    """Person-major input to one column per indicator (None becomes NaN), not yet validated."""
    index = {spec.code: j for j, spec in enumerate(scheme.indicators)}
    values = [[_MISSING] * len(rows) for _ in index]
    exempt = np.zeros((len(index), len(rows)), dtype=bool)
    for row, (measurements, exempted) in enumerate(zip(rows, exemptions, strict=True)):
        for code, m in measurements.items():
            if code in index:
                values[index[code]][row] = (m.numerator, m.denominator, m.value, m.expected)
        for code in exempted:
            if code in index:
                exempt[index[code], row] = True
    data = np.array(values, dtype=float).reshape(len(index), len(rows), 4)
    columns = {}
    for spec in scheme.indicators:
        j = index[spec.code]
        columns[spec.code] = MeasurementColumn(
            *(data[j, :, part] for part in range(4)), exempt=exempt[j]
        )
    return columns


def _validate(spec, column: MeasurementColumn, keys: Sequence[Hashable]) -> None:
    try:
        validate_column(spec, column)
    except MeasurementError as error:
        row = error.params.pop("row")
        raise MeasurementError(error.code, person=keys[row], **error.params) from None


def _cohort_group(scheme: SchemeSpec, spec, column: MeasurementColumn) -> GroupStats:
    counted = column.counted(scheme.minimum_for(spec))
    return group_stats(
        column.numerator[counted], column.denominator[counted], scheme.funnel_overdispersion
    )


def _person_group(
    scheme, spec, group: GroupData | None, column: MeasurementColumn, person_key: Hashable | None
) -> GroupStats:
    members = dict(group.members) if group is not None else {}
    own_key = _SELF if person_key is None else person_key
    members.pop(own_key, None)
    minimum = scheme.minimum_for(spec)
    if column.counted(minimum)[0]:
        members[own_key] = (column.numerator[0], column.denominator[0])
    counted = [(y, n) for y, n in members.values() if n is not None and n >= minimum]
    events, totals = stats._as_counts([y for y, _ in counted], [n for _, n in counted])
    return group_stats(events, totals, scheme.funnel_overdispersion)
