"""How indicator values are entered and shown: rates as percentages, stored as proportions.

The scoring core works with rates as proportions in [0, 1] (and so do thresholds, targets,
red lines and plausible ranges of rates). People think of rates in percent, so every form
takes a rate as a percentage and every page shows one; these helpers are the only place
where the factor 100 lives.
"""

from __future__ import annotations

from appraisal.indicators.models import IndicatorKind


def to_stored(kind: IndicatorKind, shown: float | None) -> float | None:
    """A value typed in a form (percent for rates) as it is stored (a proportion)."""
    if shown is None:
        return None
    # Rounding keeps 7 % as 0.07 instead of 0.07000000000000001.
    return round(shown / 100, 12) if kind is IndicatorKind.rate else shown


def to_shown(kind: IndicatorKind, stored: float | None) -> float | None:
    """A stored value as a form shows it (percent for rates)."""
    if stored is None:
        return None
    return round(stored * 100, 10) if kind is IndicatorKind.rate else stored


def number(value: float) -> str:
    """A number without trailing zeros: 85, 0.5, 3.1416 (at most four decimals)."""
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.4f}".rstrip("0").rstrip(".")


def format_value(indicator, stored: float | None) -> str:
    """A stored value with its unit, as a person reads it: "85%", "7.5 days", "—"."""
    if stored is None:
        return "—"
    if indicator.kind is IndicatorKind.rate:
        return f"{number(to_shown(indicator.kind, stored))}%"
    unit = (indicator.unit or "").strip()
    return f"{number(stored)} {unit}" if unit else number(stored)
