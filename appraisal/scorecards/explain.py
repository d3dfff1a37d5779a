"""The scoring core's steps as sentences: one translated message per ``StepCode``.

The core records what happened as a code plus numbers; here the numbers are formatted the way
a person reads them (rates in percent, values with their unit) and put into the message of
the code, in the reader's language.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from appraisal.core.i18n import lazy_gettext as _l
from appraisal.indicators.models import Indicator
from appraisal.indicators.units import number
from appraisal.scorecards.display import result_value
from appraisal.scoring import Step, StepCode

MESSAGES = {
    StepCode.exempt: _l(
        "Exempted for this cycle (an approved external cause): left out, and the other "
        "weights are scaled up."),
    StepCode.no_data: _l("No measurement in this cycle: left out."),
    StepCode.insufficient_evidence: _l(
        "Only %(denominator)s cases, fewer than the minimum of %(minimum)s: too few to judge "
        "fairly, so this indicator is left out."),
    StepCode.rate: _l("Measured rate: %(numerator)s of %(denominator)s = %(rate)s."),
    StepCode.value: _l("Measured value: %(value)s."),
    StepCode.risk_adjusted: _l(
        "Risk adjustment: %(observed)s observed against %(expected)s expected, a ratio (O/E) "
        "of %(smr)s (%(coverage)s interval %(smr_lower)s to %(smr_upper)s); adjusted rate = "
        "O/E × group rate %(group_rate)s = %(adjusted_rate)s."),
    StepCode.shrunk: _l(
        "Small-number correction: the rate %(rate)s is pulled toward the group rate "
        "%(group_rate)s (%(group_size)s people with enough cases), keeping %(credibility)s of "
        "the weight on the person's own data: %(shrunk_rate)s."),
    StepCode.scored: _l(
        "Score: %(value)s on a straight line from the threshold %(threshold)s (0 points) to "
        "the target %(target)s (100 points), %(direction)s: %(score)s points."),
    StepCode.clamped: _l(
        "Beyond the threshold or the target the score is held within 0 to 100: %(score)s "
        "points instead of %(unclamped)s."),
    StepCode.red_line_breached: _l(
        "Red line crossed: %(subject)s. The grade is capped at %(cap_grade)s."),
    StepCode.outlier_alarm: _l(
        "Funnel plot: with %(n)s cases, %(rate)s lies %(side)s the %(coverage)s control "
        "limits (%(lower)s to %(upper)s) around the group rate %(theta0)s, on %(verdict)s: "
        "an alarm."),
    StepCode.outlier_warning: _l(
        "Funnel plot: with %(n)s cases, %(rate)s lies %(side)s the %(coverage)s control "
        "limits (%(lower)s to %(upper)s) around the group rate %(theta0)s, on %(verdict)s: "
        "a warning."),
    StepCode.renormalised: _l(
        "Left out: %(excluded)s. The remaining weights (%(included_weight)s of "
        "%(total_weight)s) are scaled up to 100%%."),
    StepCode.weighted_mean: _l(
        "Quantitative score: the weighted mean of %(included)s indicator scores = %(score)s."),
    StepCode.no_quantitative_score: _l(
        "No indicator could be scored (%(excluded)s), so there is no quantitative score."),
    StepCode.banded: _l(
        "A composite of %(composite)s reaches the band starting at %(minimum)s: grade "
        "%(grade)s."),
    StepCode.capped: _l("Grade %(grade)s is capped at %(cap_grade)s by a red line."),
}

# A risk-adjusted rate is judged by its expected events (see ``scoring.funnel``).
ADJUSTED_FUNNEL_MESSAGES = {
    StepCode.outlier_alarm: _l(
        "Funnel plot: with %(expected)s expected events, the risk-adjusted rate %(rate)s lies "
        "%(side)s the %(coverage)s control limits (%(lower)s to %(upper)s) around the group "
        "rate %(theta0)s, on %(verdict)s: an alarm."),
    StepCode.outlier_warning: _l(
        "Funnel plot: with %(expected)s expected events, the risk-adjusted rate %(rate)s lies "
        "%(side)s the %(coverage)s control limits (%(lower)s to %(upper)s) around the group "
        "rate %(theta0)s, on %(verdict)s: a warning."),
}

SIDES = {"above": _l("above"), "below": _l("below")}
DIRECTIONS = {"higher_is_better": _l("higher is better"),
              "lower_is_better": _l("lower is better")}

# Parameters that are rates or values of the indicator itself (shown in its unit).
INDICATOR_VALUES = {"rate", "group_rate", "adjusted_rate", "shrunk_rate", "theta0", "lower",
                    "upper", "value", "threshold", "target", "limit"}
COUNTS = {"numerator", "denominator", "observed", "n", "minimum", "group_size", "included",
          "included_weight", "total_weight"}
RATIOS = {"expected", "smr", "smr_lower", "smr_upper"}
POINTS = {"score", "unclamped", "composite"}
PERCENTS = {"credibility", "coverage"}


class _Params(dict):
    """Formatted parameters; a missing one shows as a dash rather than breaking the page."""

    def __missing__(self, key: str) -> str:
        return "—"


def sentence(step: Step, indicator: Indicator | None = None,
             names: Mapping[str, str] | None = None) -> str:
    """The step as a sentence in the reader's language.

    ``indicator`` gives the unit of the step's values; ``names`` turns indicator codes (in
    "left out" and red-line steps) into their names.
    """
    params = _Params({key: _format(key, value, indicator, names or {})
                      for key, value in step.params.items()})
    if step.code is StepCode.red_line_breached:
        params["subject"] = _red_line_subject(step.params, params)
        if "cap_grade" not in step.params:
            return str(_l("Red line crossed: %(subject)s.")) % params
    if step.code in ADJUSTED_FUNNEL_MESSAGES and step.params.get("expected") is not None:
        return str(ADJUSTED_FUNNEL_MESSAGES[step.code]) % params
    return str(MESSAGES[step.code]) % params


def _red_line_subject(raw: Mapping[str, Any], params: Mapping[str, str]) -> str:
    if "indicators" in raw:
        return params["indicators"]
    return str(_l("%(value)s is %(side)s the limit %(limit)s")) % {
        "value": params["value"], "side": SIDES.get(raw.get("breach_when"), "—"),
        "limit": params["limit"]}


def _format(key: str, value: Any, indicator: Indicator | None,
            names: Mapping[str, str]) -> str:
    if value is None:
        return "—"
    if key in ("excluded", "indicators"):
        return ", ".join(names.get(code, code) for code in value) or "—"
    if key == "side":
        return str(SIDES.get(value, value))
    if key == "direction":
        return str(DIRECTIONS.get(value, value))
    if key == "verdict" or key == "unfavourable":
        return str(_l("the unfavourable side") if value else _l("the favourable side"))
    if isinstance(value, str):
        return value
    if isinstance(value, float) and math.isnan(value):
        return "—"
    return _format_number(key, value, indicator)


def _format_number(key: str, value: float, indicator: Indicator | None) -> str:
    if key in INDICATOR_VALUES:
        return result_value(indicator, value)
    if key in PERCENTS:
        return f"{number(round(value * 100, 1))}%"
    if key in RATIOS:
        return f"{value:.2f}"
    if key in POINTS:
        return f"{value:.1f}"
    if key in COUNTS:
        return number(round(value, 2))
    return number(value)


def step_params_with_verdict(step: Step) -> Step:
    """Funnel steps carry ``unfavourable``; the message reads it as ``verdict``."""
    if step.code in (StepCode.outlier_alarm, StepCode.outlier_warning):
        return Step(step.code, dict(step.params, verdict=step.params.get("unfavourable")))
    return step


def sentences(steps, indicator: Indicator | None = None,
              names: Mapping[str, str] | None = None) -> list[str]:
    """Every step of an explanation as a sentence, in order."""
    return [sentence(step_params_with_verdict(step), indicator, names) for step in steps]
