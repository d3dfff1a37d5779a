"""Every step the scoring core records becomes one readable sentence, values in their unit."""

from __future__ import annotations

import pytest

from appraisal.indicators.models import Dimension, Direction, Indicator, IndicatorKind
from appraisal.scorecards.explain import MESSAGES, sentence, sentences
from appraisal.scoring import (
    IndicatorSpec,
    MeasurementInput,
    RedLine,
    SchemeSpec,
    Step,
    StepCode,
    score_cohort,
)

RATE = Indicator(code="readm", name="30-day readmission", kind=IndicatorKind.rate,
                 direction=Direction.lower, dimension=Dimension.quality_safety, unit="")
VALUE = Indicator(code="sat", name="Satisfaction", kind=IndicatorKind.value,
                  direction=Direction.higher, dimension=Dimension.patient, unit="points")


@pytest.fixture
def request_context(app):
    with app.test_request_context():
        yield


def test_every_step_code_has_a_message():
    assert set(MESSAGES) == set(StepCode)


@pytest.mark.parametrize(("step", "indicator", "expected"), [
    (Step(StepCode.rate, {"numerator": 12.0, "denominator": 150.0, "rate": 0.08}), RATE,
     "Measured rate: 12 of 150 = 8%."),
    (Step(StepCode.value, {"value": 83.456}), VALUE, "Measured value: 83.46 points."),
    (Step(StepCode.insufficient_evidence, {"denominator": 6.0, "minimum": 10}), RATE,
     ("Only 6 cases, fewer than the minimum of 10: too few to judge fairly, so this indicator "
      "is left out.")),
    (Step(StepCode.clamped, {"unclamped": -156.04, "score": 0.0}), RATE,
     ("Beyond the threshold or the target the score is held within 0 to 100: 0.0 points "
      "instead of -156.0.")),
    (Step(StepCode.red_line_breached, {"value": 0.45, "limit": 0.4, "breach_when": "above"}),
     RATE, "Red line crossed: 45% is above the limit 40%."),
    (Step(StepCode.red_line_breached, {"indicators": ("readm",), "cap_grade": "C"}), None,
     "Red line crossed: 30-day readmission. The grade is capped at C."),
    (Step(StepCode.renormalised, {"included_weight": 3.0, "total_weight": 4.0,
                                  "excluded": ("sat",)}), None,
     "Left out: Satisfaction. The remaining weights (3 of 4) are scaled up to 100%."),
    (Step(StepCode.outlier_alarm, {"rate": 0.45, "n": 120.0, "theta0": 0.1, "lower": 0.02,
                                   "upper": 0.19, "coverage": 0.998, "side": "above",
                                   "unfavourable": True}), RATE,
     ("Funnel plot: with 120 cases, 45% lies above the 99.8% control limits (2% to 19%) around "
      "the group rate 10%, on the unfavourable side: an alarm.")),
    (Step(StepCode.outlier_warning, {"rate": 0.18, "n": 200.0, "theta0": 0.1, "lower": 0.07,
                                     "upper": 0.17, "coverage": 0.95, "side": "above",
                                     "unfavourable": True, "expected": 20.0}), RATE,
     ("Funnel plot: with 20.00 expected events, the risk-adjusted rate 18% lies above the 95% "
      "control limits (7% to 17%) around the group rate 10%, on the unfavourable side: a "
      "warning.")),
    (Step(StepCode.outlier_warning, {"rate": 0.18, "n": 200.0, "theta0": 0.1, "lower": 0.07,
                                     "upper": 0.17, "coverage": 0.95, "side": "above",
                                     "unfavourable": True, "expected": None}), RATE,
     ("Funnel plot: with 200 cases, 18% lies above the 95% control limits (7% to 17%) around "
      "the group rate 10%, on the unfavourable side: a warning.")),
])
def test_a_step_reads_as_a_sentence(request_context, step, indicator, expected):
    names = {"readm": "30-day readmission", "sat": "Satisfaction"}
    assert sentences([step], indicator, names) == [expected]


def test_every_step_of_a_real_score_renders(request_context):
    scheme = SchemeSpec((
        IndicatorSpec("readm", "quality", 2, 0.2, 0.05, kind="rate", risk_adjustable=True,
                      red_line=RedLine(0.4, "above")),
        IndicatorSpec("sat", "patient", 1, 60, 95, kind="value"),
    ), min_denominator=10, cap_grade="C", grade_bands=((85, "A"), (0, "C")))
    people = {
        1: {"readm": MeasurementInput(60, 120, expected=12.0), "sat": MeasurementInput(value=99)},
        2: {"readm": MeasurementInput(10, 110)}, 3: {"readm": MeasurementInput(1, 5)},
        4: {"readm": MeasurementInput(11, 100), "sat": MeasurementInput(value=70)},
    }
    cohort = score_cohort(scheme, people, {4: {"sat"}})
    for person in cohort.people():
        texts = sentences(person.steps) + [
            text for result in person.indicators
            for text in sentences(result.steps, RATE if result.code == "readm" else VALUE)]
        assert texts and all("%(" not in text and "—" not in text for text in texts), texts


def test_a_missing_parameter_shows_a_dash_instead_of_failing(request_context):
    assert sentence(Step(StepCode.value, {}), VALUE) == "Measured value: —."
