"""What the scoring core is given: a scheme, measurements, comparison groups (all plain data)."""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class ScoringError(ValueError):
    """Bad input the web layer can show: a machine ``code`` plus the ``params`` involved."""

    def __init__(self, code: str, **params: Any) -> None:
        self.code = code
        self.params = params
        details = ", ".join(f"{k}={v!r}" for k, v in params.items())
        super().__init__(f"{code}: {details}" if details else code)


class SchemeError(ScoringError):
    """The scheme itself is inconsistent (a configuration error)."""


class MeasurementError(ScoringError):
    """A measurement cannot be scored as given (a data error)."""


class Kind(StrEnum):
    """Indicator kind: numerator/denominator, a plain value, or a count."""

    rate = "rate"
    value = "value"
    count = "count"


class Direction(StrEnum):
    """Which way is better; it follows from threshold vs target."""

    higher_is_better = "higher_is_better"
    lower_is_better = "lower_is_better"


class BreachWhen(StrEnum):
    """Which side of a red-line limit is a breach (the limit itself is allowed)."""

    above = "above"
    below = "below"


@dataclass(frozen=True)
class RedLine:
    """A hard limit on an indicator: crossing it caps the grade at the scheme's cap grade."""

    limit: float
    breach_when: BreachWhen = BreachWhen.above

    def __post_init__(self) -> None:
        object.__setattr__(self, "breach_when", BreachWhen(self.breach_when))
        if not math.isfinite(self.limit):
            raise SchemeError("not_finite", limit=self.limit)

    def is_breached_by(self, value: float) -> bool:
        return value > self.limit if self.breach_when is BreachWhen.above else value < self.limit


@dataclass(frozen=True)
class IndicatorSpec:
    """One indicator as a scheme uses it. Rates are proportions in [0, 1], and so are their
    threshold, target and red-line limit."""

    code: str
    dimension: str
    weight: float
    threshold: float
    target: float
    kind: Kind = Kind.rate
    red_line: RedLine | None = None
    risk_adjustable: bool = False
    min_denominator: int | None = None  # overrides the scheme's minimum for this indicator

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", Kind(self.kind))
        for name in ("weight", "threshold", "target"):
            object.__setattr__(self, name, float(getattr(self, name)))
        if not all(map(math.isfinite, (self.weight, self.threshold, self.target))):
            raise SchemeError("not_finite", indicator=self.code)
        if self.threshold == self.target:
            raise SchemeError("threshold_equals_target", indicator=self.code, value=self.target)
        if self.weight < 0:
            raise SchemeError("negative_weight", indicator=self.code, weight=self.weight)
        if self.risk_adjustable and self.kind is not Kind.rate:
            raise SchemeError("risk_adjustment_needs_rate", indicator=self.code)
        if self.min_denominator is not None and self.min_denominator < 1:
            raise SchemeError("min_denominator_below_one", indicator=self.code)

    @property
    def direction(self) -> Direction:
        if self.target > self.threshold:
            return Direction.higher_is_better
        return Direction.lower_is_better


@dataclass(frozen=True)
class SchemeSpec:
    """The quantitative part of a scheme: indicators, evidence rule, red-line cap, grade bands.

    ``grade_bands``: ``(minimum composite, grade)`` pairs, any order; the best grade has the
    highest minimum. ``funnel_overdispersion``: widen funnel limits for over-dispersion.
    """

    indicators: tuple[IndicatorSpec, ...]
    min_denominator: int = 1
    cap_grade: str | None = None
    grade_bands: tuple[tuple[float, str], ...] = ()
    funnel_overdispersion: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "indicators", tuple(self.indicators))
        object.__setattr__(self, "grade_bands", tuple(map(tuple, self.grade_bands)))
        codes = [indicator.code for indicator in self.indicators]
        if len(set(codes)) != len(codes):
            raise SchemeError("duplicate_indicator", indicators=sorted(codes))
        if self.min_denominator < 1:
            raise SchemeError("min_denominator_below_one", value=self.min_denominator)
        self._check_red_lines_and_bands()

    def _check_red_lines_and_bands(self) -> None:
        grades = [grade for _, grade in self.grade_bands]
        if len(set(grades)) != len(grades):
            raise SchemeError("duplicate_grade", grades=grades)
        if self.cap_grade is None and any(i.red_line for i in self.indicators):
            raise SchemeError("red_line_without_cap_grade")
        if self.cap_grade is not None and grades and self.cap_grade not in grades:
            raise SchemeError("cap_grade_not_a_band", grade=self.cap_grade)

    def minimum_for(self, indicator: IndicatorSpec) -> int:
        """The smallest denominator that counts as evidence for this indicator."""
        if indicator.min_denominator is not None:
            return indicator.min_denominator
        return self.min_denominator

    @property
    def dimensions(self) -> tuple[str, ...]:
        """Dimensions in order of first appearance."""
        return tuple(dict.fromkeys(indicator.dimension for indicator in self.indicators))


@dataclass(frozen=True)
class MeasurementInput:
    """One person's measurement of one indicator. Rates use numerator/denominator (and
    ``expected``, the sum of model-predicted risks, for risk adjustment); values and counts
    use ``value``."""

    numerator: float | None = None
    denominator: float | None = None
    value: float | None = None
    expected: float | None = None


@dataclass(frozen=True)
class GroupData:
    """A comparison group for one rate indicator: each member's ``(events, total)``.

    Members below the scheme's minimum denominator are ignored by the core, so the caller may
    pass everyone. :func:`appraisal.scoring.score_person` replaces (or adds) the scored
    person's own entry with their measurement, so a "what if" changes the group too.
    """

    members: Mapping[Hashable, tuple[float, float]] = field(default_factory=dict)
