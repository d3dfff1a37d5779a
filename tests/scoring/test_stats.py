"""appraisal.scoring.stats against published values, hand computations and properties."""

import itertools
import math

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy.stats import binom, poisson

from appraisal.scoring import stats

TOL = 1e-4

# ----------------------------------------------------------------------------- published values


@pytest.mark.parametrize(
    ("coverage", "lower", "upper"),
    [
        # Spiegelhalter DJ (2005) Funnel plots for comparing institutional performance,
        # Stat Med 24:1185-1202, appendix A.1.1 worked example: theta0 = 0.1, n = 100.
        (0.95, 0.04038, 0.15772),
        (0.998, 0.01418, 0.19836),
    ],
)
def test_funnel_limits_published(coverage, lower, upper):
    assert stats.funnel_limits(0.10, 100, coverage) == pytest.approx((lower, upper), abs=TOL)


def poisson_limit_by_definition(expected: float, prob: float) -> float:
    """The interpolated Poisson limit computed straight from its definition, by walking the
    CDF of scipy.stats.poisson one count at a time (no shortcut shared with the code)."""
    r = 0
    while poisson.cdf(r, expected) < prob:
        r += 1
    cdf_r, cdf_before = poisson.cdf(r, expected), poisson.cdf(r - 1, expected)
    return max(0.0, (r - (cdf_r - prob) / (cdf_r - cdf_before)) / expected)


@pytest.mark.parametrize("expected", [0.3, 1.0, 2.5, 7.2, 19.99, 64.0, 350.5])
@pytest.mark.parametrize("coverage", [0.95, 0.998])
def test_poisson_funnel_limits_follow_their_definition(expected, coverage):
    p = (1 - coverage) / 2
    assert stats.poisson_funnel_limits(expected, coverage) == pytest.approx(
        (poisson_limit_by_definition(expected, p), poisson_limit_by_definition(expected, 1 - p)),
        abs=1e-9)


@pytest.mark.parametrize("expected", [2.0, 10.0, 50.0, 500.0])
@pytest.mark.parametrize("coverage", [0.95, 0.998])
def test_poisson_funnel_limits_are_the_rare_event_limit_of_the_binomial_ones(expected, coverage):
    # Binomial(n, E/n) tends to Poisson(E): with n = 10^6 the binomial funnel (pinned above to
    # Spiegelhalter's published values) divided by theta0 must give the Poisson limits of O/E.
    n = 10**6
    theta0 = expected / n
    lower, upper = stats.funnel_limits(theta0, n, coverage)
    assert stats.poisson_funnel_limits(expected, coverage) == pytest.approx(
        (lower / theta0, upper / theta0), rel=1e-4, abs=1e-4)


def test_poisson_funnel_limits_narrow_as_more_events_are_expected():
    widths = [upper - lower for lower, upper in
              (stats.poisson_funnel_limits(e, 0.998) for e in (5, 20, 80, 320))]
    assert widths == sorted(widths, reverse=True)
    with pytest.raises(ValueError):
        stats.poisson_funnel_limits(0.0, 0.95)


def test_smr_published():
    # SPEC.md "Formulas" example (exact Poisson limits): O = 9, E = 835.8835612.
    ratio, lower, upper = stats.smr(9, 835.8835612)
    assert ratio == pytest.approx(9 / 835.8835612)
    assert (lower, upper) == pytest.approx((0.004923, 0.020439), abs=1e-6)


def test_shrink_rates_published():
    # SPEC.md "Formulas" beta-binomial method-of-moments example.
    shrunk = stats.shrink_rates([0, 2, 9, 2, 14, 1, 8, 0], [12, 25, 30, 18, 40, 9, 22, 5])
    expected = [0.1108, 0.1260, 0.2784, 0.1556, 0.3212, 0.1749, 0.3148, 0.1570]
    assert shrunk == pytest.approx(expected, abs=TOL)


