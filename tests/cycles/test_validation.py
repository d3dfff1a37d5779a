"""Scheme validation, pure: every error case with a message naming the field and indicator."""

from __future__ import annotations

import math
from types import SimpleNamespace

import pytest

from appraisal.cycles.models import RedLineSide
from appraisal.cycles.validation import (
    BandsInvalid,
    HeaderValues,
    ItemValues,
    format_grade_bands,
    header_problems,
    item_problems,
    parse_grade_bands,
    scheme_problems,
)
from appraisal.indicators.models import Dimension, IndicatorKind

RATE, VALUE, COUNT = IndicatorKind.rate, IndicatorKind.value, IndicatorKind.count


def indicator(code="READMIT30", kind=RATE, risk=False, name=None):
    return SimpleNamespace(code=code, name=name or code.title(), kind=kind,
                           dimension=Dimension.quality_safety, risk_adjustable=risk, unit="days")


def header(**changes) -> HeaderValues:
    base = {"name": "Doctors", "weight_quantitative": 0.6, "weight_360": 0.15, "weight_panel": 0.1,
                "weight_case_quality": 0.1, "weight_contributions": 0.05,
                "grade_bands": [[85.0, "A"], [70.0, "B"], [55.0, "C"], [0.0, "D"]],
                "cap_grade": "C",
                "anonymity_threshold": 3, "min_denominator": 10, "compare_within_department": False,
                "funnel_overdispersion": False}
    return HeaderValues(**(base | changes))


def item(ind=None, **changes) -> ItemValues:
    base = {"indicator": ind or indicator(name="30-day readmission rate"), "weight": 1.0,
                "threshold": 0.2, "target": 0.1}
    return ItemValues(**(base | changes))


def texts(problems):
    return [(field, str(message)) for field, message in problems]


# -- grade bands -----------------------------------------------------------------------------
@pytest.mark.parametrize("text, bands", [
    ("A:85, B:70, C:55, D:0", [[85.0, "A"], [70.0, "B"], [55.0, "C"], [0.0, "D"]]),
    ("D:0; B:70\nA:85.5", [[85.5, "A"], [70.0, "B"], [0.0, "D"]]),
    ("优：90，良：75，合格：60，不合格：0", [[90.0, "优"], [75.0, "良"], [60.0, "合格"],
                                        [0.0, "不合格"]]),
])
def test_grade_bands_are_parsed_best_first(text, bands):
    assert parse_grade_bands(text) == bands
    assert parse_grade_bands(format_grade_bands(bands)) == bands


@pytest.mark.parametrize("text, message", [
    ("", "Enter at least one grade band, e.g. A:85, B:70, C:55, D:0."),
    ("A85, B:70", "“A85” is not a band: write the grade, a colon and the minimum score"),
    ("A:, B:70", "“A:” is not a band"),
    ("A:high", "A: the minimum score must be a number from 0 to 100 (found “high”)."),
    ("A:120, B:0", "A: the minimum score must be a number from 0 to 100 (found “120”)."),
    ("A:nan", "A: the minimum score must be a number from 0 to 100"),
    ("A:85, A:70", "The grade A appears more than once."),
    ("A:70, B:70", "Two grades start at the same score 70"),
    ("very good:90", "“very good” is not a grade"),
])
def test_unreadable_grade_bands_say_which_part_and_why(text, message):
    with pytest.raises(BandsInvalid) as caught:
        parse_grade_bands(text)
    assert str(caught.value).startswith(message), str(caught.value)


# -- settings --------------------------------------------------------------------------------
def test_valid_settings_have_no_problem():
    assert header_problems(header()) == []
    assert scheme_problems(header(), []) == []


@pytest.mark.parametrize("changes, field, message", [
    ({"weight_360": -0.1}, "weight_360", "A component weight cannot be negative."),
    ({"weight_panel": math.inf}, "weight_panel", "Enter an ordinary number."),
    ({"weight_quantitative": 0, "weight_360": 0, "weight_panel": 0, "weight_case_quality": 0,
          "weight_contributions": 0}, "weight_quantitative",
     "All the component weights are zero: at least one component needs a weight above zero."),
    ({"anonymity_threshold": 1}, "anonymity_threshold",
     "The anonymity threshold must be at least 2"),
])
def test_settings_problems(changes, field, message):
    [(found_field, found)] = texts(header_problems(header(**changes)))
    assert found_field == field and found.startswith(message), found


