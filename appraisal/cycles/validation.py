"""What makes a scheme valid, with messages that name the field and the indicator (pure).

The scoring core's own checks (``SchemeSpec`` / ``IndicatorSpec``) are reused through
``build_spec``; their ``SchemeError`` codes become sentences here. The checks the core does
not make (rates entered outside 0-100 %, component weights, all weights zero, red lines
without a side, ...) come first, so a person sees the most specific message.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, fields

from appraisal.core.i18n import lazy_gettext as _l
from appraisal.cycles.models import RedLineSide
from appraisal.cycles.spec import build_spec
from appraisal.indicators.models import IndicatorKind
from appraisal.indicators.units import format_value, number
from appraisal.scoring.inputs import SchemeError

# (form field, or a tuple of candidates: the first one present in the form gets the message)
Problem = tuple[str | tuple[str, ...] | None, object]

COMPONENT_FIELDS = ("weight_quantitative", "weight_360", "weight_panel", "weight_case_quality",
                    "weight_contributions")
MIN_ANONYMITY = 2


class BandsInvalid(ValueError):
    """Grade bands that cannot be read; the message says which part and why."""


@dataclass
class HeaderValues:
    """A scheme's settings (everything but its indicators, group and department)."""

    name: str
    weight_quantitative: float
    weight_360: float
    weight_panel: float
    weight_case_quality: float
    weight_contributions: float
    grade_bands: list
    cap_grade: str | None
    anonymity_threshold: int
    min_denominator: int
    compare_within_department: bool
    funnel_overdispersion: bool

    @classmethod
    def of(cls, scheme) -> HeaderValues:
        return cls(**{f.name: getattr(scheme, f.name) for f in fields(cls)})

    def as_fields(self) -> dict:
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values["name"] = self.name.strip()
        values["cap_grade"] = (self.cap_grade or "").strip() or None
        return values


@dataclass
class ItemValues:
    """One chosen indicator's settings, in stored units (rates as proportions)."""

    indicator: object
    weight: float
    threshold: float
    target: float
    min_denominator: int | None = None
    red_line_limit: float | None = None
    red_line_side: RedLineSide | None = None

    @classmethod
    def of(cls, item) -> ItemValues:
        return cls(**{f.name: getattr(item, f.name) for f in fields(cls)})

    def as_fields(self) -> dict:
        values = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "indicator"}
        if self.red_line_limit is None:
            values["red_line_side"] = None
        return values


def label(indicator) -> str:
    return f"{indicator.code} ({indicator.name})"


# -- grade bands ------------------------------------------------------------------------------
def parse_grade_bands(text: str) -> list[list]:
    """"A:85, B:70, C:55, D:0" -> [[85.0, "A"], [70.0, "B"], ...], best grade first."""
    parts = [part.strip() for part in re.split(r"[,;，；\n]+", text or "") if part.strip()]
    if not parts:
        raise BandsInvalid(_l("Enter at least one grade band, e.g. A:85, B:70, C:55, D:0."))
    bands = [_parse_band(part) for part in parts]
    grades = [grade for _, grade in bands]
    for grade in grades:
        if grades.count(grade) > 1:
            raise BandsInvalid(_l("The grade %(grade)s appears more than once.", grade=grade))
    minimums = [minimum for minimum, _ in bands]
    for minimum in minimums:
        if minimums.count(minimum) > 1:
            raise BandsInvalid(_l("Two grades start at the same score %(score)s: each grade "
                                  "needs its own minimum.", score=number(minimum)))
    return sorted(([minimum, grade] for minimum, grade in bands), key=lambda b: -b[0])


def _parse_band(part: str) -> tuple[float, str]:
    grade, colon, minimum = part.replace("：", ":").partition(":")
    grade, minimum = grade.strip(), minimum.strip()
    if not colon or not grade or not minimum:
        raise BandsInvalid(_l("“%(part)s” is not a band: write the grade, a colon and the "
                              "minimum score, e.g. A:85.", part=part))
    if len(grade) > 10 or " " in grade:
        raise BandsInvalid(_l("“%(grade)s” is not a grade: a grade is one short word of at "
                              "most 10 characters, e.g. A.", grade=grade))
    try:
        value = float(minimum)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or not 0 <= value <= 100:
        raise BandsInvalid(_l("%(grade)s: the minimum score must be a number from 0 to 100 "
                              "(found “%(value)s”).", grade=grade, value=minimum))
    return value, grade


def format_grade_bands(bands) -> str:
    """The text a person types for ``bands``: "A:85, B:70, C:55, D:0"."""
    return ", ".join(f"{grade}:{number(minimum)}" for minimum, grade in bands)


# -- the scheme's settings --------------------------------------------------------------------
def header_problems(header: HeaderValues) -> list[Problem]:
    """What is wrong with a scheme's settings taken alone."""
    problems: list[Problem] = []
    weights = [getattr(header, name) for name in COMPONENT_FIELDS]
    for name, weight in zip(COMPONENT_FIELDS, weights):
        if not math.isfinite(weight):
            problems.append((name, _l("Enter an ordinary number.")))
        elif weight < 0:
            problems.append((name, _l("A component weight cannot be negative.")))
    if not problems and not any(weights):
        problems.append(("weight_quantitative", _l(
            "All the component weights are zero: at least one component needs a weight above "
            "zero.")))
    if header.anonymity_threshold < MIN_ANONYMITY:
        problems.append(("anonymity_threshold", _l(
            "The anonymity threshold must be at least %(min)s: with fewer responses a rater "
            "could be recognised.", min=MIN_ANONYMITY)))
    return problems


