"""Who may do what with the library, and what makes an entry valid: pure, no queries."""

from __future__ import annotations

import math
from dataclasses import dataclass

from appraisal.core.i18n import lazy_gettext as _l
from appraisal.indicators.models import Dimension, Direction, IndicatorKind
from appraisal.indicators.units import number, to_shown


def can_manage_indicators(user) -> bool:
    """The library is configured by the performance office."""
    return user.is_admin


def can_read_indicator(user) -> bool:
    """Everybody measured on an indicator may read what it means (any logged-in user)."""
    return user.is_authenticated


@dataclass
class IndicatorValues:
    """The editable fields of an indicator, in stored units (rates as proportions)."""

    code: str
    name: str
    explanation: str
    dimension: Dimension
    kind: IndicatorKind
    unit: str
    direction: Direction
    data_source: str
    risk_adjustable: bool
    plausible_min: float | None
    plausible_max: float | None

    def cleaned(self) -> IndicatorValues:
        return IndicatorValues(**dict(vars(self), code=self.code.strip(), name=self.name.strip(),
                                      explanation=self.explanation.strip(),
                                      unit=(self.unit or "").strip()))


Problem = tuple[str | None, object]  # (form field or None, message)


def indicator_problems(values: IndicatorValues) -> list[Problem]:
    """Everything wrong with ``values`` taken alone (uniqueness and usage are checked apart)."""
    problems: list[Problem] = []
    if values.risk_adjustable and values.kind is not IndicatorKind.rate:
        problems.append(("risk_adjustable", _l(
            "Only a rate can be risk-adjusted (observed against expected events); "
            "%(kind)s indicators cannot.", kind=values.kind.label.lower())))
    problems += _range_problems(values)
    return problems


def _range_problems(values: IndicatorValues) -> list[Problem]:
    low, high, kind = values.plausible_min, values.plausible_max, values.kind
    problems: list[Problem] = []
    for name, bound in (("plausible_min", low), ("plausible_max", high)):
        if bound is None:
            continue
        if not math.isfinite(bound):
            problems.append((name, _l("Enter an ordinary number.")))
        elif kind is IndicatorKind.rate and not 0 <= bound <= 1:
            problems.append((name, _l(
                "A rate is entered as a percentage between 0 and 100 (you entered %(value)s).",
                value=number(to_shown(kind, bound)))))
        elif kind is IndicatorKind.count and bound < 0:
            problems.append((name, _l("A count cannot be negative.")))
    if not problems and low is not None and high is not None and low >= high:
        problems.append(("plausible_max", _l(
            "The plausible maximum must be greater than the plausible minimum.")))
    return problems


def kind_change_problem(old: IndicatorKind, new: IndicatorKind, schemes: int,
                        measurements: int) -> Problem | None:
    """A used indicator keeps its kind: its thresholds and data were made for that kind."""
    if old is new or not (schemes or measurements):
        return None
    return ("kind", _l(
        "The kind cannot be changed: %(schemes)s scheme(s) and %(measurements)s measurement(s) "
        "use this indicator as a %(kind)s. Create a new indicator instead.",
        schemes=schemes, measurements=measurements, kind=old.label.lower()))
