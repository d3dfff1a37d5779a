"""The scoring core: pure Python (numpy, scipy), no Flask, no database.

Everything that turns measurements into a quantitative score lives here, and the web pages,
the PDF, the "what if" simulator and the recompute all call these same functions. Every
function is a pure function of its arguments: a "what if" is simply the same call with a
changed input.

What goes in (``inputs``)
    ``SchemeSpec`` (its ``IndicatorSpec`` list with weights, thresholds, targets, red lines,
    the minimum denominator, the cap grade, grade bands), each person's
    ``MeasurementInput`` per indicator code, the exempted indicator codes, and for a single
    person the comparison groups (``GroupData``: each member's events and total).

What comes out (``results``)
    ``PersonScore``: the overall score, per-dimension scores, one ``IndicatorResult`` per
    indicator (status, raw / risk-adjusted / shrunk / used value, score, weight share,
    contribution, red-line flag, funnel position) and, at every level, a tuple of ``Step``:
    a machine ``code`` (``StepCode``) and the numbers involved. There are no sentences in
    here; the web layer writes them, in English or Chinese, one message per code.

The rules, in plain words
    1. Indicator score. Each indicator has a threshold (scores 0) and a target (scores 100);
       in between the score is a straight line, beyond them it is held at 0 or 100
       ("clamped"). If the target is below the threshold, lower is better. A threshold equal
       to the target is a configuration error (``SchemeError``).
    2. Small numbers. A rate whose denominator is below the scheme's minimum is
       "insufficient evidence" and left out. Every rate that counts is scored on its
       empirical-Bayes value: the person's rate pulled toward the rate of their comparison
       group, a lot when they saw few patients and hardly at all when they saw many
       (``stats.shrink_rates``). The comparison group is everyone scored by the same scheme
       for the same indicator (the caller narrows it to a department when the scheme says so)
       whose denominator reaches the minimum; the group rate and the pull are estimated from
       those members. Raw and shrunk rates are both kept.
    3. Risk adjustment. When an expected count (the sum of the model-predicted risks of the
       person's patients) is supplied, the rate is observed / expected x group rate, reported
       with the exact 95% Poisson interval of observed / expected; that adjusted rate is then
       shrunk like any other rate (toward the group rate, with the same weight).
    4. Red lines. An indicator may carry a red line: a limit, and whether going above or
       below it is the breach (the limit itself is allowed). It is checked against the
       measured value (the risk-adjusted rate where there is one, never the shrunk estimate).
       A breach is flagged and caps the grade at the scheme's cap grade (``grade_for``).
    5. Exemptions. An exempted indicator (external cause, reason recorded elsewhere) is left
       out of that person's score and the remaining weights are scaled back up to 100%. It
       still counts in the comparison group: the group describes the data, the exemption
       describes how one person is judged.
    6. Quantitative score. The weighted mean of the included indicator scores, overall and per
       balanced-scorecard dimension. Each indicator's contribution is its renormalised weight
       times its score; the contributions add up to the overall score. When nothing is left
       to score the status is ``no_quantitative_score``.
    13. Outliers. Every counted rate is placed on its group's funnel plot: exact binomial 95%
        and 99.8% limits around the group rate for its denominator (optionally widened for
        over-dispersion). A risk-adjusted rate is judged by its expected count E instead
        (exact Poisson limits of O/E at E, times the group rate) and drawn at E / group rate
        "case-mix equivalent" cases, so a clinician of sicker patients is held to the
        precision of the events expected of them. Beyond 99.8% is an alarm, beyond 95% a
        warning; the side and whether it is the unfavourable one are reported, so the caller
        can raise case-review triggers for unfavourable alarms.

Where the formulas are
    ``stats``: ``funnel_limits``, ``poisson_funnel_limits``, ``widened_funnel_limits``,
    ``overdispersion``, ``smr``,
    ``shrinkage_prior``, ``shrink_rates``, ``icc``, ``krippendorff_alpha`` (SPEC "Formulas").
"""

from appraisal.scoring.engine import CohortScore, score_cohort, score_columns, score_person
from appraisal.scoring.funnel import FunnelPlot, FunnelPoint, funnel_plot
from appraisal.scoring.grades import grade_for
from appraisal.scoring.indicators import MeasurementColumn
from appraisal.scoring.inputs import (
    BreachWhen,
    Direction,
    GroupData,
    IndicatorSpec,
    Kind,
    MeasurementError,
    MeasurementInput,
    RedLine,
    SchemeError,
    SchemeSpec,
    ScoringError,
)
from appraisal.scoring.results import (
    DimensionScore,
    FunnelPosition,
    GradeResult,
    GroupStats,
    IndicatorResult,
    Outlier,
    OutlierLevel,
    PersonScore,
    PersonStatus,
    SmrInterval,
    Status,
    Step,
    StepCode,
)

__all__ = [
    "BreachWhen",
    "CohortScore",
    "DimensionScore",
    "Direction",
    "FunnelPlot",
    "FunnelPoint",
    "FunnelPosition",
    "GradeResult",
    "GroupData",
    "GroupStats",
    "IndicatorResult",
    "IndicatorSpec",
    "Kind",
    "MeasurementColumn",
    "MeasurementError",
    "MeasurementInput",
    "Outlier",
    "OutlierLevel",
    "PersonScore",
    "PersonStatus",
    "RedLine",
    "SchemeError",
    "SchemeSpec",
    "ScoringError",
    "SmrInterval",
    "Status",
    "Step",
    "StepCode",
    "funnel_plot",
    "grade_for",
    "score_cohort",
    "score_columns",
    "score_person",
]
