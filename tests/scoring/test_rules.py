"""One or more tests per scoring rule (SPEC Scoring 1-6 and 13), expected values by hand."""

import pytest

from appraisal.scoring import (
    GroupData,
    IndicatorSpec,
    MeasurementError,
    MeasurementInput,
    OutlierLevel,
    PersonStatus,
    RedLine,
    SchemeError,
    SchemeSpec,
    Status,
    StepCode,
    funnel_plot,
    grade_for,
    score_cohort,
    score_person,
    stats,
)

BANDS = ((85, "A"), (70, "B"), (50, "C"), (0, "D"))


def value_indicator(
    code="vol", dimension="efficiency", weight=1.0, threshold=100.0, target=300.0, **extra
):
    return IndicatorSpec(code, dimension, weight, threshold, target, kind="value", **extra)


def rate_indicator(
    code="mort", dimension="quality", weight=1.0, threshold=0.3, target=0.1, **extra
):
    return IndicatorSpec(code, dimension, weight, threshold, target, kind="rate", **extra)


def scheme_of(*indicators, **extra):
    return SchemeSpec(tuple(indicators), **extra)


def value(v):
    return MeasurementInput(value=v)


def rate(numerator, denominator, expected=None):
    return MeasurementInput(numerator=numerator, denominator=denominator, expected=expected)


def codes(steps):
    return [step.code for step in steps]


# ----------------------------------------------------------------------------- rule 1


@pytest.mark.parametrize(
    ("measured", "score"),
    [
        (150.0, 25.0),  # (150 - 100) / (300 - 100) * 100 = 25
        (100.0, 0.0),  # at the threshold
        (300.0, 100.0),  # at the target
        (350.0, 100.0),  # (350 - 100) / 200 * 100 = 125 -> clamped to 100
        (50.0, 0.0),  # -25 -> clamped to 0
    ],
)
def test_indicator_score_is_linear_and_clamped(measured, score):
    result = score_person(scheme_of(value_indicator()), {"vol": value(measured)}, {})
    assert result.indicator("vol").score == pytest.approx(score)
    assert (StepCode.clamped in codes(result.indicator("vol").steps)) == (measured in (350, 50))


def test_clamped_step_keeps_the_unclamped_score():
    result = score_person(scheme_of(value_indicator()), {"vol": value(350.0)}, {})
    clamped = result.indicator("vol").steps[-1]
    assert clamped.code == StepCode.clamped
    assert clamped.params == {"unclamped": pytest.approx(125.0), "score": 100.0}


def test_lower_is_better_follows_from_threshold_above_target():
    # threshold 10, target 2: value 4 -> (4 - 10) / (2 - 10) * 100 = 75
    spec = value_indicator(threshold=10.0, target=2.0)
    result = score_person(scheme_of(spec), {"vol": value(4.0)}, {})
    assert result.indicator("vol").score == pytest.approx(75.0)
    assert result.indicator("vol").steps[-1].params["direction"] == "lower_is_better"


def test_threshold_equal_to_target_is_a_configuration_error():
    with pytest.raises(SchemeError) as error:
        value_indicator(threshold=5.0, target=5.0)
    assert error.value.code == "threshold_equals_target"
    assert error.value.params == {"indicator": "vol", "value": 5.0}
    assert isinstance(error.value, ValueError)


# ----------------------------------------------------------------------------- rule 2


def test_denominator_below_minimum_is_insufficient_evidence_and_excluded():
    # min 10: 9 cases -> excluded; the value indicator (score 25) is all that is left.
    scheme = scheme_of(rate_indicator(), value_indicator(), min_denominator=10)
    result = score_person(scheme, {"mort": rate(1, 9), "vol": value(150.0)}, {})
    mortality = result.indicator("mort")
    assert mortality.status is Status.insufficient_evidence
    assert (
        mortality.score is None and mortality.share == 0.0 and mortality.raw == pytest.approx(1 / 9)
    )
    assert mortality.steps[0].params == {"denominator": 9.0, "minimum": 10}
    assert result.overall == pytest.approx(25.0)


def test_denominator_exactly_at_minimum_counts():
    # alone in its group: shrunk = own rate 2/10 = .2 -> (.2 - .3) / (.1 - .3) * 100 = 50
    scheme = scheme_of(rate_indicator(), min_denominator=10)
    result = score_person(scheme, {"mort": rate(2, 10)}, {})
    assert result.indicator("mort").status is Status.scored
    assert result.indicator("mort").score == pytest.approx(50.0)