SHROUT_FLEISS = [
    [9, 2, 5, 8],
    [6, 1, 3, 2],
    [8, 4, 6, 8],
    [7, 1, 2, 6],
    [10, 5, 6, 9],
    [6, 2, 4, 7],
]


def test_icc_published():
    # Shrout PE & Fleiss JL (1979) Intraclass correlations: uses in assessing rater
    # reliability, Psychol Bull 86:420-428, table 2 (6 targets x 4 judges) and table 4.
    expected = {
        "ICC1": 0.1657,
        "ICC2": 0.2898,
        "ICC3": 0.7148,
        "ICC1k": 0.4428,
        "ICC2k": 0.6201,
        "ICC3k": 0.9093,
    }
    result = stats.icc(SHROUT_FLEISS)
    assert result.keys() == expected.keys()
    for key, value in expected.items():
        assert result[key] == pytest.approx(value, abs=TOL), key


_ = None
KRIPPENDORFF = [  # rows = observers A-D, columns = 12 units, None = missing
    [1, 2, 3, 3, 2, 1, 4, 1, 2, _, _, _],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, _, 3],
    [_, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, _],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, _],
]


@pytest.mark.parametrize(
    ("level", "alpha"),
    # Krippendorff K (2011) Computing Krippendorff's alpha-reliability, Annenberg School for
    # Communication Departmental Papers 43, section C (4 observers, 12 units, missing data).
    [("nominal", 0.7434), ("ordinal", 0.8154), ("interval", 0.8491), ("ratio", 0.7974)],
)
def test_krippendorff_alpha_published(level, alpha):
    assert stats.krippendorff_alpha(KRIPPENDORFF, level) == pytest.approx(alpha, abs=TOL)


# ----------------------------------------------------------------------------- hand computed


def test_shrinkage_hand_computed():
    # y = 1 5 9, n = 10 10 10: pbar = 15/30 = .5; S = 10(.16 + 0 + .16) = 3.2;
    # S/(pbar(1-pbar)) = 12.8; rho = (12.8 - 2) / (30 - 300/30 - 2) = 10.8/18 = .6;
    # M = 1/.6 - 1 = 2/3; shrunk(1/10) = (1 + .5 * 2/3) / (10 + 2/3) = (4/3)/(32/3) = .125.
    assert stats.shrinkage_prior([1, 5, 9], [10, 10, 10]) == pytest.approx((0.5, 0.6))
    assert stats.shrink_rates([1, 5, 9], [10, 10, 10]) == pytest.approx([0.125, 0.5, 0.875])


def test_shrinkage_all_zero_takes_the_rho_zero_path():
    # pbar = 0: no variation at all, rho = 0 and every rate is pbar.
    assert stats.shrinkage_prior([0, 0, 0], [5, 10, 20]) == (0.0, 0.0)
    assert stats.shrink_rates([0, 0, 0], [5, 10, 20]) == [0.0, 0.0, 0.0]


def test_shrinkage_less_spread_than_chance_gives_rho_zero():
    # y = 2 4, n = 10 10: pbar = .3, S = .2, S/.21 = .952 < k - 1 = 1, so rho = max(0, <0) = 0.
    assert stats.shrink_rates([2, 4], [10, 10]) == pytest.approx([0.3, 0.3])


def test_shrinkage_rho_is_capped_at_one():
    # y = 0 10, n = 10 10: pbar = .5, S/(pbar(1-pbar)) = 20, rho = 19 / 9 > 1 -> capped at 1,
    # M = 0: the rates stay as they are (a negative M would push them past the raw rates).
    assert stats.shrinkage_prior([0, 10], [10, 10]) == (0.5, 1.0)
    assert stats.shrink_rates([0, 10], [10, 10]) == pytest.approx([0.0, 1.0])


def test_shrinkage_single_member_keeps_its_rate():
    # k = 1: denominator N - N - 0 = 0, rho = 0, and pbar is the member's own rate.
    assert stats.shrink_rates([3], [12]) == pytest.approx([0.25])


