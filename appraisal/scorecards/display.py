"""How the result pages put numbers and refusals into words (shared by pages and JSON)."""

from __future__ import annotations

from flask_babel import gettext as _

from appraisal.core.i18n import lazy_gettext as _l
from appraisal.indicators.models import IndicatorKind
from appraisal.indicators.units import number
from appraisal.scoring import ScoringError

ERRORS = {
    # Data that cannot be scored (the import normally refuses it first).
    "incomplete_rate": _l("%(indicator)s of %(person)s has a numerator or a denominator "
                          "but not both."),
    "negative": _l("%(indicator)s of %(person)s is negative."),
    "not_whole": _l("%(indicator)s of %(person)s counts cases in fractions; cases are whole "
                    "numbers."),
    "numerator_exceeds_denominator": _l("%(indicator)s of %(person)s has a numerator larger "
                                        "than its denominator."),
    "expected_not_allowed": _l("%(indicator)s of %(person)s has an expected count, but the "
                               "indicator is not risk-adjusted."),
    "expected_not_positive": _l("%(indicator)s of %(person)s has an expected count that is "
                                "not above zero."),
    "not_finite": _l("%(indicator)s has a value that is not a finite number."),
    # A scheme the performance office has to correct.
    "threshold_equals_target": _l("In the scheme, %(indicator)s has the same threshold and "
                                  "target."),
    "negative_weight": _l("In the scheme, %(indicator)s has a negative weight."),
    "risk_adjustment_needs_rate": _l("In the scheme, %(indicator)s is risk-adjusted but is "
                                     "not a rate."),
    "min_denominator_below_one": _l("The scheme's minimum number of cases is below one."),
    "duplicate_indicator": _l("The scheme lists an indicator twice."),
    "duplicate_grade": _l("The scheme's grade bands name a grade twice."),
    "red_line_without_cap_grade": _l("The scheme has red lines but no grade to cap at."),
    "cap_grade_not_a_band": _l("The scheme's cap grade is not one of its grade bands."),
    "no_grade_bands": _l("The scheme has no grade bands."),
}


def result_value(indicator, stored: float | None) -> str:
    """A measured or computed value as the result pages show it: a rate in percent with one
    decimal (two below 1%), any other value with at most two decimals and its unit."""
    if stored is None:
        return "—"
    if indicator is None:
        return number(round(stored, 4))
    if indicator.kind is IndicatorKind.rate:
        percent = stored * 100
        return f"{number(round(percent, 1 if abs(percent) >= 1 else 2))}%"
    unit = (indicator.unit or "").strip()
    shown = number(round(stored, 2))
    return f"{shown} {unit}" if unit else shown


def scoring_error_message(error: ScoringError, cohort) -> str:
    """A refusal of the scoring core in words, naming the indicator and the person."""
    params = dict(error.params)
    names = {}
    people = {}
    if cohort is not None:
        names = {i.code: i.name for i in cohort.indicators}
        people = {member.id: member.name for member in cohort.members}
    values = {"indicator": names.get(params.get("indicator"), params.get("indicator", "—")),
              "person": people.get(params.get("person"), params.get("person", "—"))}
    message = ERRORS.get(error.code)
    if message is None:
        return _("The scores cannot be computed (%(code)s).", code=error.code)
    return str(message) % values + " " + _("Please ask the performance office to correct it.")


def points(value: float | None) -> str:
    """A score or a contribution, in points with one decimal ("72.4"), or a dash."""
    return "—" if value is None else f"{value:.1f}"


def signed(value: float | None) -> str:
    """A difference with its sign ("+3.2", "−1.0", "±0.0")."""
    if value is None:
        return "—"
    if abs(value) < 0.05:
        return "±0.0"
    return f"+{value:.1f}" if value > 0 else f"−{abs(value):.1f}"


def share(value: float | None) -> str:
    """A renormalised weight in percent ("25%")."""
    return "—" if value is None else f"{number(round(value * 100, 1))}%"


def whatif_payload(real, simulated) -> dict:
    """The numbers whatif.js writes into the page, already formatted like the page does."""
    lines = []
    for line in simulated.lines:
        before = real.line(line.indicator.code)
        lines.append({
            "id": line.indicator.id,
            "code": line.indicator.code,
            "score": points(line.result.score),
            "contribution": points(line.result.contribution),
            "share": share(line.result.share),
            "difference": signed(_difference(before.result.contribution,
                                             line.result.contribution)),
            "status": line.status.label,
            "used": result_value(line.indicator, line.result.used),
            "score_value": line.result.score,
            "contribution_value": line.result.contribution,
        })
    return {
        "ok": True,
        "overall": points(simulated.overall),
        "real": points(real.overall),
        "difference": signed(_difference(real.overall, simulated.overall)),
        "sum": points(simulated.contribution_sum),
        "breaches": simulated.breaches,
        "indicators": lines,
        "overall_value": simulated.overall,
        "real_value": real.overall,
    }


def _difference(real: float | None, simulated: float | None) -> float | None:
    if real is None and simulated is None:
        return None
    return (simulated or 0.0) - (real or 0.0)


def comparison_label(cohort, staff) -> str:
    """Who the person is compared with, in words."""
    if cohort is None:
        return ""
    group = staff.staff_group.label
    if cohort.unit is not None:
        return _("every %(group)s scored by this scheme in %(unit)s (%(n)s people)",
                 group=group.lower(), unit=cohort.unit.name, n=len(cohort.members))
    return _("every %(group)s scored by this scheme (%(n)s people)", group=group.lower(),
             n=len(cohort.members))


CELL_STATUS_LABELS = {
    "scored": _l("counted"),
    "exempt": _l("exempt"),
    "no_data": _l("no data"),
    "insufficient_evidence": _l("too few cases"),
}


def position_label(position) -> str:
    """Where a point lies on its funnel, in words (for the data table beside the chart)."""
    level = str(position.level)
    if level == "within":
        return _("Within the limits")
    side = _("above") if position.side == "above" else _("below")
    verdict = _("unfavourable") if position.unfavourable else _("favourable")
    if level == "alarm":
        return _("Alarm: %(side)s the 99.8%% limits (%(verdict)s side)", side=side,
                 verdict=verdict)
    return _("Warning: %(side)s the 95%% limits (%(verdict)s side)", side=side, verdict=verdict)
