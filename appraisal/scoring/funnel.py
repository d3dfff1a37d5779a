"""Funnel plots (SPEC Scoring 13): each rate against 95% and 99.8% limits around the group rate.

Limits are exact binomial (:func:`stats.funnel_limits`) at the rate's denominator. When the
scheme asks for over-dispersion and the group shows some (``tau2 > 0``), they are instead the
widened normal limits ``theta0 -/+ z sqrt(theta0 (1 - theta0) / n + tau2)`` (Spiegelhalter
2005); with no over-dispersion the exact limits stay, as widening by 0 would only swap in an
approximation.

A risk-adjusted rate (``O/E x theta0``, rule 3) is judged by its expected count E instead:
the exact Poisson limits of O/E at E (:func:`stats.poisson_funnel_limits`), times theta0.
It is drawn at ``E / theta0`` "case-mix equivalent" cases, the number of average patients
that would be expected to have E events, so that one funnel curve serves every point: a
clinician with sicker patients sits further right, and is held to tighter limits, than the
same number of average patients would put them.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np

from appraisal.scoring import stats
from appraisal.scoring.results import FunnelPosition, OutlierLevel

WARNING_COVERAGE = 0.95
ALARM_COVERAGE = 0.998

NOT_PLOTTED, WITHIN, WARNING, ALARM = -1, 0, 1, 2
LEVELS = {WITHIN: OutlierLevel.within, WARNING: OutlierLevel.warning, ALARM: OutlierLevel.alarm}


@dataclass(frozen=True)
class FunnelArrays:
    """Limits and verdicts for many rates at once (NaN / NOT_PLOTTED where not plotted)."""

    theta0: float
    n: np.ndarray
    rate: np.ndarray
    lower95: np.ndarray
    upper95: np.ndarray
    lower998: np.ndarray
    upper998: np.ndarray
    level: np.ndarray
    side: np.ndarray  # +1 above theta0, -1 below, 0 within the 95% limits
    expected: np.ndarray  # E of a risk-adjusted rate (then n is E / theta0), else NaN

    @property
    def risk_adjusted(self) -> bool:
        return bool((~np.isnan(self.expected)).any())

    def position(self, i: int, lower_is_better: bool) -> FunnelPosition | None:
        """The plain-data position of row ``i`` (None when the row is not plotted)."""
        if self.level[i] == NOT_PLOTTED:
            return None
        side = {1: "above", -1: "below", 0: None}[int(self.side[i])]
        return FunnelPosition(
            rate=float(self.rate[i]),
            n=float(self.n[i]),
            theta0=self.theta0,
            lower95=float(self.lower95[i]),
            upper95=float(self.upper95[i]),
            lower998=float(self.lower998[i]),
            upper998=float(self.upper998[i]),
            level=LEVELS[int(self.level[i])],
            side=side,
            unfavourable=side == ("above" if lower_is_better else "below"),
            expected=None if np.isnan(self.expected[i]) else float(self.expected[i]),
        )


def funnel_arrays(
    rate: np.ndarray,
    n: np.ndarray,
    plotted: np.ndarray,
    theta0: float,
    tau2: float,
    expected: np.ndarray | None = None,
) -> FunnelArrays:
    """Place every ``plotted`` rate on the funnel around theta0: at its denominator ``n``, or,
    where ``expected`` is given (a risk-adjusted rate), at ``E / theta0`` with Poisson limits."""
    adjusted = plotted & ~np.isnan(expected) if expected is not None else np.zeros_like(plotted)
    if theta0 <= 0.0:  # every O/E x 0 is 0: the degenerate funnel at theta0 says all there is
        adjusted = np.zeros_like(plotted)
    unadjusted = plotted & ~adjusted
    x = np.array(n, dtype=float)
    if adjusted.any():
        x[adjusted] = expected[adjusted] / theta0
    limits = [np.full(rate.shape, np.nan) for _ in range(4)]
    for rows, compute in ((unadjusted, lambda: _limits(theta0, n[unadjusted], tau2)),
                          (adjusted, lambda: _adjusted_limits(theta0, expected[adjusted], tau2))):
        if rows.any():
            for target, values in zip(limits, compute(), strict=True):
                target[rows] = values
    lower95, upper95, lower998, upper998 = limits
    # NaN comparisons are False, so rows that are not plotted end up "within" then masked.
    beyond95 = (rate < lower95) | (rate > upper95)
    beyond998 = (rate < lower998) | (rate > upper998)
    level = np.where(beyond998, ALARM, np.where(beyond95, WARNING, WITHIN))
    level = np.where(plotted, level, NOT_PLOTTED)
    side = np.where(level > WITHIN, np.sign(rate - theta0), 0).astype(int)
    shown_expected = np.full(rate.shape, np.nan)
    shown_expected[adjusted] = expected[adjusted] if adjusted.any() else []
    return FunnelArrays(theta0, x, rate, lower95, upper95, lower998, upper998, level, side,
                        shown_expected)


def _limits(theta0: float, n: np.ndarray, tau2: float) -> tuple[np.ndarray, ...]:
    # Limits depend on n only, and many people share a denominator: compute each n once.
    unique_n, back = np.unique(n, return_inverse=True)
    lower95, upper95 = _limits_for(theta0, unique_n, WARNING_COVERAGE, tau2)
    lower998, upper998 = _limits_for(theta0, unique_n, ALARM_COVERAGE, tau2)
    return tuple(limit[back] for limit in (lower95, upper95, lower998, upper998))


def _adjusted_limits(theta0: float, expected: np.ndarray, tau2: float
                     ) -> tuple[np.ndarray, ...]:
    """Limits of risk-adjusted rates O/E x theta0, from their expected counts."""
    if tau2 > 0.0:  # the same widened normal limits, at the case-mix equivalent cases
        return _limits(theta0, expected / theta0, tau2)
    limits = []
    for coverage in (WARNING_COVERAGE, ALARM_COVERAGE):
        limits += [theta0 * limit for limit in stats._poisson_limits(expected, coverage)]
    return tuple(limits)


def _limits_for(
    theta0: float, n: np.ndarray, coverage: float, tau2: float
) -> tuple[np.ndarray, np.ndarray]:
    if tau2 > 0.0:
        return stats._widened_limits(theta0, n, coverage, tau2)
    return stats._binomial_limits(theta0, n, coverage)


@dataclass(frozen=True)
class FunnelPoint:
    """One member of a funnel plot."""

    key: Hashable
    position: FunnelPosition


@dataclass(frozen=True)
class FunnelPlot:
    """Everything needed to draw a funnel plot: the centre line, the points, and the limits
    (``limits_at``) for any denominator, so the web layer can draw the curves."""

    theta0: float
    phi: float | None
    tau2: float
    points: tuple[FunnelPoint, ...]
    risk_adjusted: bool = False  # the points are risk-adjusted rates (see the module's note)

    def limits_at(self, n: Sequence[float]) -> list[tuple[float, float, float, float]]:
        """``(lower95, upper95, lower998, upper998)`` for each denominator in ``n`` (for a
        risk-adjusted plot: case-mix equivalent cases, so E = n x theta0)."""
        n = np.asarray(n, dtype=float)
        if self.risk_adjusted and self.theta0 > 0.0:
            columns = _adjusted_limits(self.theta0, n * self.theta0, self.tau2)
        else:
            columns = _limits(self.theta0, n, self.tau2)
        return [tuple(float(v) for v in row) for row in zip(*columns, strict=True)]

    def outliers(self, level: OutlierLevel = OutlierLevel.alarm) -> tuple[FunnelPoint, ...]:
        """Points at ``level`` or beyond (alarm only, by default)."""
        rank = list(OutlierLevel).index
        return tuple(p for p in self.points if rank(p.position.level) >= rank(level))


def funnel_plot(
    events: Sequence[float],
    totals: Sequence[float],
    keys: Sequence[Hashable] | None = None,
    *,
    theta0: float | None = None,
    overdispersion: bool = False,
    lower_is_better: bool = True,
) -> FunnelPlot:
    """Funnel plot of raw proportions ``events / totals`` around ``theta0`` (by default the
    pooled rate). ``lower_is_better`` only decides which side is marked unfavourable."""
    y, n = stats._as_counts(events, totals)
    centre = float(y.sum() / n.sum()) if theta0 is None else float(theta0)
    phi, tau2 = None, 0.0
    if overdispersion and 0.0 < centre < 1.0:
        phi, tau2 = stats._overdispersion(y, n, centre)
    arrays = funnel_arrays(y / n, n, np.ones(y.shape, dtype=bool), centre, tau2)
    keys = list(range(y.size)) if keys is None else list(keys)
    points = tuple(
        FunnelPoint(key, arrays.position(i, lower_is_better)) for i, key in enumerate(keys)
    )
    return FunnelPlot(centre, phi, tau2, points)
