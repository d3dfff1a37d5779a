"""``scheme_spec``: a scheme row as the scoring core's SchemeSpec, every field mapped."""

from __future__ import annotations

from appraisal.cycles.models import RedLineSide
from appraisal.cycles.spec import scheme_spec
from appraisal.indicators.models import Dimension, Direction, IndicatorKind
from appraisal.scoring import score_person
from appraisal.scoring.inputs import (
    BreachWhen,
    IndicatorSpec,
    Kind,
    MeasurementInput,
    RedLine,
    SchemeSpec,
)
from tests.cycles import factories


def test_every_field_is_mapped(app):
    mortality = factories.indicator("MORT", IndicatorKind.rate, risk_adjustable=True)
    alos = factories.indicator("ALOS", IndicatorKind.value, Dimension.efficiency_process)
    satisfaction = factories.indicator("SAT", IndicatorKind.value, Dimension.patient,
                                       Direction.higher)
    scheme = factories.scheme(
        factories.cycle(), min_denominator=25, cap_grade="C", funnel_overdispersion=True,
        grade_bands=[[85, "A"], [70, "B"], [55, "C"], [0, "D"]],
        items=[{"indicator": mortality, "weight": 2, "threshold": 0.05, "target": 0.01,
                    "min_denominator": 40, "red_line_limit": 0.1,
                    "red_line_side": RedLineSide.above},
               {"indicator": alos, "weight": 1, "threshold": 12, "target": 6},
               {"indicator": satisfaction, "weight": 0.5, "threshold": 60, "target": 95,
                    "red_line_limit": 50, "red_line_side": RedLineSide.below}])
    assert scheme_spec(scheme) == SchemeSpec(
        indicators=(
            IndicatorSpec("MORT", "quality_safety", 2.0, 0.05, 0.01, Kind.rate,
                          RedLine(0.1, BreachWhen.above), True, 40),
            IndicatorSpec("ALOS", "efficiency_process", 1.0, 12.0, 6.0, Kind.value),
            IndicatorSpec("SAT", "patient", 0.5, 60.0, 95.0, Kind.value,
                          RedLine(50, BreachWhen.below)),
        ),
        min_denominator=25, cap_grade="C", funnel_overdispersion=True,
        grade_bands=((85.0, "A"), (70.0, "B"), (55.0, "C"), (0.0, "D")))


def test_the_spec_scores(app):
    """The mapped spec is usable as is by the scoring core."""
    alos = factories.indicator("ALOS", IndicatorKind.value, Dimension.efficiency_process)
    scheme = factories.scheme(factories.cycle(), items=[(alos, 1, 12, 6)])
    result = score_person(scheme_spec(scheme), {"ALOS": MeasurementInput(value=9)}, {})
    assert abs(result.overall - 50) < 1e-9
