"""A person's scorecard as the page shows it, and the same scorecard with changed inputs.

Both come from one ``score_cohort`` call on the person's comparison group (see ``loading``):
the real scorecard on the stored data, a "what if" on a plain copy where only this person's
inputs are replaced. Nothing here writes to the database.
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Mapping
from dataclasses import dataclass

import numpy as np

from appraisal.core.i18n import lazy_gettext as _l
from appraisal.cycles.models import SchemeIndicator
from appraisal.indicators.models import Dimension, Indicator, IndicatorKind
from appraisal.scorecards.explain import sentences
from appraisal.scorecards.loading import Cohort
from appraisal.scoring import (
    DimensionScore,
    IndicatorResult,
    MeasurementInput,
    PersonScore,
    Status,
)


class LineStatus(enum.Enum):
    """What the scorecard says about an indicator (the core's status, plus open disputes)."""

    counted = "counted"
    insufficient_evidence = "insufficient_evidence"
    exempt = "exempt"
    disputed = "disputed"
    no_data = "no_data"

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self])

    @property
    def tag(self) -> str:
        return STATUS_TAGS[self]


STATUS_LABELS = {
    LineStatus.counted: _l("Counted"),
    LineStatus.insufficient_evidence: _l("Insufficient evidence"),
    LineStatus.exempt: _l("Exempt"),
    LineStatus.disputed: _l("Disputed"),
    LineStatus.no_data: _l("No data"),
}
STATUS_TAGS = {
    LineStatus.counted: "tag-ok",
    LineStatus.insufficient_evidence: "tag-warn",
    LineStatus.exempt: "tag",
    LineStatus.disputed: "tag-warn",
    LineStatus.no_data: "tag-bad",
}
CORE_STATUS = {
    Status.scored: LineStatus.counted,
    Status.insufficient_evidence: LineStatus.insufficient_evidence,
    Status.exempt: LineStatus.exempt,
    Status.no_data: LineStatus.no_data,
}


@dataclass(frozen=True)
class Line:
    """One indicator of the scorecard."""

    item: SchemeIndicator
    result: IndicatorResult
    status: LineStatus
    group_value: float | None
    inputs: MeasurementInput | None
    names: Mapping[str, str]

    @property
    def explanation(self) -> list[str]:
        """The steps as sentences, in the reader's language (written when shown)."""
        return sentences(self.result.steps, self.item.indicator, self.names)

    @property
    def indicator(self) -> Indicator:
        return self.item.indicator

    @property
    def is_rate(self) -> bool:
        return self.indicator.kind is IndicatorKind.rate

    @property
    def counts(self) -> bool:
        return self.result.included


@dataclass(frozen=True)
class DimensionLine:
    """A balanced-scorecard dimension's subtotal."""

    dimension: Dimension
    score: DimensionScore

    @property
    def label(self) -> str:
        return self.dimension.label


@dataclass(frozen=True)
class Card:
    """A person's quantitative scorecard for one cycle."""

    person: PersonScore
    lines: list[Line]
    dimensions: list[DimensionLine]
    names: dict[str, str]

    @property
    def explanation(self) -> list[str]:
        return sentences(self.person.steps, None, self.names)

    @property
    def overall(self) -> float | None:
        return self.person.overall

    @property
    def contribution_sum(self) -> float:
        return sum(line.result.contribution for line in self.lines)

    @property
    def breaches(self) -> list[str]:
        return [self.names.get(code, code) for code in self.person.red_line_breaches]

    def line(self, code: str) -> Line:
        return next(line for line in self.lines if line.indicator.code == code)


def scorecard(cohort: Cohort, staff_id: int, disputed: Collection[str] = ()) -> Card:
    """The person's scorecard from their cohort (raises the core's ``ScoringError``)."""
    return _card(cohort, cohort.score().person(staff_id), staff_id, disputed)


def what_if(cohort: Cohort, staff_id: int, measurements: Mapping[str, MeasurementInput],
            exempted: Collection[str], disputed: Collection[str] = ()) -> Card:
    """The scorecard with this person's inputs replaced, group and all, never saved."""
    simulated = cohort.with_inputs(staff_id, measurements, exempted)
    return _card(simulated, simulated.score().person(staff_id), staff_id, disputed)


def _card(cohort: Cohort, person: PersonScore, staff_id: int, disputed) -> Card:
    names = {item.indicator.code: item.indicator.name for item in cohort.scheme.items}
    score = cohort.score()
    inputs = cohort.inputs_of(staff_id)
    lines = []
    for item in cohort.scheme.items:
        code = item.indicator.code
        result = person.indicator(code)
        lines.append(Line(
            item=item, result=result, status=_status(result, code in disputed),
            group_value=_group_value(cohort, score, item.indicator),
            inputs=inputs.get(code), names=names))
    dimensions = [DimensionLine(Dimension(d.dimension), d) for d in person.dimensions]
    return Card(person, lines, dimensions, names)


def _status(result: IndicatorResult, disputed: bool) -> LineStatus:
    if result.status is not Status.exempt and disputed:
        return LineStatus.disputed
    return CORE_STATUS[result.status]


def _group_value(cohort: Cohort, score, indicator: Indicator) -> float | None:
    """The comparison group's rate (pooled, as the core estimated it), or its mean value."""
    if indicator.kind is IndicatorKind.rate:
        group = score.groups.get(indicator.code)
        return group.rate if group is not None and group.size else None
    values = cohort.values_of(indicator.code, "value")
    values = values[~np.isnan(values)]
    return float(values.mean()) if values.size else None


def difference(real: float | None, simulated: float | None) -> float | None:
    """simulated - real, or None when either is missing."""
    if real is None or simulated is None:
        return None
    return simulated - real
