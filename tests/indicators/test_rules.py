"""The library's pure rules: who may do what, and what makes an entry valid."""

from __future__ import annotations

import math
from types import SimpleNamespace

import pytest

from appraisal.indicators.models import Dimension, Direction, IndicatorKind
from appraisal.indicators.rules import (
    IndicatorValues,
    can_manage_indicators,
    can_read_indicator,
    indicator_problems,
    kind_change_problem,
)
from appraisal.indicators.units import format_value, to_shown, to_stored

RATE, VALUE, COUNT = IndicatorKind.rate, IndicatorKind.value, IndicatorKind.count


def values(**changes) -> IndicatorValues:
    base = {"code": "READMIT30", "name": "30-day readmission rate", "explanation": "Readmitted.",
                "dimension": Dimension.quality_safety, "kind": RATE, "unit": "%",
                "direction": Direction.lower, "data_source": "HIS", "risk_adjustable": False,
                "plausible_min": None, "plausible_max": None}
    return IndicatorValues(**(base | changes))


def problems(**changes) -> list[tuple[str, str]]:
    return [(field, str(message)) for field, message in indicator_problems(values(**changes))]


@pytest.mark.parametrize("who, manage, read", [
    (SimpleNamespace(is_admin=True, is_authenticated=True), True, True),
    (SimpleNamespace(is_admin=False, is_authenticated=True), False, True),
    (SimpleNamespace(is_admin=False, is_authenticated=False), False, False),
])
def test_permission_rules(who, manage, read):
    assert can_manage_indicators(who) is manage
    assert can_read_indicator(who) is read


def test_a_plain_valid_entry_has_no_problem():
    assert problems() == []
    assert problems(kind=VALUE, plausible_min=-5.0, plausible_max=40.0) == []
    assert problems(risk_adjustable=True, plausible_min=0.0, plausible_max=0.6) == []


@pytest.mark.parametrize("changes, field, words", [
    ({"kind": COUNT, "risk_adjustable": True}, "risk_adjustable",
     "Only a rate can be risk-adjusted"),
    ({"kind": VALUE, "risk_adjustable": True}, "risk_adjustable", "value indicators cannot"),
    ({"plausible_min": 0.5, "plausible_max": 0.5}, "plausible_max",
     "must be greater than the plausible minimum"),
    ({"kind": VALUE, "plausible_min": 10.0, "plausible_max": 2.0}, "plausible_max",
     "must be greater than the plausible minimum"),
    ({"plausible_max": 1.5}, "plausible_max",
     "percentage between 0 and 100 (you entered 150)"),
    ({"plausible_min": -0.01}, "plausible_min", "(you entered -1)"),
    ({"kind": COUNT, "plausible_min": -1.0}, "plausible_min", "A count cannot be negative"),
    ({"kind": VALUE, "plausible_max": math.inf}, "plausible_max", "ordinary number"),
    ({"kind": VALUE, "plausible_min": math.nan}, "plausible_min", "ordinary number"),
])
def test_each_invalid_entry_is_named_with_its_field(changes, field, words):
    found = problems(**changes)
    assert len(found) == 1, found
    assert found[0][0] == field
    assert words in found[0][1]


@pytest.mark.parametrize("old, new, schemes, measurements, refused", [
    (RATE, RATE, 3, 10, False),
    (RATE, VALUE, 0, 0, False),
    (RATE, VALUE, 1, 0, True),
    (COUNT, VALUE, 0, 5, True),
])
def test_a_used_indicator_keeps_its_kind(old, new, schemes, measurements, refused):
    problem = kind_change_problem(old, new, schemes, measurements)
    assert (problem is not None) is refused
    if refused:
        assert problem[0] == "kind" and "cannot be changed" in str(problem[1])


def test_rates_are_typed_in_percent_and_stored_as_proportions():
    assert to_stored(RATE, 7) == 0.07
    assert to_stored(VALUE, 7) == 7
    assert to_shown(RATE, 0.07) == 7
    assert to_stored(RATE, None) is None
    rate = SimpleNamespace(kind=RATE, unit="%")
    days = SimpleNamespace(kind=VALUE, unit="days")
    assert format_value(rate, 0.855) == "85.5%"
    assert format_value(days, 7.25) == "7.25 days"
    assert format_value(days, None) == "—"