def test_indicator_minimum_overrides_the_scheme_minimum():
    scheme = scheme_of(rate_indicator(min_denominator=20), min_denominator=5)
    result = score_person(scheme, {"mort": rate(2, 10)}, {})
    assert result.indicator("mort").status is Status.insufficient_evidence


def test_rate_is_scored_on_its_shrunk_value():
    # group y = 1 5 9, n = 10 10 10 (test_stats: pbar .5, rho .6, M = 2/3): the person with
    # 1/10 is shrunk to .125. threshold .3, target .1: (.125 - .3) / (.1 - .3) * 100 = 87.5.
    group = GroupData({"a": (1, 10), "b": (5, 10), "c": (9, 10)})
    result = score_person(
        scheme_of(rate_indicator()), {"mort": rate(1, 10)}, {"mort": group}, person_key="a"
    )
    mortality = result.indicator("mort")
    assert (mortality.raw, mortality.shrunk, mortality.used) == pytest.approx((0.1, 0.125, 0.125))
    assert mortality.score == pytest.approx(87.5)
    shrunk = next(s for s in mortality.steps if s.code == StepCode.shrunk)
    assert shrunk.params["group_rate"] == pytest.approx(0.5)
    assert shrunk.params["rho"] == pytest.approx(0.6)
    assert shrunk.params["prior_size"] == pytest.approx(2 / 3)
    assert shrunk.params["credibility"] == pytest.approx(10 / (10 + 2 / 3))
    assert shrunk.params["group_size"] == 3


def test_published_shrinkage_example_through_the_core():
    # SPEC.md example: the member with 14/40 is shrunk to .3212; n = 5 sits exactly at min 5.
    events, totals = [0, 2, 9, 2, 14, 1, 8, 0], [12, 25, 30, 18, 40, 9, 22, 5]
    measurements = {i: {"mort": rate(y, n)} for i, (y, n) in enumerate(zip(events, totals))}
    cohort = score_cohort(scheme_of(rate_indicator(), min_denominator=5), measurements)
    shrunk = [cohort.person(i).indicator("mort").shrunk for i in range(8)]
    assert shrunk == pytest.approx(stats.shrink_rates(events, totals), abs=1e-12)
    assert shrunk[4] == pytest.approx(0.3212, abs=1e-4)


def test_members_below_the_minimum_stay_out_of_the_group():
    # min 6 drops the 0/5 member: the prior comes from the other seven.
    events, totals = [0, 2, 9, 2, 14, 1, 8, 0], [12, 25, 30, 18, 40, 9, 22, 5]
    measurements = {i: {"mort": rate(y, n)} for i, (y, n) in enumerate(zip(events, totals))}
    cohort = score_cohort(scheme_of(rate_indicator(), min_denominator=6), measurements)
    expected = stats.shrink_rates(events[:7], totals[:7])
    assert [cohort.person(i).indicator("mort").shrunk for i in range(7)] == pytest.approx(expected)
    assert cohort.person(7).indicator("mort").status is Status.insufficient_evidence
    assert cohort.groups["mort"].size == 7


def test_all_rates_zero_takes_the_rho_zero_path():
    # pbar = 0 -> rho = 0: everyone is scored on the group rate 0 (no prior size, weight 0).
    measurements = {k: {"mort": rate(0, n)} for k, n in (("a", 10), ("b", 50), ("c", 200))}
    cohort = score_cohort(scheme_of(rate_indicator()), measurements)
    for key in "abc":
        mortality = cohort.person(key).indicator("mort")
        shrunk = next(s for s in mortality.steps if s.code == StepCode.shrunk)
        assert mortality.shrunk == 0.0
        assert shrunk.params["rho"] == 0.0 and shrunk.params["prior_size"] is None
        assert shrunk.params["credibility"] == 0.0
        assert mortality.score == 100.0  # 0 is better than the target .1: clamped


def test_single_member_group_keeps_the_raw_rate():
    cohort = score_cohort(scheme_of(rate_indicator()), {"only": {"mort": rate(3, 12)}})
    assert cohort.person("only").indicator("mort").shrunk == pytest.approx(0.25)
    assert cohort.groups["mort"].size == 1


