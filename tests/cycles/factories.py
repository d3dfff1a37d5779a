"""Small builders for indicators, cycles and schemes (shared by the indicator, cycle and
access tests). They write rows directly; the pages and operations are what the tests test."""

from __future__ import annotations

from datetime import date
from itertools import count

from appraisal.cycles.models import Cycle, CyclePeriod, CycleState, Scheme, SchemeIndicator
from appraisal.extensions import db
from appraisal.indicators.models import Dimension, Direction, Indicator, IndicatorKind
from appraisal.org.models import StaffGroup

_seq = count(1)


def indicator(code=None, kind=IndicatorKind.rate, dimension=Dimension.quality_safety,
              direction=Direction.lower, **extra) -> Indicator:
    n = next(_seq)
    row = Indicator(code=code or f"IND{n}", name=extra.pop("name", f"Indicator {n}"),
                    explanation=extra.pop("explanation", "What it measures."),
                    dimension=dimension, kind=kind, direction=direction,
                    unit=extra.pop("unit", "%" if kind is IndicatorKind.rate else "days"),
                    data_source=extra.pop("data_source", "HIS"), **extra)
    db.session.add(row)
    db.session.flush()
    return row


def cycle(name=None, state=CycleState.draft, start=date(2026, 1, 1), end=date(2026, 3, 31),
          period=CyclePeriod.quarter) -> Cycle:
    row = Cycle(name=name or f"Cycle {next(_seq)}", period=period, start_date=start,
                end_date=end, state=state)
    db.session.add(row)
    db.session.flush()
    return row


def scheme(cycle_row, group=StaffGroup.doctor, items=(), department=None, **extra) -> Scheme:
    """``items``: (indicator, weight, threshold, target) tuples, or dicts of item fields."""
    row = Scheme(cycle=cycle_row, staff_group=group, department=department,
                 name=extra.pop("name", f"Scheme {next(_seq)}"), **extra)
    for item in items:
        fields = item if isinstance(item, dict) else dict(
            zip(("indicator", "weight", "threshold", "target"), item))
        row.items.append(SchemeIndicator(**fields))
    db.session.add(row)
    db.session.flush()
    return row
