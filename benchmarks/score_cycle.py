"""Score a whole cycle of 20,000 staff x 40 indicators and compare it with a bare read.

    .venv/bin/python benchmarks/score_cycle.py                    # SQLite, a temporary file
    DATABASE_URL=postgresql://user@host/appraisal_bench \\
        .venv/bin/python benchmarks/score_cycle.py                # PostgreSQL, a database you name
    .venv/bin/python benchmarks/score_cycle.py --staff 2000 --indicators 10 --repeat 1

It builds one cycle (a department tree, the staff, the indicators, one scheme per staff group
with every indicator, and one measurement per staff member and indicator, inserted in bulk),
then times, ``--repeat`` times:

* the bare read: ``select()`` of the cycle's measurement rows through the app's session
  (``db.session.execute(...).all()``), and through the driver's own cursor (``fetchall``);
* the scoring, through the very code the result pages use: ``scorecards.loading.load`` for
  the cycle and every staff group, then ``score()`` of every cohort (``score_cohort``) and each
  person's overall score.

The goal: scoring at most 3x the bare read. The best of the repeats is compared.

It never writes into a database that holds data it did not create: PostgreSQL must be a
database you name (``DATABASE_URL``) that is empty, or one this script built before, which
``--reuse`` times again without rebuilding.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("SECRET_KEY", "benchmark-only")  # no key file written into instance/

from sqlalchemy import func, insert, inspect, select, text

from appraisal import create_app
from appraisal.config import database_url
from appraisal.cycles.models import (
    Cycle,
    CyclePeriod,
    CycleState,
    Scheme,
    SchemeIndicator,
)
from appraisal.extensions import db
from appraisal.indicators.models import Dimension, Direction, Indicator, IndicatorKind
from appraisal.measurements.models import BatchSource, ImportBatch, Measurement
from appraisal.org.models import Department, DepartmentKind, Staff, StaffGroup
from appraisal.scorecards import loading

CYCLE_NAME = "Benchmark cycle (score_cycle.py)"
SEED = 2026
GROUP_SHARES = {StaffGroup.doctor: 0.30, StaffGroup.nurse: 0.45, StaffGroup.technician: 0.12,
                StaffGroup.pharmacist: 0.05, StaffGroup.admin: 0.08}
DIVISIONS, DEPARTMENTS_PER_DIVISION = 20, 10
CHUNK = 20_000  # rows per executemany


class Refused(RuntimeError):
    """The database holds data this script did not create."""


# -- the database ---------------------------------------------------------------------------
def database_state() -> str:
    """"empty", "benchmark" (built by this script before) or "other" (someone's data)."""
    engine = db.engine
    names = inspect(engine).get_table_names()
    quote = engine.dialect.identifier_preparer.quote
    with engine.connect() as connection:
        if "cycles" in names and connection.execute(
                select(Cycle.id).where(Cycle.name == CYCLE_NAME)).first():
            return "benchmark"
        for name in names:
            if connection.execute(text(f"SELECT 1 FROM {quote(name)} LIMIT 1")).first():
                return "other"
    return "empty"


def prepare(reuse: bool) -> bool:
    """Check the database; True when a cycle must be built."""
    state = database_state()
    if state == "empty":
        db.create_all()
        return True
    if state == "benchmark" and reuse:
        return False
    if state == "benchmark":
        raise Refused("the database already holds a benchmark cycle from an earlier run: pass "
                      "--reuse to time it again without rebuilding, or name an empty database")
    raise Refused("the database already holds data that this benchmark did not create; it "
                  "never writes into such a database: name a new, empty database "
                  "(e.g. createdb appraisal_bench) in DATABASE_URL")


# -- building the cycle ---------------------------------------------------------------------
def build(staff_count: int, indicator_count: int) -> None:
    rng = np.random.default_rng(SEED)
    departments = build_departments()
    staff_ids = build_staff(rng, staff_count, departments)
    indicators = build_indicators(indicator_count)
    cycle = Cycle(name=CYCLE_NAME, period=CyclePeriod.quarter, start_date=date(2026, 7, 1),
                  end_date=date(2026, 9, 30), state=CycleState.open)
    db.session.add(cycle)
    for group in StaffGroup:
        db.session.add(build_scheme(cycle, group, indicators))
    batch = ImportBatch(cycle=cycle, batch_key="benchmark", source=BatchSource.demo,
                        row_count=len(staff_ids) * len(indicators))
    db.session.add(batch)
    db.session.flush()
    for indicator in indicators:
        rows = measurement_rows(rng, indicator, staff_ids, cycle.id, batch.id)
        for start in range(0, len(rows), CHUNK):
            db.session.execute(insert(Measurement.__table__), rows[start:start + CHUNK])
    db.session.commit()


def build_departments() -> list[int]:
    """A hospital with divisions and departments; returns the departments' ids."""
    hospital = Department(code="BENCH", name="Benchmark hospital", kind=DepartmentKind.hospital)
    db.session.add(hospital)
    db.session.flush()
    hospital.path = f"/{hospital.id}/"
    departments = []
    for d in range(DIVISIONS):
        division = add_department(f"BENCH-{d:02d}", DepartmentKind.division, hospital)
        departments += [add_department(f"BENCH-{d:02d}-{u:02d}", DepartmentKind.department,
                                       division) for u in range(DEPARTMENTS_PER_DIVISION)]
    return [department.id for department in departments]


def add_department(code: str, kind: DepartmentKind, parent: Department) -> Department:
    department = Department(code=code, name=f"Unit {code}", kind=kind, parent=parent)
    db.session.add(department)
    db.session.flush()
    department.path = f"{parent.path}{department.id}/"
    return department


def build_staff(rng, count: int, departments: list[int]) -> list[int]:
    groups = rng.choice(list(GROUP_SHARES), size=count, p=list(GROUP_SHARES.values()))
    units = rng.choice(departments, size=count)
    rows = [{"employee_number": f"B{i:07d}", "name": f"Benchmark {i}", "staff_group": group,
             "title": "", "department_id": int(unit), "active": True}
            for i, (group, unit) in enumerate(zip(groups, units))]
    for start in range(0, len(rows), CHUNK):
        db.session.execute(insert(Staff), rows[start:start + CHUNK])
    return list(db.session.scalars(select(Staff.id).order_by(Staff.id)))


def build_indicators(count: int) -> list[Indicator]:
    """60% rates (one in four of them risk-adjusted), then values, then counts."""
    dimensions = list(Dimension)
    indicators = []
    for i in range(count):
        kind = (IndicatorKind.rate if i % 10 < 6 else
                IndicatorKind.value if i % 10 < 9 else IndicatorKind.count)
        indicators.append(Indicator(
            code=f"BENCH{i + 1:03d}", name=f"Benchmark indicator {i + 1}",
            dimension=dimensions[i % len(dimensions)], kind=kind, unit="",
            direction=Direction.lower if i % 2 else Direction.higher, data_source="HIS",
            risk_adjustable=kind is IndicatorKind.rate and i % 4 == 0, active=True))
    db.session.add_all(indicators)
    db.session.flush()
    return indicators


def build_scheme(cycle: Cycle, group: StaffGroup, indicators: list[Indicator]) -> Scheme:
    scheme = Scheme(cycle=cycle, staff_group=group, name=f"Benchmark {group.value}",
                    min_denominator=20, cap_grade="C")
    for i, indicator in enumerate(indicators):
        if indicator.kind is IndicatorKind.rate:
            threshold, target = (0.3, 0.05) if indicator.direction is Direction.lower else \
                (0.5, 0.95)
        else:
            threshold, target = (100, 20) if indicator.direction is Direction.lower else (0, 50)
        scheme.items.append(SchemeIndicator(indicator=indicator, weight=1 + i % 5,
                                            threshold=threshold, target=target))
    return scheme


def measurement_rows(rng, indicator: Indicator, staff_ids: list[int], cycle_id: int,
                     batch_id: int) -> list[dict]:
    """One measurement per staff member: binomial rates (some below the minimum
    denominator), normal values, Poisson counts."""
    size = len(staff_ids)
    blank = [None] * size
    numerator = denominator = value = expected = blank
    if indicator.kind is IndicatorKind.rate:
        base = 0.1 if indicator.direction is Direction.lower else 0.8
        n = rng.integers(5, 300, size=size)
        p = np.clip(base * np.exp(rng.normal(0, 0.15, size=size)), 0.001, 0.99)
        numerator, denominator = rng.binomial(n, p).astype(float).tolist(), n.astype(float).tolist()
        if indicator.risk_adjustable:
            expected = np.round(n * base * np.exp(rng.normal(0, 0.2, size=size)), 2)
            expected = np.maximum(expected, 0.01).tolist()
    elif indicator.kind is IndicatorKind.value:
        value = np.round(rng.normal(40, 10, size=size), 2).tolist()
    else:
        value = rng.poisson(3, size=size).astype(float).tolist()
    return [{"cycle_id": cycle_id, "staff_id": staff_id, "indicator_id": indicator.id,
             "batch_id": batch_id, "numerator": numerator[i], "denominator": denominator[i],
             "value": value[i], "expected": expected[i]}
            for i, staff_id in enumerate(staff_ids)]


# -- timing ---------------------------------------------------------------------------------
class Clock:
    """Wall-clock and this process's CPU time since it was made."""

    def __init__(self):
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def lap(self) -> tuple[float, float]:
        return time.perf_counter() - self.wall, time.process_time() - self.cpu


def bare_read(cycle_id: int) -> tuple[tuple[float, float], int]:
    """The cycle's measurement rows through the session, as the loader reads them."""
    db.session.remove()
    clock = Clock()
    rows = db.session.execute(
        select(Measurement.staff_id, Measurement.indicator_id, Measurement.numerator,
               Measurement.denominator, Measurement.value, Measurement.expected)
        .where(Measurement.cycle_id == cycle_id)).all()
    return clock.lap(), len(rows)


def cursor_read(cycle_id: int) -> tuple[float, float]:
    """The same rows through the driver's own cursor (no SQLAlchemy rows at all)."""
    db.session.remove()
    connection = db.engine.raw_connection()
    try:
        clock = Clock()
        cursor = connection.cursor()
        placeholder = "%s" if db.engine.dialect.paramstyle in ("format", "pyformat") else "?"
        cursor.execute("SELECT staff_id, indicator_id, numerator, denominator, value, expected "
                       f"FROM measurements WHERE cycle_id = {placeholder}", (cycle_id,))
        cursor.fetchall()
        return clock.lap()
    finally:
        connection.close()


def score_cycle(cycle_id: int) -> tuple[tuple[float, float], tuple[float, float], int, int]:
    """Load and score the whole cycle as the pages do: load and score times (wall, CPU),
    cohorts, people scored."""
    db.session.remove()
    clock = Clock()
    snapshot = loading.load([cycle_id], list(StaffGroup))
    load = clock.lap()
    people = 0
    cohorts = snapshot.cohorts_in(cycle_id)
    for cohort in cohorts:
        people += len(cohort.score().overall())
    total = clock.lap()
    return load, (total[0] - load[0], total[1] - load[1]), len(cohorts), people


def run(args) -> None:
    cycle_id = db.session.scalar(select(Cycle.id).where(Cycle.name == CYCLE_NAME))
    staff = db.session.scalar(select(func.count(Staff.id)))
    indicators = db.session.scalar(select(func.count(Indicator.id)))
    print(f"cycle: {staff} staff x {indicators} indicators")
    reads, cursors, scores = [], [], []
    for number in range(1, args.repeat + 1):
        read, rows = bare_read(cycle_id)
        cursor = cursor_read(cycle_id)
        load, score, cohorts, people = score_cycle(cycle_id)
        total = (load[0] + score[0], load[1] + score[1])
        reads.append(read), cursors.append(cursor), scores.append((total, load, score))
        print(f"run {number}: bare read {read[0]:.2f} s ({rows} rows), cursor fetchall "
              f"{cursor[0]:.2f} s, scoring {total[0]:.2f} s (load {load[0]:.2f} s + score "
              f"{score[0]:.2f} s; {cohorts} cohorts, {people} people scored)")
    report(args.repeat, reads, cursors, scores)


def report(repeat: int, reads, cursors, scores) -> None:
    """The best run of each (wall clock), with this process's CPU time beside it."""
    read, cursor = min(reads), min(cursors)
    total, load, score = min(scores)
    print(f"bare read (best of {repeat}): {read[0]:.2f} s (CPU {read[1]:.2f} s); median "
          f"{statistics.median(r[0] for r in reads):.2f} s")
    print(f"cursor fetchall (best of {repeat}): {cursor[0]:.2f} s (CPU {cursor[1]:.2f} s)")
    print(f"scoring (best of {repeat}): {total[0]:.2f} s = load {load[0]:.2f} s + score "
          f"{score[0]:.2f} s (CPU {total[1]:.2f} s); median "
          f"{statistics.median(s[0][0] for s in scores):.2f} s")
    ratio = total[0] / read[0]
    print(f"ratio scoring / bare read: {ratio:.2f}x (goal <= 3x: "
          f"{'met' if ratio <= 3 else 'NOT met'}); in CPU time {total[1] / read[1]:.2f}x")
    print(f"ratio scoring / cursor fetchall: {total[0] / cursor[0]:.2f}x")


def profile_scoring(top: int) -> None:
    """Where the scoring time goes: one run under cProfile, by cumulative CPU time."""
    import cProfile
    import pstats

    cycle_id = db.session.scalar(select(Cycle.id).where(Cycle.name == CYCLE_NAME))
    profiler = cProfile.Profile(time.process_time)
    profiler.runcall(score_cycle, cycle_id)
    pstats.Stats(profiler, stream=sys.stdout).sort_stats("cumulative").print_stats(top)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--staff", type=int, default=20_000, help="staff members (20000)")
    parser.add_argument("--indicators", type=int, default=40, help="indicators (40)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs; the best counts (3)")
    parser.add_argument("--reuse", action="store_true",
                        help="time the benchmark cycle an earlier run left in DATABASE_URL")
    parser.add_argument("--keep", action="store_true",
                        help="keep the temporary SQLite file (its path is printed)")
    parser.add_argument("--profile", type=int, default=0, metavar="N",
                        help="after the timed runs, profile one scoring run (cProfile, CPU "
                             "time) and print its N most expensive functions")
    args = parser.parse_args(argv)
    folder = None
    if os.environ.get("DATABASE_URL"):
        url = database_url("")
    else:
        folder = tempfile.mkdtemp(prefix="score_cycle-")
        url = f"sqlite:///{Path(folder) / 'benchmark.sqlite'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    try:
        with app.app_context():
            print(f"database: {db.engine.url.render_as_string(hide_password=True)} "
                  f"(driver {db.engine.dialect.driver})")
            try:
                must_build = prepare(args.reuse)
            except Refused as refusal:
                print(f"refused: {refusal}", file=sys.stderr)
                return 2
            if must_build:
                started = time.perf_counter()
                build(args.staff, args.indicators)
                print(f"build: {args.staff} staff x {args.indicators} indicators = "
                      f"{args.staff * args.indicators} measurements in "
                      f"{time.perf_counter() - started:.1f} s")
            else:
                print("build: skipped (--reuse: timing the cycle an earlier run built)")
            run(args)
            if args.profile:
                profile_scoring(args.profile)
            db.session.remove()
            db.engine.dispose()
    finally:
        if folder and not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
        elif folder:
            print(f"kept: {folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