def test_person_key_replaces_the_persons_entry_in_the_group():
    # The stored group still has a's old 9/10; a "what if" with 1/10 must use 1/10.
    stale = GroupData({"a": (9, 10), "b": (5, 10), "c": (9, 10)})
    result = score_person(
        scheme_of(rate_indicator()), {"mort": rate(1, 10)}, {"mort": stale}, person_key="a"
    )
    assert result.indicator("mort").shrunk == pytest.approx(0.125)


def test_person_without_key_is_added_to_the_group():
    others = GroupData({"b": (5, 10), "c": (9, 10)})
    result = score_person(scheme_of(rate_indicator()), {"mort": rate(1, 10)}, {"mort": others})
    assert result.indicator("mort").shrunk == pytest.approx(0.125)


# ----------------------------------------------------------------------------- rule 3


def test_risk_adjusted_rate_is_o_over_e_times_group_rate_then_shrunk():
    # group (3/50, 7/50): pbar = .1. Person: O = 3, E = 2 -> O/E = 1.5, adjusted = .15.
    # S = 50(.04^2) * 2 = .16, S/.09 = 16/9, rho = (16/9 - 1) / (100 - 50 - 1) = 1/63,
    # credibility = 50/63 / (50/63 + 62/63) = 50/112; shrunk = .1 + 50/112 * .05 = .1223214.
    # score: (.1223214 - .3) / (.1 - .3) * 100 = 88.839.
    scheme = scheme_of(rate_indicator(risk_adjustable=True))
    group = GroupData({"me": (3, 50), "other": (7, 50)})
    result = score_person(
        scheme, {"mort": rate(3, 50, expected=2.0)}, {"mort": group}, person_key="me"
    )
    mortality = result.indicator("mort")
    assert mortality.raw == pytest.approx(0.06)
    assert mortality.adjusted == pytest.approx(0.15)
    assert mortality.shrunk == pytest.approx(0.1 + 50 / 112 * 0.05)
    assert mortality.score == pytest.approx((0.3 - (0.1 + 50 / 112 * 0.05)) / 0.2 * 100)
    assert (mortality.smr.ratio, mortality.smr.lower, mortality.smr.upper) == pytest.approx(
        stats.smr(3, 2.0)
    )
    assert codes(mortality.steps)[:3] == [StepCode.rate, StepCode.risk_adjusted, StepCode.shrunk]


def test_expected_count_on_an_unadjustable_indicator_is_refused():
    with pytest.raises(MeasurementError) as error:
        score_person(
            scheme_of(rate_indicator()), {"mort": rate(3, 50, expected=2.0)}, {}, person_key="x"
        )
    assert error.value.code == "expected_not_allowed"
    assert error.value.params == {"indicator": "mort", "person": "x"}


def test_numerator_above_denominator_is_refused_with_the_person():
    measurements = {"ok": {"mort": rate(1, 10)}, "bad": {"mort": rate(11, 10)}}
    with pytest.raises(MeasurementError) as error:
        score_cohort(scheme_of(rate_indicator()), measurements)
    assert error.value.code == "numerator_exceeds_denominator"
    assert error.value.params["person"] == "bad"


# ----------------------------------------------------------------------------- rule 4


def test_red_line_breach_is_flagged_and_caps_the_grade():
    # serious incidents: threshold 3, target 0, red line "above 0". One incident breaches.
    # score (1 - 3) / (0 - 3) * 100 = 66.67 alone, but the cap is C.
    incidents = IndicatorSpec(
        "inc", "quality", 1.0, 3.0, 0.0, kind="count", red_line=RedLine(0.0, "above")
    )
    scheme = scheme_of(incidents, cap_grade="C", grade_bands=BANDS)
    result = score_person(scheme, {"inc": value(1.0)}, {})
    assert result.indicator("inc").red_line_breached
    assert result.red_line_breaches == ("inc",)
    assert result.grade_cap == "C"
    assert result.steps[-1].code == StepCode.red_line_breached
    assert result.steps[-1].params == {"indicators": ("inc",), "cap_grade": "C"}
    assert grade_for(95.0, scheme.grade_bands, result.grade_cap).grade == "C"