# -- one chosen indicator ---------------------------------------------------------------------
def item_problems(item: ItemValues) -> list[Problem]:
    """What is wrong with one chosen indicator's settings taken alone."""
    indicator, problems = item.indicator, []
    for name in ("weight", "threshold", "target", "red_line_limit"):
        value = getattr(item, name)
        if value is not None and not math.isfinite(value):
            problems.append((name, _l("%(indicator)s: enter an ordinary number.",
                                      indicator=label(indicator))))
    if problems:
        return problems
    problems += _unit_problems(item)
    if item.min_denominator is not None and indicator.kind is not IndicatorKind.rate:
        problems.append(("min_denominator", _l(
            "%(indicator)s is not a rate: a minimum denominator applies only to rates; leave it "
            "empty.", indicator=label(indicator))))
    if item.red_line_limit is not None and item.red_line_side is None:
        problems.append(("red_line_side", _l(
            "%(indicator)s: say whether going above or below the red line is the breach.",
            indicator=label(indicator))))
    return problems


def _unit_problems(item: ItemValues) -> list[Problem]:
    indicator, problems = item.indicator, []
    names = {"threshold": _l("threshold"), "target": _l("target"),
             "red_line_limit": _l("red line")}
    for name, what in names.items():
        value = getattr(item, name)
        if value is None:
            continue
        if indicator.kind is IndicatorKind.rate and not 0 <= value <= 1:
            problems.append((name, _l(
                "%(indicator)s is a rate: the %(what)s is entered as a percentage between 0 and "
                "100 (you entered %(value)s).", indicator=label(indicator), what=what,
                value=number(round(value * 100, 10)))))
        elif indicator.kind is IndicatorKind.count and value < 0:
            problems.append((name, _l("%(indicator)s is a count: the %(what)s cannot be "
                                      "negative.", indicator=label(indicator), what=what)))
    return problems


# -- the whole scheme, through the scoring core -----------------------------------------------
def scheme_problems(header: HeaderValues, items: list[ItemValues]) -> list[Problem]:
    """What is wrong with the scheme as a whole (reuses the scoring core's validation)."""
    if items and not any(item.weight for item in items):
        return [("weight", _l("All the indicator weights of this scheme would be zero: at least "
                              "one indicator needs a weight above zero."))]
    try:
        build_spec(header, items)
    except SchemeError as error:
        return [scheme_error_problem(error, header, items)]
    return []


def scheme_error_problem(error: SchemeError, header, items) -> Problem:
    """The scoring core's ``SchemeError`` as a sentence, attached to the field it concerns."""
    by_code = {item.indicator.code: item for item in items}
    params = dict(error.params)
    item = by_code.get(params.get("indicator"))
    if item is not None:
        params["indicator"] = label(item.indicator)
        if "value" in params:
            params["value"] = format_value(item.indicator, params["value"])
    field, message = SCHEME_ERROR_MESSAGES.get(
        (error.code, item is not None), SCHEME_ERROR_MESSAGES.get((error.code, None), FALLBACK))
    params.update(code=error.code,
                  grades=", ".join(str(grade) for _, grade in header.grade_bands))
    # The message is looked up (translated) now, then filled in like gettext would.
    return field, str(message) % params


FALLBACK = (None, _l("The scheme is inconsistent (%(code)s)."))

# (SchemeError code, about one indicator?) -> (field, message); None matches either.
SCHEME_ERROR_MESSAGES: dict[tuple[str, bool | None], Problem] = {
    ("threshold_equals_target", None): (
        "target", _l("%(indicator)s: the threshold and the target are both %(value)s. They must "
        "differ: the score runs from 0 at the threshold to 100 at the target.")),
    ("negative_weight", None): ("weight", _l("%(indicator)s: a weight cannot be negative.")),
    ("risk_adjustment_needs_rate", None): (
        None, _l("%(indicator)s is marked risk-adjustable but is not a rate: only rates can be "
        "risk-adjusted. Correct it in the indicator library.")),
    ("min_denominator_below_one", True): (
        "min_denominator", _l("%(indicator)s: the minimum denominator must be at least 1.")),
    ("min_denominator_below_one", False): (
        "min_denominator", _l("The minimum denominator must be at least 1.")),
    ("duplicate_indicator", None): (
        "indicator", _l("An indicator can be chosen only once in a scheme.")),
    ("duplicate_grade", None): ("grade_bands", _l("Each grade may appear only once.")),
    ("red_line_without_cap_grade", None): (
        ("cap_grade", "red_line_limit"), _l("A red line needs a cap grade: the best grade a person "
        "who crosses a red line can still get. Set the scheme's cap grade, or remove the red "
        "lines.")),
    ("cap_grade_not_a_band", None): (
        "cap_grade", _l("The cap grade %(grade)s is not one of the grade bands (%(grades)s).")),
    ("not_finite", None): (None, _l("Enter ordinary numbers.")),
}
