"""Indicator library operations (audited with old and new values, never committing)."""

from __future__ import annotations

from dataclasses import asdict

from appraisal.core import audit
from appraisal.core.i18n import lazy_gettext as _l
from appraisal.extensions import db
from appraisal.indicators import queries
from appraisal.indicators.models import Indicator
from appraisal.indicators.rules import (
    IndicatorValues,
    Problem,
    indicator_problems,
    kind_change_problem,
)


class IndicatorInvalid(ValueError):
    """A refused change: ``problems`` are (form field or None, message) pairs."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(str(message) for _, message in problems))
        self.problems = problems


def create_indicator(actor, values: IndicatorValues) -> Indicator:
    """A new, active library entry."""
    values = values.cleaned()
    _check(values, None)
    indicator = Indicator(**asdict(values), active=True)
    db.session.add(indicator)
    db.session.flush()
    audit.record(actor, "indicator.created", indicator, new=asdict(values))
    return indicator


def update_indicator(actor, indicator: Indicator, values: IndicatorValues) -> bool:
    """Change a library entry; False when nothing changed."""
    values = values.cleaned()
    _check(values, indicator)
    old, new = audit.changes(indicator, asdict(values))
    if new:
        audit.record(actor, "indicator.updated", indicator, old=old, new=new)
    return bool(new)


def _check(values: IndicatorValues, indicator: Indicator | None) -> None:
    problems = indicator_problems(values)
    other = queries.code_taken(values.code, indicator.id if indicator else None)
    if other is not None:
        problems.insert(0, ("code", _l("The code %(code)s is already used by “%(name)s”.",
                                       code=other.code, name=other.name)))
    if indicator is not None and indicator.kind is not values.kind:
        problem = kind_change_problem(indicator.kind, values.kind, *queries.usage_counts(indicator))
        if problem:
            problems.append(problem)
    if problems:
        raise IndicatorInvalid(problems)


def deactivate_indicator(actor, indicator: Indicator) -> None:
    """Retire an entry: no new scheme can choose it; schemes and data that use it stay."""
    if not indicator.active:
        raise IndicatorInvalid([(None, _l("%(code)s is already inactive.", code=indicator.code))])
    indicator.active = False
    audit.record(actor, "indicator.deactivated", indicator, old={"active": True},
                 new={"active": False})


def reactivate_indicator(actor, indicator: Indicator) -> None:
    """Make a retired entry available to schemes again."""
    if indicator.active:
        raise IndicatorInvalid([(None, _l("%(code)s is already active.", code=indicator.code))])
    indicator.active = True
    audit.record(actor, "indicator.reactivated", indicator, old={"active": False},
                 new={"active": True})
