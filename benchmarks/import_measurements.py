"""Benchmark of the measurement import: 50,000 and 200,000 rows.

For each size it times reading the CSV text, validating it against the database (bulk
look-ups), importing it (validation again, then bulk insert and commit), and re-importing the
same batch key with every value changed (the replacement path). It runs on the configured
database: PostgreSQL when DATABASE_URL is set (in a scratch schema, dropped at the end; the
application's own tables are not touched), otherwise a temporary SQLite file.

    .venv/bin/python benchmarks/import_measurements.py [--rows 50000 200000]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, insert, text

from appraisal import create_app
from appraisal.config import database_url
from appraisal.cycles.models import Cycle, CyclePeriod, CycleState
from appraisal.extensions import db
from appraisal.indicators.models import (
    Dimension,
    Direction,
    Indicator,
    IndicatorKind,
)
from appraisal.measurements import importing, operations
from appraisal.measurements.models import BatchSource
from appraisal.org.models import Department, DepartmentKind, Staff, StaffGroup

INDICATORS = 40
SCHEMA = f"bench_import_{os.getpid()}"


@contextmanager
def scratch_app():
    """An app on a scratch database: a PostgreSQL schema or a temporary SQLite file."""
    if os.environ.get("DATABASE_URL"):
        url = database_url("")
        admin = create_engine(url)
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{SCHEMA}"'))
        options = {"connect_args": {"options": f"-csearch_path={SCHEMA}"}}
        try:
            yield create_app({"SQLALCHEMY_DATABASE_URI": url,
                              "SQLALCHEMY_ENGINE_OPTIONS": options}), f"PostgreSQL ({url})"
        finally:
            with admin.begin() as connection:
                connection.execute(text(f'DROP SCHEMA "{SCHEMA}" CASCADE'))
            admin.dispose()
    else:
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite:///{folder}/bench.sqlite"
            yield create_app({"SQLALCHEMY_DATABASE_URI": url}), "SQLite (temporary file)"


def library() -> list[str]:
    """40 indicators: rates with a plausible range, and counts."""
    codes = []
    for n in range(INDICATORS):
        rate = n % 2 == 0
        db.session.add(Indicator(
            code=f"IND{n:02d}", name=f"Indicator {n}", dimension=Dimension.quality_safety,
            kind=IndicatorKind.rate if rate else IndicatorKind.count, direction=Direction.lower,
            plausible_min=0, plausible_max=1 if rate else 100000))
        codes.append(f"IND{n:02d}")
    db.session.flush()
    return codes


def hospital(size: int, department_id: int) -> tuple[Cycle, list[str]]:
    staff = size // INDICATORS
    db.session.execute(insert(Staff), [
        {"employee_number": f"S{size}-{n:05d}", "name": f"Staff {n}",
         "staff_group": StaffGroup.doctor, "title": "", "department_id": department_id,
         "active": True} for n in range(staff)])
    cycle = Cycle(name=f"Benchmark {size}", period=CyclePeriod.quarter,
                  start_date=date(2026, 7, 1), end_date=date(2026, 9, 30),
                  state=CycleState.open)
    db.session.add(cycle)
    db.session.commit()
    return cycle, [f"S{size}-{n:05d}" for n in range(staff)]


def csv_text(numbers: list[str], codes: list[str], shift: int = 0) -> str:
    lines = ["employee_number,indicator_code,numerator,denominator,value,expected"]
    for n, number in enumerate(numbers):
        for i, code in enumerate(codes):
            if i % 2 == 0:
                lines.append(f"{number},{code},{(n + shift) % 7},{30 + n % 50},,")
            else:
                lines.append(f"{number},{code},,,{(n + shift) % 900},")
    return "\n".join(lines) + "\n"


def timed(action):
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def run(size: int, codes: list[str], department_id: int) -> dict:
    cycle, numbers = hospital(size, department_id)
    first, second = csv_text(numbers, codes), csv_text(numbers, codes, shift=1)
    read, rows = timed(lambda: importing.read_csv(first))
    assert not rows.errors and len(rows.rows) == size
    validate, checked = timed(lambda: operations.check_measurements(cycle, "BENCH", rows.rows))
    assert checked.ok, checked.errors[:3]
    db.session.rollback()

    def apply(text_):
        parsed = importing.read_csv(text_)
        outcome = operations.import_measurements(None, cycle, "BENCH", parsed.rows,
                                                 source=BatchSource.csv)
        db.session.commit()
        return outcome

    imported, outcome = timed(lambda: apply(first))
    assert outcome.added == size
    replaced, outcome = timed(lambda: apply(second))
    assert outcome.changed == size and outcome.replaced is not None
    return {"rows": size, "read": read, "validate": validate, "import": imported,
            "replace": replaced}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[50_000, 200_000])
    args = parser.parse_args()
    with scratch_app() as (app, label), app.app_context():
        db.create_all()
        department = Department(code="BENCH", name="Benchmark", kind=DepartmentKind.hospital,
                                path="/")
        db.session.add(department)
        codes = library()
        db.session.commit()
        print(f"Measurement import on {label}")
        print(f"{'rows':>8} {'read CSV':>9} {'validate':>9} {'import':>9} {'replace':>9}"
              f" {'rows/s':>9}")
        for size in args.rows:
            r = run(size, codes, department.id)
            print(f"{r['rows']:>8} {r['read']:>8.2f}s {r['validate']:>8.2f}s "
                  f"{r['import']:>8.2f}s {r['replace']:>8.2f}s "
                  f"{r['rows'] / r['import']:>9.0f}")
        print("import = read + validate + bulk insert + commit; replace = the same batch key "
              "again with every value changed.")
        db.session.remove()
        db.engine.dispose()


if __name__ == "__main__":
    main()