def test_overdispersion_hand_computed():
    # theta0 = .5, n = 100: s = .05, z = -2 -1 0 1 2. 10th/90th percentiles (linear) = -/+1.6,
    # winsorised z = -1.6 -1 0 1 1.6, phi = (2 * 2.56 + 2) / 5 = 1.424.
    # w = 400 each: sum w = 2000, sum w^2 / sum w = 400; tau2 = (5 * 1.424 - 4) / 1600 = .00195.
    result = stats.overdispersion([40, 45, 50, 55, 60], [100] * 5, 0.5)
    assert result.phi == pytest.approx(1.424)
    assert result.tau2 == pytest.approx(0.00195)
    # widened: .5 -/+ 1.959964 * sqrt(.0025 + .00195) = .5 -/+ .130746
    lower, upper = stats.widened_funnel_limits(0.5, 100, 0.95, result.tau2)
    assert (lower, upper) == pytest.approx((0.369254, 0.630746), abs=1e-6)


def test_overdispersion_none_gives_tau2_zero():
    # every rate equal to theta0: z = 0, phi = 0, I phi - (I - 1) < 0 -> tau2 = 0
    assert stats.overdispersion([10, 20, 5], [100, 200, 50], 0.1) == (0.0, 0.0)


def test_smr_zero_observed_has_zero_lower_limit():
    # upper = chi2.ppf(.975, 2) / 2 / E = 7.3778 / 2 / 4 = .92222 (= -ln(.025) / 4)
    assert stats.smr(0, 4) == pytest.approx((0.0, 0.0, -math.log(0.025) / 4))


def test_funnel_limits_degenerate_theta0():
    assert stats.funnel_limits(0.0, 50, 0.95) == (0.0, 0.0)
    assert stats.funnel_limits(1.0, 50, 0.95) == (1.0, 1.0)


def test_icc_perfect_agreement():
    assert stats.icc([[1, 1], [2, 2], [3, 3]])["ICC1"] == pytest.approx(1.0)


def test_krippendorff_undefined_without_variation():
    assert math.isnan(stats.krippendorff_alpha([[1, 1], [1, 1]], "nominal"))


@pytest.mark.parametrize(
    "call",
    [
        lambda: stats.funnel_limits(0.1, 0, 0.95),
        lambda: stats.funnel_limits(1.5, 10, 0.95),
        lambda: stats.funnel_limits(0.1, 10, 1.0),
        lambda: stats.smr(1, 0),
        lambda: stats.shrink_rates([3], [2]),
        lambda: stats.shrink_rates([], []),
        lambda: stats.icc([[1, 2]]),
        lambda: stats.krippendorff_alpha(KRIPPENDORFF, "cardinal"),
        lambda: stats.overdispersion([1], [10], 0.0),
    ],
)
def test_invalid_inputs_raise_value_error(call):
    with pytest.raises(ValueError):
        call()


# ----------------------------------------------------------------------------- properties

thetas = st.floats(min_value=0.001, max_value=0.999)
coverages = st.sampled_from([0.8, 0.9, 0.95, 0.99, 0.998])


@settings(deadline=None)
@given(theta0=thetas, n=st.integers(1, 400), coverage=coverages)
def test_funnel_limits_follow_the_definition(theta0, n, coverage):
    # Brute force A.1.1: walk r up from 0 until F(r) >= p, then interpolate.
    def limit(p):
        r = next(r for r in range(n + 1) if binom.cdf(r, n, theta0) >= p)
        cdf, before = binom.cdf(r, n, theta0), binom.cdf(r - 1, n, theta0)
        return min(1.0, max(0.0, (r - (cdf - p) / (cdf - before)) / n))

    p = (1 - coverage) / 2
    assert stats.funnel_limits(theta0, n, coverage) == pytest.approx(
        (limit(p), limit(1 - p)), abs=1e-9
    )


