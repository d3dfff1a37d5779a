"""What the scoring core returns: numbers, and the steps that produced them.

A :class:`Step` is a machine ``code`` plus the numbers involved, never a sentence, so the web
layer, the PDF and the simulator can render the same explanation in English or Chinese.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class StepCode(StrEnum):
    """Every kind of step the core records; the web layer keeps one message per code."""

    exempt = "exempt"  # indicator exempted for this person: excluded
    no_data = "no_data"  # no measurement: excluded
    insufficient_evidence = "insufficient_evidence"  # denominator below the minimum: excluded
    rate = "rate"  # the raw rate numerator / denominator
    value = "value"  # the raw value of a value or count indicator
    risk_adjusted = "risk_adjusted"  # O/E x group rate, with the exact Poisson CI of O/E
    shrunk = "shrunk"  # empirical-Bayes move toward the group rate
    scored = "scored"  # linear between threshold (0) and target (100)
    clamped = "clamped"  # the linear score fell outside [0, 100]
    red_line_breached = "red_line_breached"  # indicator level; person level: the grade cap
    outlier_alarm = "outlier_alarm"  # beyond the 99.8% funnel limits
    outlier_warning = "outlier_warning"  # beyond the 95% limits only
    renormalised = "renormalised"  # some weight excluded: the rest scaled up to sum to 1
    weighted_mean = "weighted_mean"  # the quantitative score itself
    no_quantitative_score = "no_quantitative_score"  # nothing left to score
    banded = "banded"  # composite -> grade
    capped = "capped"  # grade lowered to the cap grade


class Status(StrEnum):
    """Whether an indicator counts toward the score, and if not, why."""

    scored = "scored"
    exempt = "exempt"
    no_data = "no_data"
    insufficient_evidence = "insufficient_evidence"


class PersonStatus(StrEnum):
    """Whether a quantitative score exists."""

    scored = "scored"
    no_quantitative_score = "no_quantitative_score"


class OutlierLevel(StrEnum):
    """Where a rate lies on the funnel plot."""

    within = "within"
    warning = "warning"  # beyond 95%, within 99.8%
    alarm = "alarm"  # beyond 99.8%: a case-review trigger when unfavourable


@dataclass(frozen=True)
class Step:
    """One step of an explanation: what happened (``code``) and with which numbers."""

    code: StepCode
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SmrInterval:
    """Observed / expected with its exact Poisson confidence limits."""

    ratio: float
    lower: float
    upper: float
    coverage: float


@dataclass(frozen=True)
class FunnelPosition:
    """A rate against its group's funnel: the limits at its denominator (for a risk-adjusted
    rate, at its expected count; see ``funnel``) and the verdict.

    ``side`` is "above" or "below" theta0 when outside the 95% limits, else None;
    ``unfavourable`` says whether that side is the bad one for the indicator's direction.
    """

    rate: float
    n: float
    theta0: float
    lower95: float
    upper95: float
    lower998: float
    upper998: float
    level: OutlierLevel
    side: str | None
    unfavourable: bool
    expected: float | None = None  # a risk-adjusted rate's E; then ``n`` is E / theta0


@dataclass(frozen=True)
class IndicatorResult:
    """One indicator for one person: status, every intermediate value, score and steps.

    ``raw`` is the measured rate or value; ``adjusted`` the risk-adjusted rate; ``shrunk``
    the empirical-Bayes rate; ``used`` what was scored. ``share`` is the renormalised weight
    (0 when excluded) and ``contribution = share * score``.
    """

    code: str
    dimension: str
    status: Status
    weight: float
    share: float
    contribution: float
    raw: float | None
    adjusted: float | None
    shrunk: float | None
    used: float | None
    score: float | None
    smr: SmrInterval | None
    red_line_breached: bool
    funnel: FunnelPosition | None
    steps: tuple[Step, ...]

    @property
    def included(self) -> bool:
        return self.status is Status.scored


@dataclass(frozen=True)
class DimensionScore:
    """A balanced-scorecard dimension: weighted mean of its included indicators (None when
    none is included); ``share`` of the overall weight and its ``contribution`` to it."""

    dimension: str
    score: float | None
    share: float
    contribution: float


@dataclass(frozen=True)
class PersonScore:
    """The quantitative score of one person with its full explanation."""

    key: Hashable
    status: PersonStatus
    overall: float | None
    indicators: tuple[IndicatorResult, ...]
    dimensions: tuple[DimensionScore, ...]
    red_line_breaches: tuple[str, ...]
    grade_cap: str | None
    steps: tuple[Step, ...]

    def indicator(self, code: str) -> IndicatorResult:
        """The result for one indicator code (KeyError when the scheme has no such code)."""
        for result in self.indicators:
            if result.code == code:
                return result
        raise KeyError(code)


@dataclass(frozen=True)
class GradeResult:
    """A grade from the bands, before and after any red-line cap."""

    grade: str
    uncapped_grade: str
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class GroupStats:
    """A rate indicator's comparison group (its counted members): size, pooled rate ``rate``
    (pbar), between-member correlation ``rho`` and, when asked for, over-dispersion."""

    size: int
    rate: float
    rho: float
    phi: float | None = None
    tau2: float = 0.0

    @property
    def prior_size(self) -> float | None:
        """``M = 1/rho - 1``, the prior's weight in patients; None (infinite) when rho = 0."""
        return None if self.rho == 0.0 else 1.0 / self.rho - 1.0


@dataclass(frozen=True)
class Outlier:
    """A person's rate beyond a funnel limit of one indicator."""

    indicator: str
    key: Hashable
    position: FunnelPosition
