"""Shared by the API and measurement-import tests: a small world with a cycle, an indicator
library, staff, an administrator and API tokens."""

from __future__ import annotations

import csv
import io
from datetime import date
from types import SimpleNamespace

from sqlalchemy import func, select

from appraisal.cycles.models import Cycle, CyclePeriod, CycleState
from appraisal.extensions import db
from appraisal.indicators.models import Dimension, Direction, Indicator, IndicatorKind
from appraisal.measurements import operations
from appraisal.measurements.importing import COLUMNS
from appraisal.measurements.models import Measurement
from tests.helpers import audit_entries, count_statements  # noqa: F401 (re-exported)

K = IndicatorKind


def make_cycle(name: str = "2026 Q3", state: CycleState = CycleState.open) -> Cycle:
    cycle = Cycle(name=name, period=CyclePeriod.quarter, start_date=date(2026, 7, 1),
                  end_date=date(2026, 9, 30), state=state)
    db.session.add(cycle)
    db.session.flush()
    return cycle


def make_indicator(code: str, kind: IndicatorKind = K.rate, **extra) -> Indicator:
    values = {"name": f"Indicator {code}", "dimension": Dimension.quality_safety, "kind": kind,
              "direction": Direction.lower, "unit": ""}
    values.update(extra)
    indicator = Indicator(code=code, **values)
    db.session.add(indicator)
    db.session.flush()
    return indicator


def library() -> dict[str, Indicator]:
    """A rate, a risk-adjustable rate, a count, a value with a range, a value that may be
    negative, and an inactive indicator."""
    return {
        "READMIT30": make_indicator("READMIT30", K.rate, plausible_min=0, plausible_max=0.5),
        "MORTALITY": make_indicator("MORTALITY", K.rate, risk_adjustable=True,
                                    plausible_min=0, plausible_max=1),
        "VISITS": make_indicator("VISITS", K.count, direction=Direction.higher,
                                 plausible_min=0, plausible_max=20000),
        "ALOS": make_indicator("ALOS", K.value, plausible_min=1, plausible_max=60),
        "BALANCE": make_indicator("BALANCE", K.value, plausible_min=-100, plausible_max=100),
        "OLD": make_indicator("OLD", K.rate, active=False),
    }


def build_world(make) -> SimpleNamespace:
    """An open cycle, a closed one, the library, three staff members and an administrator."""
    department = make.department("Cardiology", code="CARD")
    staff = [make.staff(department, number=f"E{n:03d}", name=f"Doctor {n}") for n in (1, 2, 3)]
    return SimpleNamespace(
        cycle=make_cycle(), closed=make_cycle("2025 Q4", CycleState.closed),
        indicators=library(), staff=staff, department=department,
        admin=make.admin(username="office"))


def csv_text(rows, columns=COLUMNS) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return buffer.getvalue()


def issue_token(name: str = "HIS nightly") -> tuple:
    token, secret = operations.issue_token(None, name)
    db.session.commit()
    return token, secret


def bearer(secret: str, **extra) -> dict:
    return {"Authorization": f"Bearer {secret}", **extra}


def measurements_of(cycle) -> list[tuple]:
    """(employee number, indicator code, numerator, denominator, value, expected), sorted."""
    from appraisal.org.models import Staff

    rows = db.session.execute(
        select(Staff.employee_number, Indicator.code, Measurement.numerator,
               Measurement.denominator, Measurement.value, Measurement.expected)
        .join(Staff, Staff.id == Measurement.staff_id)
        .join(Indicator, Indicator.id == Measurement.indicator_id)
        .where(Measurement.cycle_id == cycle.id).order_by(Staff.employee_number, Indicator.code))
    return [tuple(row) for row in rows]


def count_measurements() -> int:
    return db.session.scalar(select(func.count()).select_from(Measurement))


GOOD = [{"employee_number": "E001", "indicator_code": "READMIT30", "numerator": 3,
         "denominator": 120},
        {"employee_number": "E001", "indicator_code": "MORTALITY", "numerator": 2,
         "denominator": 150, "expected": 2.7},
        {"employee_number": "E002", "indicator_code": "VISITS", "value": 1520}]


def send(client, world, secret, body, key="key-1", cycle=None, **headers):
    cycle_id = (cycle or world.cycle).id
    extra = {"Idempotency-Key": key} if key is not None else {}
    return client.post(f"/api/v1/cycles/{cycle_id}/batches", json=body,
                       headers=bearer(secret, **extra, **headers))