def test_red_line_limit_itself_is_allowed():
    incidents = IndicatorSpec(
        "inc", "quality", 1.0, 3.0, 0.0, kind="count", red_line=RedLine(0.0, "above")
    )
    result = score_person(scheme_of(incidents, cap_grade="C"), {"inc": value(0.0)}, {})
    assert not result.red_line_breaches and result.grade_cap is None


def test_red_line_below_is_checked_on_the_measured_not_the_shrunk_rate():
    # hand hygiene must not fall below .8. 7/10 = .7 breaches even though shrinkage toward
    # the group (.9 pooled) lifts the estimate above .8.
    hygiene = rate_indicator("hyg", threshold=0.6, target=1.0, red_line=RedLine(0.8, "below"))
    measurements = {
        "me": {"hyg": rate(7, 10)},
        "x": {"hyg": rate(92, 100)},
        "y": {"hyg": rate(91, 100)},
    }
    result = score_cohort(scheme_of(hygiene, cap_grade="C"), measurements).person("me")
    assert result.indicator("hyg").shrunk > 0.8
    assert result.red_line_breaches == ("hyg",)


def test_red_line_needs_a_cap_grade():
    with pytest.raises(SchemeError, match="red_line_without_cap_grade"):
        scheme_of(value_indicator(red_line=RedLine(5.0)))


@pytest.mark.parametrize(
    ("composite", "cap", "grade", "uncapped"),
    [
        (90.0, None, "A", "A"),
        (85.0, None, "A", "A"),  # the minimum itself reaches the band
        (84.99, None, "B", "B"),
        (90.0, "C", "C", "A"),  # capped down
        (40.0, "C", "D", "D"),  # already worse than the cap: unchanged
        (-5.0, None, "D", "D"),  # below every minimum: the lowest band
    ],
)
def test_grade_bands_and_cap(composite, cap, grade, uncapped):
    result = grade_for(composite, list(reversed(BANDS)), cap)
    assert (result.grade, result.uncapped_grade) == (grade, uncapped)
    assert (result.steps[-1].code == StepCode.capped) == (grade != uncapped)


# ----------------------------------------------------------------------------- rules 5 and 6


def two_indicator_scheme():
    # "a" weight 3 scores 40 (value 180), "b" weight 1 scores 80 (value 260).
    return scheme_of(value_indicator("a", weight=3.0), value_indicator("b", weight=1.0))


def test_exemption_excludes_and_renormalises():
    # without exemption: (3 * 40 + 1 * 80) / 4 = 50. Exempting "a" leaves b alone: 80.
    scheme = two_indicator_scheme()
    measurements = {"a": value(180.0), "b": value(260.0)}
    assert score_person(scheme, measurements, {}).overall == pytest.approx(50.0)
    result = score_person(scheme, measurements, {}, exemptions={"a"})
    assert result.overall == pytest.approx(80.0)
    assert result.indicator("a").status is Status.exempt
    assert codes(result.indicator("a").steps) == [StepCode.exempt]
    assert result.indicator("b").share == 1.0
    assert result.steps[0].code == StepCode.renormalised
    assert result.steps[0].params == {
        "included_weight": 1.0,
        "total_weight": 4.0,
        "excluded": ("a",),
    }


def test_exempting_every_indicator_leaves_no_quantitative_score():
    result = score_person(
        two_indicator_scheme(), {"a": value(180.0), "b": value(260.0)}, {}, exemptions={"a", "b"}
    )
    assert result.status is PersonStatus.no_quantitative_score
    assert result.overall is None
    assert codes(result.steps) == [StepCode.no_quantitative_score]
    assert all(d.score is None for d in result.dimensions)


def test_missing_measurement_is_no_data_and_excluded():
    result = score_person(two_indicator_scheme(), {"b": value(260.0)}, {})
    assert result.indicator("a").status is Status.no_data
    assert result.overall == pytest.approx(80.0)