@pytest.mark.parametrize("changes, field, message", [
    ({"cap_grade": "E"}, "cap_grade", ("The cap grade E is not one of the grade bands "
                                       "(A, B, C, D).")),
    ({"min_denominator": 0}, "min_denominator", "The minimum denominator must be at least 1."),
])
def test_settings_checked_by_the_scoring_core(changes, field, message):
    assert texts(scheme_problems(header(**changes), [item()])) == [(field, message)]


def test_a_red_line_needs_a_cap_grade():
    [(field, message)] = scheme_problems(header(cap_grade=None),
                                         [item(red_line_limit=0.3,
                                               red_line_side=RedLineSide.above)])
    assert field == ("cap_grade", "red_line_limit")
    assert message.startswith("A red line needs a cap grade")


# -- chosen indicators -----------------------------------------------------------------------
@pytest.mark.parametrize("changes, field, message", [
    ({"threshold": 1.5}, "threshold",
     ("READMIT30 (30-day readmission rate) is a rate: the threshold is entered as a percentage "
     "between 0 and 100 (you entered 150).")),
    ({"target": -0.05}, "target", "is a rate: the target is entered as a percentage"),
    ({"red_line_limit": 2.0, "red_line_side": RedLineSide.above}, "red_line_limit",
     "is a rate: the red line is entered as a percentage between 0 and 100 (you entered 200)."),
    ({"ind": indicator("VISITS", COUNT), "threshold": -1.0, "target": 100.0}, "threshold",
     "VISITS (Visits) is a count: the threshold cannot be negative."),
    ({"ind": indicator("ALOS", VALUE), "threshold": 9.0, "target": 6.0, "min_denominator": 20},
     "min_denominator", ("ALOS (Alos) is not a rate: a minimum denominator applies only to "
                        "rates; leave it empty.")),
    ({"red_line_limit": 0.3}, "red_line_side",
     ("READMIT30 (30-day readmission rate): say whether going above or below the red line is "
     "the breach.")),
    ({"weight": math.nan}, "weight", ("READMIT30 (30-day readmission rate): enter an ordinary "
                                      "number.")),
])
def test_item_problems(changes, field, message):
    found = texts(item_problems(item(**changes)))
    assert len(found) == 1, found
    assert found[0][0] == field and message in found[0][1], found


@pytest.mark.parametrize("items, field, message", [
    ([item(threshold=0.1, target=0.1)], "target",
     ("READMIT30 (30-day readmission rate): the threshold and the target are both 10%. They "
     "must differ")),
    ([item(ind=indicator("ALOS", VALUE), threshold=7.0, target=7.0)], "target",
     "ALOS (Alos): the threshold and the target are both 7 days."),
    ([item(weight=-1.0)], "weight",
     "READMIT30 (30-day readmission rate): a weight cannot be negative."),
    ([item(weight=0.0), item(ind=indicator("HAPI"), weight=0.0)], "weight",
     "All the indicator weights of this scheme would be zero"),
    ([item(ind=indicator("ALOS", VALUE, risk=True), threshold=9.0, target=6.0)], None,
     "ALOS (Alos) is marked risk-adjustable but is not a rate"),
    ([item(min_denominator=0)], "min_denominator",
     "READMIT30 (30-day readmission rate): the minimum denominator must be at least 1."),
    ([item(), item()], "indicator", "An indicator can be chosen only once in a scheme."),
])
def test_scheme_problems_from_the_scoring_core(items, field, message):
    [(found_field, found)] = texts(scheme_problems(header(), items))
    assert found_field == field and found.startswith(message), found


def test_zero_weight_is_allowed_when_another_counts():
    assert scheme_problems(header(), [item(weight=0.0), item(ind=indicator("HAPI"))]) == []
