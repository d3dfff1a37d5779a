"""The statistical formulas of SPEC.md "Formulas": plain numbers and lists in, plain numbers out.

Nothing here knows about schemes, people or steps; the rules in the rest of
``appraisal.scoring`` call these functions (or their array twins, prefixed ``_``, which take
numpy arrays so that a whole cohort is computed in one call).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
from scipy import special as _special
from scipy import stats as _sp

KRIPPENDORFF_LEVELS = ("nominal", "ordinal", "interval", "ratio")


# --------------------------------------------------------------------------- funnel limits


def funnel_limits(theta0: float, n: float, coverage: float) -> tuple[float, float]:
    """Exact binomial control limits for a proportion (Spiegelhalter 2005, appendix A.1.1).

    For ``p = (1 - coverage) / 2`` (lower limit) and ``1 - p`` (upper limit): ``r`` is the
    smallest r with ``F(r) >= p`` (F the Binomial(n, theta0) CDF),
    ``a = (F(r) - p) / (F(r) - F(r - 1))`` and the limit is ``(r - a) / n``, clipped to [0, 1].
    The interpolation ``a`` turns the discrete quantile into a smooth funnel.
    When ``theta0`` is 0 or 1 every observation must equal it, so both limits are ``theta0``.
    """
    lower, upper = _binomial_limits(theta0, np.asarray([n], dtype=float), coverage)
    return float(lower[0]), float(upper[0])


def _binomial_limits(
    theta0: float, n: np.ndarray, coverage: float
) -> tuple[np.ndarray, np.ndarray]:
    """Array twin of :func:`funnel_limits`: one (lower, upper) pair per entry of ``n``."""
    _check_coverage(coverage)
    if not 0.0 <= theta0 <= 1.0:
        raise ValueError(f"theta0 must lie in [0, 1], got {theta0}")
    if np.any(n < 1) or np.any(n != np.floor(n)):
        raise ValueError("every n must be a whole number of at least 1")
    if theta0 in (0.0, 1.0):
        # The interpolation is meaningless for a degenerate binomial (it would put the
        # limits of theta0 = 1 below 1 and flag everyone), so the funnel collapses to theta0.
        same = np.full(n.shape, float(theta0))
        return same, same.copy()
    p = (1.0 - coverage) / 2.0
    return _binomial_limit(theta0, n, p), _binomial_limit(theta0, n, 1.0 - p)


def _binomial_limit(theta0: float, n: np.ndarray, prob: float) -> np.ndarray:
    r = _smallest_r_with_cdf_at_least(theta0, n, prob)
    cdf_r = _binomial_cdf(r, n, theta0)
    a = (cdf_r - prob) / (cdf_r - _binomial_cdf(r - 1, n, theta0))
    return np.clip((r - a) / n, 0.0, 1.0)


def _binomial_cdf(r: np.ndarray, n: np.ndarray, theta0: float) -> np.ndarray:
    # special.bdtr is the binomial CDF as a bare ufunc: scipy.stats.binom adds tens of
    # microseconds of argument checking per call, which a "what if" pays 40 times over.
    # bdtr is NaN below 0, where the CDF is 0.
    successes = np.maximum(r, 0.0).astype(np.int64)
    return np.where(r < 0, 0.0, _special.bdtr(successes, n.astype(np.int64), theta0))


def _smallest_r_with_cdf_at_least(theta0: float, n: np.ndarray, prob: float) -> np.ndarray:
    # bdtrik inverts the continuous (incomplete beta) version of the CDF, so its ceiling is
    # the answer up to rounding; then step until the discrete definition holds exactly.
    r = np.ceil(_special.bdtrik(prob, n, theta0))
    unresolved = np.isnan(r)
    if unresolved.any():  # only there: binom.ppf costs more than everything else here
        r[unresolved] = _sp.binom.ppf(prob, n[unresolved], theta0)
    r = np.clip(r, 0.0, n)
    while (too_high := _binomial_cdf(r - 1, n, theta0) >= prob).any():
        r = np.where(too_high, r - 1, r)
    while (too_low := _binomial_cdf(r, n, theta0) < prob).any():
        r = np.where(too_low, r + 1, r)
    return r


def poisson_funnel_limits(expected: float, coverage: float) -> tuple[float, float]:
    """Exact Poisson control limits for a standardised ratio O/E whose target is 1
    (Spiegelhalter 2005, appendix A: the Poisson case, interpolated as for a proportion).

    For ``p = (1 - coverage) / 2`` and ``1 - p``: ``r`` is the smallest r with ``F(r) >= p``
    (F the Poisson(E) CDF), ``a = (F(r) - p) / (F(r) - F(r - 1))`` and the limit is
    ``(r - a) / E``. The precision of a risk-adjusted rate is its expected count E, not its
    number of cases: a clinician of sicker patients is judged on the events expected of them.
    """
    lower, upper = _poisson_limits(np.asarray([expected], dtype=float), coverage)
    return float(lower[0]), float(upper[0])


def _poisson_limits(expected: np.ndarray, coverage: float) -> tuple[np.ndarray, np.ndarray]:
    """Array twin of :func:`poisson_funnel_limits`."""
    _check_coverage(coverage)
    if np.any(~(expected > 0)):
        raise ValueError("every expected count must be positive")
    p = (1.0 - coverage) / 2.0
    return _poisson_limit(expected, p), _poisson_limit(expected, 1.0 - p)


def _poisson_limit(expected: np.ndarray, prob: float) -> np.ndarray:
    # Start from the Cornish-Fisher approximation of the quantile (poisson.ppf costs ~20 times
    # more, and every risk-adjusted rate has its own E), then step until the discrete
    # definition holds exactly, re-evaluating the CDF only where the start was off.
    z = _special.ndtri(prob)
    r = np.maximum(np.round(expected + z * np.sqrt(expected) + (z * z - 1.0) / 6.0), 0.0)
    cdf_r, cdf_before = _poisson_cdf(r, expected), _poisson_cdf(r - 1, expected)
    while (off := (cdf_before >= prob) | (cdf_r < prob)).any():
        step = np.where(cdf_r[off] < prob, 1.0, -1.0)
        r[off] += step
        cdf_r[off] = _poisson_cdf(r[off], expected[off])
        cdf_before[off] = _poisson_cdf(r[off] - 1, expected[off])
    a = (cdf_r - prob) / (cdf_r - cdf_before)
    return np.maximum((r - a) / expected, 0.0)


def _poisson_cdf(r: np.ndarray, expected: np.ndarray) -> np.ndarray:
    return np.where(r < 0, 0.0, _special.pdtr(np.maximum(r, 0.0), expected))


def widened_funnel_limits(
    theta0: float, n: float, coverage: float, tau2: float
) -> tuple[float, float]:
    """Control limits widened for over-dispersion by an additive random effect.

    Normal approximation of Spiegelhalter (2005), section 3.2:
    ``theta0 -/+ z * sqrt(s^2 + tau2)`` with ``s^2 = theta0 (1 - theta0) / n`` and ``z`` the
    standard normal quantile at ``1 - (1 - coverage) / 2``; clipped to [0, 1].
    """
    lower, upper = _widened_limits(theta0, np.asarray([n], dtype=float), coverage, tau2)
    return float(lower[0]), float(upper[0])


def _widened_limits(
    theta0: float, n: np.ndarray, coverage: float, tau2: float
) -> tuple[np.ndarray, np.ndarray]:
    _check_coverage(coverage)
    z = _special.ndtri(1.0 - (1.0 - coverage) / 2.0)
    half_width = z * np.sqrt(theta0 * (1.0 - theta0) / n + tau2)
    return np.clip(theta0 - half_width, 0.0, 1.0), np.clip(theta0 + half_width, 0.0, 1.0)


class Overdispersion(NamedTuple):
    """Over-dispersion of a set of proportions around theta0: ``phi`` and additive ``tau2``."""

    phi: float
    tau2: float


def overdispersion(
    events: Sequence[float], totals: Sequence[float], theta0: float
) -> Overdispersion:
    """Over-dispersion estimate for a funnel plot (Spiegelhalter 2005, sections 3.1-3.2).

    z-scores ``(p_i - theta0) / s_i`` with ``s_i^2 = theta0 (1 - theta0) / n_i`` are
    winsorised at their 10th and 90th percentiles (numpy's linear interpolation), so a few
    true outliers do not inflate the estimate; ``phi = sum(z^2) / I``;
    ``tau2 = max(0, (I phi - (I - 1)) / (sum(w) - sum(w^2) / sum(w)))`` with ``w_i = 1/s_i^2``.
    """
    y, n = _as_counts(events, totals)
    return _overdispersion(y, n, theta0)


def _overdispersion(y: np.ndarray, n: np.ndarray, theta0: float) -> Overdispersion:
    if not 0.0 < theta0 < 1.0:
        raise ValueError(f"theta0 must lie strictly between 0 and 1, got {theta0}")
    if y.size == 0:
        raise ValueError("over-dispersion needs at least one unit")
    variance = theta0 * (1.0 - theta0) / n
    z = (y / n - theta0) / np.sqrt(variance)
    low, high = np.percentile(z, [10.0, 90.0])
    units = z.size
    phi = float(np.sum(np.clip(z, low, high) ** 2) / units)
    w = 1.0 / variance
    denominator = float(w.sum() - (w**2).sum() / w.sum())
    if denominator <= 0.0:  # a single unit: no between-unit variance to estimate
        return Overdispersion(phi, 0.0)
    return Overdispersion(phi, max(0.0, (units * phi - (units - 1)) / denominator))


# --------------------------------------------------------------------------- SMR


def smr(observed: float, expected: float, coverage: float = 0.95) -> tuple[float, float, float]:
    """Standardised ratio O/E with its exact Poisson confidence limits.

    ``lower = chi2.ppf(p, 2 O) / 2 / E`` (0 when O = 0),
    ``upper = chi2.ppf(1 - p, 2 O + 2) / 2 / E``
    with ``p = (1 - coverage) / 2``. Returns ``(O/E, lower, upper)``.
    """
    _check_coverage(coverage)
    if observed < 0:
        raise ValueError(f"observed must not be negative, got {observed}")
    if not expected > 0:
        raise ValueError(f"expected must be positive, got {expected}")
    lower, upper = _poisson_ratio_limits(
        np.asarray([observed], dtype=float), np.asarray([expected], dtype=float), coverage
    )
    return observed / expected, float(lower[0]), float(upper[0])


def _poisson_ratio_limits(
    observed: np.ndarray, expected: np.ndarray, coverage: float
) -> tuple[np.ndarray, np.ndarray]:
    """Array twin of :func:`smr`'s limits. ``chi2.ppf(q, 2k) / 2`` is the gamma quantile
    ``gammaincinv(k, q)``; the bare ufunc avoids scipy.stats' per-call overhead."""
    p = (1.0 - coverage) / 2.0
    with np.errstate(invalid="ignore"):  # gammaincinv(0, p) is NaN; O = 0 takes 0 instead
        lower = np.where(observed > 0, _special.gammaincinv(observed, p) / expected, 0.0)
    upper = _special.gammaincinv(observed + 1.0, 1.0 - p) / expected
    return lower, upper


# --------------------------------------------------------------------------- shrinkage


def shrinkage_prior(events: Sequence[float], totals: Sequence[float]) -> tuple[float, float]:
    """Beta-binomial prior by the method of moments: ``(pbar, rho)``.

    ``pbar = sum(y) / N``; ``S = sum(n_i (p_i - pbar)^2)``;
    ``rho = max(0, (S / (pbar (1 - pbar)) - (k - 1)) / (N - sum(n_i^2) / N - (k - 1)))``,
    additionally capped at 1 (beyond 1 the prior size ``M = 1/rho - 1`` would turn negative,
    so 1 means "no shrinkage"). rho is 0 when it cannot be estimated: pbar is 0 or 1 (no
    variation at all), or the denominator is not positive (one member, or every n_i = 1).
    """
    y, n = _as_counts(events, totals)
    return _shrinkage_prior(y, n)


def _shrinkage_prior(y: np.ndarray, n: np.ndarray) -> tuple[float, float]:
    if y.size == 0:
        raise ValueError("the comparison group is empty")
    total = float(n.sum())
    pbar = float(y.sum()) / total
    if pbar <= 0.0 or pbar >= 1.0:
        return pbar, 0.0
    members = y.size
    spread = float(np.sum(n * (y / n - pbar) ** 2))
    denominator = total - float(np.sum(n**2)) / total - (members - 1)
    if denominator <= 0.0:
        return pbar, 0.0
    rho = (spread / (pbar * (1.0 - pbar)) - (members - 1)) / denominator
    return pbar, min(1.0, max(0.0, rho))


def credibility(n: np.ndarray | float, rho: float) -> np.ndarray | float:
    """Weight ``n / (n + M)`` of a member's own rate, written via rho so that rho = 0 needs no
    infinite M: ``n rho / (n rho + 1 - rho)``."""
    return n * rho / (n * rho + 1.0 - rho)


def shrink_rates(events: Sequence[float], totals: Sequence[float]) -> list[float]:
    """Empirical-Bayes rates: ``(y_i + pbar M) / (n_i + M)`` with ``M = 1/rho - 1``.

    The prior comes from :func:`shrinkage_prior` over all the members given; when rho = 0
    every rate is pbar. Small samples move toward pbar, large ones barely move.
    """
    y, n = _as_counts(events, totals)
    pbar, rho = _shrinkage_prior(y, n)
    if rho == 0.0:
        return [pbar] * y.size
    prior_size = 1.0 / rho - 1.0
    return [float(v) for v in (y + pbar * prior_size) / (n + prior_size)]


# --------------------------------------------------------------------------- agreement


def icc(table: Sequence[Sequence[float]]) -> dict[str, float]:
    """The six intraclass correlations of Shrout & Fleiss (1979).

    ``table``: rows = rated subjects (targets), columns = raters (judges), complete. From the
    two-way ANOVA mean squares BMS (targets), WMS (within targets), JMS (judges), EMS
    (residual). A coefficient whose denominator is 0 (no variation at all) is NaN.
    """
    data = np.asarray(table, dtype=float)
    if data.ndim != 2 or data.shape[0] < 2 or data.shape[1] < 2 or np.isnan(data).any():
        raise ValueError("icc needs a complete table of at least 2 subjects x 2 raters")
    n, k = data.shape
    bms, wms, jms, ems = _icc_mean_squares(data)
    return {
        "ICC1": _ratio(bms - wms, bms + (k - 1) * wms),
        "ICC2": _ratio(bms - ems, bms + (k - 1) * ems + k * (jms - ems) / n),
        "ICC3": _ratio(bms - ems, bms + (k - 1) * ems),
        "ICC1k": _ratio(bms - wms, bms),
        "ICC2k": _ratio(bms - ems, bms + (jms - ems) / n),
        "ICC3k": _ratio(bms - ems, bms),
    }


def _icc_mean_squares(data: np.ndarray) -> tuple[float, float, float, float]:
    n, k = data.shape
    grand = data.mean()
    between_targets = k * np.sum((data.mean(axis=1) - grand) ** 2)
    between_judges = n * np.sum((data.mean(axis=0) - grand) ** 2)
    total = np.sum((data - grand) ** 2)
    within_targets = total - between_targets
    residual = within_targets - between_judges
    return (
        float(between_targets / (n - 1)),
        float(within_targets / (n * (k - 1))),
        float(between_judges / (k - 1)),
        float(residual / ((n - 1) * (k - 1))),
    )


def krippendorff_alpha(data: Sequence[Sequence[float | None]], level: str) -> float:
    """Krippendorff's alpha from the coincidence matrix (Krippendorff 2011).

    ``data``: rows = raters, columns = units, ``None`` (or NaN) = missing. Units with fewer
    than two values are dropped. ``level``: nominal, ordinal, interval or ratio.
    ``alpha = 1 - (n - 1) sum(o_ck d2_ck) / sum(n_c n_k d2_ck)``; NaN when every pairable
    value is the same (no disagreement is possible, so agreement is undefined).
    """
    if level not in KRIPPENDORFF_LEVELS:
        raise ValueError(f"level must be one of {', '.join(KRIPPENDORFF_LEVELS)}, got {level!r}")
    values, coincidences = _coincidence_matrix(data)
    marginals = coincidences.sum(axis=1)
    total = marginals.sum()
    d2 = _squared_distances(values, marginals, level)
    expected = float(np.sum(np.outer(marginals, marginals) * d2))
    return _ratio(-(total - 1) * float(np.sum(coincidences * d2)), expected, offset=1.0)


def _coincidence_matrix(data: Sequence[Sequence[float | None]]) -> tuple[np.ndarray, np.ndarray]:
    units = [
        [float(v) for v in column if v is not None and not math.isnan(v)]
        for column in zip(*data, strict=True)
    ]
    units = [unit for unit in units if len(unit) >= 2]
    if not units:
        raise ValueError("no unit has two or more values")
    values = np.array(sorted({v for unit in units for v in unit}))
    index = {v: i for i, v in enumerate(values)}
    matrix = np.zeros((values.size, values.size))
    for unit in units:
        for i, c in enumerate(unit):
            for j, k in enumerate(unit):
                if i != j:
                    matrix[index[c], index[k]] += 1.0 / (len(unit) - 1)
    return values, matrix


def _squared_distances(values: np.ndarray, marginals: np.ndarray, level: str) -> np.ndarray:
    c, k = np.meshgrid(values, values, indexing="ij")
    if level == "nominal":
        return (c != k).astype(float)
    if level == "interval":
        return (c - k) ** 2
    if level == "ratio":
        sums = c + k
        return np.divide((c - k) ** 2, sums**2, out=np.zeros_like(sums), where=sums != 0)
    # ordinal: the marginal mass lying between the two ranks, half of each end included
    cumulative = np.concatenate([[0.0], np.cumsum(marginals)])
    low, high = np.meshgrid(np.arange(values.size), np.arange(values.size), indexing="ij")
    first, last = np.minimum(low, high), np.maximum(low, high)
    between = cumulative[last + 1] - cumulative[first]
    return (between - (marginals[low] + marginals[high]) / 2.0) ** 2


# --------------------------------------------------------------------------- helpers


def _as_counts(events: Sequence[float], totals: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(events, dtype=float)
    n = np.asarray(totals, dtype=float)
    if y.shape != n.shape or y.ndim != 1:
        raise ValueError("events and totals must be flat lists of the same length")
    if np.any(n <= 0) or np.any(y < 0) or np.any(y > n):
        raise ValueError("every total must be positive and every 0 <= event <= total")
    return y, n


def _check_coverage(coverage: float) -> None:
    if not 0.0 < coverage < 1.0:
        raise ValueError(f"coverage must lie strictly between 0 and 1, got {coverage}")


def _ratio(numerator: float, denominator: float, offset: float = 0.0) -> float:
    if denominator == 0.0:
        return math.nan
    return offset + numerator / denominator