def test_weighted_mean_per_dimension_and_contributions():
    # q1 (quality, w 2) scores 50, q2 (quality, w 1) scores 80, e1 (efficiency, w 1) 20.
    # overall (100 + 80 + 20) / 4 = 50; contributions 25 + 20 + 5 = 50.
    # quality: (2 * 50 + 80) / 3 = 60, share .75, contribution 45; efficiency 20, .25, 5.
    scheme = scheme_of(
        value_indicator("q1", "quality", 2.0),
        value_indicator("q2", "quality", 1.0),
        value_indicator("e1", "efficiency", 1.0),
    )
    result = score_person(scheme, {"q1": value(200.0), "q2": value(260.0), "e1": value(140.0)}, {})
    assert result.overall == pytest.approx(50.0)
    assert [r.contribution for r in result.indicators] == pytest.approx([25.0, 20.0, 5.0])
    quality, efficiency = result.dimensions
    assert (quality.dimension, quality.score, quality.share, quality.contribution) == (
        "quality",
        pytest.approx(60.0),
        pytest.approx(0.75),
        pytest.approx(45.0),
    )
    assert (efficiency.score, efficiency.share, efficiency.contribution) == pytest.approx(
        (20.0, 0.25, 5.0)
    )
    assert result.steps[-1].code == StepCode.weighted_mean


def test_scheme_without_indicators_scores_nothing():
    result = score_person(SchemeSpec(()), {}, {})
    assert result.status is PersonStatus.no_quantitative_score


# ----------------------------------------------------------------------------- rule 13


def funnel_cohort():
    # Ten members, n = 100 each, 100 events in all: theta0 = .1 exactly, so the limits are
    # the published ones: 95% .04038-.15772, 99.8% .01418-.19836.
    events = {
        "hi_alarm": 20,
        "hi_warn": 19,
        "within": 15,
        "lo_warn": 3,
        "lo_alarm": 1,
        "f1": 9,
        "f2": 9,
        "f3": 8,
        "f4": 8,
        "f5": 8,
    }
    measurements = {k: {"mort": rate(y, 100)} for k, y in events.items()}
    return score_cohort(scheme_of(rate_indicator()), measurements)


@pytest.mark.parametrize(
    ("key", "level", "side", "unfavourable"),
    [
        ("hi_alarm", OutlierLevel.alarm, "above", True),  # .20 > .19836
        ("hi_warn", OutlierLevel.warning, "above", True),  # .15772 < .19 < .19836
        ("within", OutlierLevel.within, None, False),  # .15 < .15772
        ("lo_warn", OutlierLevel.warning, "below", False),  # .01418 < .03 < .04038
        ("lo_alarm", OutlierLevel.alarm, "below", False),  # .01 < .01418; lower is better
    ],
)
def test_funnel_position_against_published_limits(key, level, side, unfavourable):
    position = funnel_cohort().person(key).indicator("mort").funnel
    assert position.theta0 == 0.1
    assert (position.lower95, position.upper95) == pytest.approx((0.04038, 0.15772), abs=1e-4)
    assert (position.lower998, position.upper998) == pytest.approx((0.01418, 0.19836), abs=1e-4)
    assert (position.level, position.side, position.unfavourable) == (level, side, unfavourable)


def test_alarm_is_a_step_and_listed_as_an_outlier():
    cohort = funnel_cohort()
    steps = cohort.person("hi_alarm").indicator("mort").steps
    assert steps[-1].code == StepCode.outlier_alarm
    assert steps[-1].params["coverage"] == 0.998
    assert {(o.indicator, o.key) for o in cohort.outliers()} == {
        ("mort", "hi_alarm"),
        ("mort", "lo_alarm"),
    }
    assert len(cohort.outliers(OutlierLevel.warning)) == 4
    assert len(cohort.funnel("mort").points) == 10


def test_funnel_curve_for_drawing():
    plot = funnel_cohort().funnel("mort")
    ((lower95, upper95, lower998, upper998),) = plot.limits_at([100])
    assert (lower95, upper95, lower998, upper998) == pytest.approx(
        (0.04038, 0.15772, 0.01418, 0.19836), abs=1e-4
    )


def test_overdispersion_widens_the_funnel():
    # Same data with the scheme asking for over-dispersion: tau2 from stats.overdispersion,
    # limits theta0 -/+ z sqrt(theta0 (1 - theta0) / n + tau2).
    events = [20, 19, 15, 3, 1, 9, 9, 8, 8, 8]
    measurements = {i: {"mort": rate(y, 100)} for i, y in enumerate(events)}
    scheme = scheme_of(rate_indicator(), funnel_overdispersion=True)
    cohort = score_cohort(scheme, measurements)
    _, tau2 = stats.overdispersion(events, [100] * 10, 0.1)
    assert tau2 > 0 and cohort.groups["mort"].tau2 == pytest.approx(tau2)
    position = cohort.person(0).indicator("mort").funnel
    assert (position.lower998, position.upper998) == pytest.approx(
        stats.widened_funnel_limits(0.1, 100, 0.998, tau2)
    )
    assert position.upper998 > 0.19836