@settings(deadline=None)
@given(theta0=thetas, n=st.integers(1, 5000), coverage=coverages)
def test_funnel_limits_bracket_theta0(theta0, n, coverage):
    # With less than about one expected event (or non-event) the interpolated limits can
    # sit on one side of theta0, a known property of the discrete funnel, so we ask for one.
    assume(n * min(theta0, 1 - theta0) >= 1)
    lower, upper = stats.funnel_limits(theta0, n, coverage)
    assert 0.0 <= lower <= theta0 <= upper <= 1.0


@settings(deadline=None)
@given(theta0=thetas, n=st.integers(1, 5000))
def test_funnel_limits_narrow_as_n_grows(theta0, n):
    assume(n * min(theta0, 1 - theta0) >= 1)
    for coverage in (0.95, 0.998):
        lower, upper = stats.funnel_limits(theta0, n, coverage)
        lower4, upper4 = stats.funnel_limits(theta0, 4 * n, coverage)
        assert upper4 - lower4 <= upper - lower + 1e-12
    inner, outer = stats.funnel_limits(theta0, n, 0.95), stats.funnel_limits(theta0, n, 0.998)
    assert outer[0] <= inner[0] and inner[1] <= outer[1]


@settings(deadline=None)
@given(observed=st.integers(0, 500), expected=st.floats(0.01, 500), coverage=coverages)
def test_smr_interval_contains_the_ratio(observed, expected, coverage):
    ratio, lower, upper = stats.smr(observed, expected, coverage)
    assert 0.0 <= lower <= ratio <= upper


@st.composite
def groups(draw, max_size=12):
    totals = draw(st.lists(st.integers(1, 300), min_size=1, max_size=max_size))
    events = [draw(st.integers(0, n)) for n in totals]
    return events, totals


@settings(deadline=None)
@given(groups())
def test_shrunk_rates_lie_between_raw_and_pooled(group):
    events, totals = group
    pooled = sum(events) / sum(totals)
    for y, n, shrunk in zip(events, totals, stats.shrink_rates(events, totals), strict=True):
        assert min(y / n, pooled) - 1e-12 <= shrunk <= max(y / n, pooled) + 1e-12


@settings(deadline=None)
@given(groups())
def test_shrinkage_moves_large_samples_less(group):
    # The weight on a member's own rate, n rho / (n rho + 1 - rho), never falls as n grows.
    events, totals = group
    _, rho = stats.shrinkage_prior(events, totals)
    weights = [stats.credibility(n, rho) for n in sorted(totals)]
    assert all(a <= b + 1e-15 for a, b in itertools.pairwise(weights))


@settings(deadline=None)
@given(groups(max_size=30), st.floats(0.01, 0.99))
def test_overdispersion_is_never_negative(group, theta0):
    phi, tau2 = stats.overdispersion(*group, theta0)
    assert phi >= 0.0 and tau2 >= 0.0


@settings(deadline=None)
@given(st.lists(st.lists(st.integers(1, 5), min_size=3, max_size=3), min_size=2, max_size=8))
def test_icc_average_measures_at_least_single_when_positive(table):
    result = stats.icc(table)
    for single, average in (("ICC1", "ICC1k"), ("ICC2", "ICC2k"), ("ICC3", "ICC3k")):
        if result[single] > 0:  # Spearman-Brown: averaging k raters raises positive reliability
            assert result[average] >= result[single] - 1e-12


@settings(deadline=None)
@given(
    st.lists(
        st.lists(st.one_of(st.none(), st.integers(1, 4)), min_size=5, max_size=5),
        min_size=2,
        max_size=4,
    )
)
def test_krippendorff_perfect_agreement_is_one(rows):
    # Copy one rater to a second one: on every unit with two values they agree.
    agreeing = [rows[0], list(rows[0])]
    values = [v for v in rows[0] if v is not None]
    assume(len(set(values)) >= 2)
    for level in stats.KRIPPENDORFF_LEVELS:
        assert stats.krippendorff_alpha(agreeing, level) == pytest.approx(1.0)
