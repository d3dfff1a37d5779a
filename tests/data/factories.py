"""Rows for the data tests, made directly with the models (not through the import code)."""

from __future__ import annotations

from datetime import date
from itertools import count

from appraisal.cycles.models import Cycle, CyclePeriod, CycleState, Scheme, SchemeIndicator
from appraisal.extensions import db
from appraisal.indicators.models import Dimension, Direction, Indicator, IndicatorKind
from appraisal.measurements.models import (
    BatchSource,
    Exemption,
    ExemptionState,
    ImportBatch,
    Measurement,
)
from appraisal.org.models import StaffGroup


class DataFactory:
    """One valid indicator, cycle, scheme, batch, measurement or exemption per call."""

    def __init__(self):
        self._seq = count(1)

    def indicator(self, code=None, kind=IndicatorKind.rate, **extra) -> Indicator:
        n = next(self._seq)
        indicator = Indicator(
            code=code or f"IND{n:03d}", name=extra.pop("name", f"Indicator {n}"),
            dimension=extra.pop("dimension", Dimension.quality_safety), kind=kind,
            direction=extra.pop("direction", Direction.lower), **extra)
        db.session.add(indicator)
        db.session.flush()
        return indicator

    def cycle(self, name=None, state=CycleState.open, start=None) -> Cycle:
        n = next(self._seq)
        start = start or date(2026, 1, 1)
        cycle = Cycle(name=name or f"2026 Q{n}", period=CyclePeriod.quarter, start_date=start,
                      end_date=date(start.year, start.month + 2, 28), state=state)
        db.session.add(cycle)
        db.session.flush()
        return cycle

    def scheme(self, cycle, indicators, group=StaffGroup.doctor, department=None,
               version=1) -> Scheme:
        scheme = Scheme(cycle=cycle, staff_group=group, department=department, version=version,
                        name=f"{group.value} v{version}")
        scheme.items = [SchemeIndicator(indicator=i, weight=1.0, threshold=0.2, target=0.05)
                        for i in indicators]
        db.session.add(scheme)
        db.session.flush()
        return scheme

    def batch(self, cycle, key=None, source=BatchSource.csv) -> ImportBatch:
        batch = ImportBatch(cycle=cycle, batch_key=key or f"HIS-{next(self._seq)}",
                            source=source, row_count=0)
        db.session.add(batch)
        db.session.flush()
        return batch

    def measurement(self, staff, indicator, cycle, batch=None, numerator=5.0,
                    denominator=50.0, value=None, expected=None) -> Measurement:
        if indicator.kind is not IndicatorKind.rate:
            numerator = denominator = None
            value = 12.0 if value is None else value
        measurement = Measurement(
            cycle_id=cycle.id, staff_id=staff.id, indicator_id=indicator.id,
            numerator=numerator, denominator=denominator, value=value, expected=expected,
            batch=batch or self.batch(cycle))
        db.session.add(measurement)
        db.session.flush()
        return measurement

    def exemption(self, cycle, staff, indicator, requested_by,
                  state=ExemptionState.requested, reason="Long sick leave") -> Exemption:
        exemption = Exemption(cycle=cycle, staff=staff, indicator=indicator, reason=reason,
                              state=state, requested_by=requested_by)
        db.session.add(exemption)
        db.session.flush()
        return exemption
