"""Realistic result data made with the models directly: indicators, a cycle, a scheme, an
import batch and measurements, plus a ready-made department for the page tests."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date
from itertools import count

from appraisal.cycles.models import (
    Cycle,
    CyclePeriod,
    CycleState,
    RedLineSide,
    Scheme,
    SchemeIndicator,
)
from appraisal.extensions import db
from appraisal.indicators.models import Dimension, Direction, Indicator, IndicatorKind
from appraisal.measurements.models import (
    BatchSource,
    Dispute,
    DisputeState,
    Exemption,
    ExemptionState,
    ImportBatch,
    Measurement,
)
from appraisal.org.models import DepartmentKind, StaffGroup

_seq = count(1)


def indicator(code=None, kind=IndicatorKind.rate, direction=Direction.lower,
              dimension=Dimension.quality_safety, **extra) -> Indicator:
    n = next(_seq)
    row = Indicator(code=code or f"IND{n}", name=extra.pop("name", f"Indicator {n}"),
                    explanation=extra.pop("explanation", "What this measures, in plain words."),
                    dimension=dimension, kind=kind, direction=direction,
                    unit=extra.pop("unit", ""), data_source=extra.pop("data_source", "HIS"),
                    **extra)
    db.session.add(row)
    db.session.flush()
    return row


def cycle(name=None, start=date(2026, 1, 1), state=CycleState.open,
          period=CyclePeriod.quarter) -> Cycle:
    n = next(_seq)
    end = date(start.year + (start.month + 2) // 12, (start.month + 2) % 12 + 1, 1)
    row = Cycle(name=name or f"Cycle {n}", period=period, start_date=start,
                end_date=end, state=state)
    db.session.add(row)
    db.session.flush()
    return row


def scheme(cycle, items, group=StaffGroup.doctor, department=None, **extra) -> Scheme:
    """``items``: (indicator, weight, threshold, target) tuples or dicts of SchemeIndicator
    fields with an ``indicator``."""
    row = Scheme(cycle=cycle, staff_group=group, department=department,
                 name=extra.pop("name", f"{group.value} scheme {next(_seq)}"),
                 cap_grade=extra.pop("cap_grade", "C"), **extra)
    for item in items:
        if isinstance(item, tuple):
            ind, weight, threshold, target = item
            item = {"indicator": ind, "weight": weight, "threshold": threshold,
                    "target": target}
        row.items.append(SchemeIndicator(**item))
    db.session.add(row)
    db.session.flush()
    return row


def batch(cycle, key=None) -> ImportBatch:
    row = ImportBatch(cycle=cycle, batch_key=key or f"batch-{next(_seq)}",
                      source=BatchSource.demo, row_count=0)
    db.session.add(row)
    db.session.flush()
    return row


def measure(cycle, staff, indicator, *, batch_row, numerator=None, denominator=None,
            value=None, expected=None, flush=True) -> Measurement:
    if indicator.kind is IndicatorKind.rate and value is None and denominator:
        value = numerator / denominator
    row = Measurement(cycle_id=cycle.id, staff_id=staff.id, indicator_id=indicator.id,
                      numerator=numerator, denominator=denominator, value=value,
                      expected=expected, batch_id=batch_row.id)
    db.session.add(row)
    if flush:
        db.session.flush()
    return row


def exemption(cycle, staff, indicator, by, state=ExemptionState.approved) -> Exemption:
    row = Exemption(cycle_id=cycle.id, staff_id=staff.id, indicator_id=indicator.id,
                    reason="Long sick leave", state=state, requested_by_id=by.id)
    db.session.add(row)
    db.session.flush()
    return row


def dispute(measurement, by, state=DisputeState.open) -> Dispute:
    row = Dispute(measurement_id=measurement.id, raised_by_id=by.id,
                  reason="This count includes another doctor's patients.", state=state)
    db.session.add(row)
    db.session.flush()
    return row


@dataclass
class Ward:
    """A department of doctors with a scheme and measurements (one clear outlier)."""

    department: object
    cycle: object
    scheme: object
    readmission: object
    satisfaction: object
    visits: object
    mortality: object
    staff: list = field(default_factory=list)
    outlier: object = None
    favourable: object = None


def ward(make, size=10, cycle_row=None, parent=None, seed=7, name="Cardiology",
         own_scheme=False) -> Ward:
    """``size`` doctors in one department, all measured on four indicators.

    The first doctor has a 30-day readmission rate far above everyone else's (an outlier
    beyond the 99.8% limit on the unfavourable side); the second saw too few patients; the
    last had no readmission in 200 patients (beyond the limit on the favourable side).
    ``own_scheme``: the scheme is the department's own (else the doctors' group-wide one).
    """
    rng = random.Random(seed)
    department = make.department(name, parent=parent, kind=DepartmentKind.department)
    cycle_row = cycle_row or cycle()
    readmission = indicator(name="30-day readmission rate", direction=Direction.lower)
    mortality = indicator(name="In-hospital mortality (risk-adjusted)", risk_adjustable=True)
    satisfaction = indicator(name="Patient satisfaction", kind=IndicatorKind.value,
                             direction=Direction.higher, dimension=Dimension.patient,
                             unit="points")
    visits = indicator(name="Outpatient visits", kind=IndicatorKind.count,
                       direction=Direction.higher, dimension=Dimension.efficiency_process,
                       unit="visits")
    scheme_row = scheme(cycle_row, [
        {"indicator": readmission, "weight": 3, "threshold": 0.20, "target": 0.05,
         "red_line_limit": 0.40, "red_line_side": RedLineSide.above},
        (mortality, 2, 0.05, 0.01),
        (satisfaction, 2, 60, 95),
        (visits, 1, 500, 2000),
    ], min_denominator=10, department=department if own_scheme else None)
    batch_row = batch(cycle_row)
    result = Ward(department, cycle_row, scheme_row, readmission, satisfaction, visits,
                  mortality)
    for i in range(size):
        person = make.staff(department, StaffGroup.doctor, name=f"Doctor {i:03d} {name}")
        result.staff.append(person)
        cases = 8 if i == 1 else rng.randint(80, 200)
        events = int(cases * 0.45) if i == 0 else _binomial(rng, cases, 0.09)
        if i == size - 1 and size > 3:
            cases, events = 200, 0  # beyond the lower limit: the favourable side, no alarm
        measure(cycle_row, person, readmission, batch_row=batch_row, numerator=events,
                denominator=cases, flush=False)
        deaths = _binomial(rng, cases, 0.025)
        measure(cycle_row, person, mortality, batch_row=batch_row, numerator=deaths,
                denominator=cases, expected=round(rng.uniform(1.5, 5.0), 2), flush=False)
        measure(cycle_row, person, satisfaction, batch_row=batch_row,
                value=round(rng.uniform(70, 98), 1), flush=False)
        measure(cycle_row, person, visits, batch_row=batch_row,
                value=float(rng.randint(400, 2400)), flush=False)
    db.session.flush()
    result.outlier = result.staff[0]
    result.favourable = result.staff[-1]
    return result


def _binomial(rng: random.Random, n: int, p: float) -> int:
    return sum(rng.random() < p for _ in range(n))