def test_insufficient_evidence_is_not_plotted():
    measurements = {"a": {"mort": rate(1, 3)}, "b": {"mort": rate(5, 50)}}
    cohort = score_cohort(scheme_of(rate_indicator(), min_denominator=10), measurements)
    assert cohort.person("a").indicator("mort").funnel is None
    assert [p.key for p in cohort.funnel("mort").points] == ["b"]


def test_funnel_plot_from_plain_counts():
    # theta0 given as .1: the published limits at n = 100 decide every level.
    plot = funnel_plot([20, 19, 10, 1], [100] * 4, keys=["a", "b", "c", "d"], theta0=0.1)
    levels = {p.key: p.position.level for p in plot.points}
    assert levels == {
        "a": OutlierLevel.alarm,
        "b": OutlierLevel.warning,
        "c": OutlierLevel.within,
        "d": OutlierLevel.alarm,
    }
    assert [p.key for p in plot.outliers()] == ["a", "d"]
    # by default theta0 is the pooled rate: 50 / 400 = .125
    assert funnel_plot([20, 19, 10, 1], [100] * 4).theta0 == 0.125


def test_a_risk_adjusted_rate_is_judged_by_its_expected_events():
    # Ten members with 10 events in 100 cases, and "sicker" with 30 events in 100 cases where
    # 20 were expected: theta0 = 130/1100 = .1182, O/E = 1.5, adjusted rate .1773. By its
    # cases alone (binomial at n = 100: upper 95% limit .1798) that is within the limits; by
    # its expected events (Poisson at E = 20: upper 95% limit .1699) it is beyond: a warning.
    measurements = {i: {"mort": rate(10, 100, expected=10.0)} for i in range(10)}
    measurements["sicker"] = {"mort": rate(30, 100, expected=20.0)}
    cohort = score_cohort(scheme_of(rate_indicator(risk_adjustable=True)), measurements)
    theta0 = cohort.groups["mort"].rate
    position = cohort.person("sicker").indicator("mort").funnel
    lower95, upper95 = stats.poisson_funnel_limits(20.0, 0.95)
    lower998, upper998 = stats.poisson_funnel_limits(20.0, 0.998)
    assert position.rate == pytest.approx(1.5 * theta0)
    assert position.expected == 20.0 and position.n == pytest.approx(20.0 / theta0)
    assert (position.lower95, position.upper95) == pytest.approx((theta0 * lower95,
                                                                  theta0 * upper95))
    assert (position.lower998, position.upper998) == pytest.approx((theta0 * lower998,
                                                                    theta0 * upper998))
    assert position.rate > position.upper95 and position.level is OutlierLevel.warning
    assert stats.funnel_limits(theta0, 100, 0.95)[1] > position.rate  # by cases: unseen
    step = cohort.person("sicker").indicator("mort").steps[-1]
    assert step.code == StepCode.outlier_warning and step.params["expected"] == 20.0


def test_a_risk_adjusted_funnel_draws_the_curve_its_points_are_judged_by():
    measurements = {i: {"mort": rate(10 + i, 100 + 10 * i, expected=8.0 + i)}
                    for i in range(8)}
    measurements["plain"] = {"mort": rate(12, 110)}  # no expected count: judged by its cases
    cohort = score_cohort(scheme_of(rate_indicator(risk_adjustable=True)), measurements)
    plot = cohort.funnel("mort")
    assert plot.risk_adjusted
    for point in plot.points:
        position = point.position
        if point.key == "plain":
            assert position.expected is None and position.n == 110
            assert position.upper998 == pytest.approx(
                stats.funnel_limits(plot.theta0, 110, 0.998)[1])
            continue
        ((lower95, upper95, lower998, upper998),) = plot.limits_at([position.n])
        assert (position.lower95, position.upper95, position.lower998, position.upper998) \
            == pytest.approx((lower95, upper95, lower998, upper998))
    assert not funnel_cohort().funnel("mort").risk_adjusted
