"""The demo hospital's quantitative baseline: the indicator library, two quarterly cycles with
their schemes, and realistic measurements for every active staff member.

"2026 Q2" is published (its schemes frozen) and "2026 Q3", copied from it, is open, so the
what-if panel, disputes and exemptions have something to work on. Everything is drawn from
numpy generators seeded per person (from the employee number) and per cycle, so every run gives
the same numbers. Rates are binomial draws around a per-person true rate; risk-adjusted rates
carry the expected count of the person's case mix. A few doctors and one nurse are true
outliers (far beyond the 99.8% funnel limits), a few people saw too few patients to count, and
two doctors and one nurse cross a red line.

Cycles and schemes go through the ordinary operations (so the audit log shows the seeding);
the measurements are one bulk insert per cycle under one ``ImportBatch`` (source ``demo``).
"""

from __future__ import annotations

import hashlib
import math
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date

import numpy as np
from flask import current_app, has_request_context
from flask_babel import force_locale
from sqlalchemy import insert, select

from appraisal.auth.models import User
from appraisal.core import audit
from appraisal.cycles import operations as cycle_ops
from appraisal.cycles.models import CyclePeriod, CycleState, RedLineSide, Scheme
from appraisal.cycles.validation import HeaderValues, ItemValues
from appraisal.extensions import db
from appraisal.indicators.library import DEMO_INDICATORS, load_demo_indicators
from appraisal.indicators.models import Direction, Indicator
from appraisal.measurements import disputes, exemptions
from appraisal.measurements.models import Alarm, BatchSource, ImportBatch, Measurement
from appraisal.org.models import Department, Staff, StaffGroup
from appraisal.scorecards.operations import acknowledge_alarm, refresh_alarms

BASELINE_SEED = 20263
G = StaffGroup
ABOVE, BELOW = RedLineSide.above, RedLineSide.below


# -- the cycles and their schemes ---------------------------------------------------------------
@dataclass(frozen=True)
class CycleDef:
    """A demo cycle and the state it is left in."""

    name: str
    start: date
    end: date
    final_state: CycleState


CYCLES = (
    CycleDef("2026 Q2", date(2026, 4, 1), date(2026, 6, 30), CycleState.published),
    CycleDef("2026 Q3", date(2026, 7, 1), date(2026, 9, 30), CycleState.open),
)


@dataclass(frozen=True)
class ItemDef:
    """One chosen indicator of a demo scheme; rates in proportions, as stored."""

    code: str
    weight: float
    threshold: float
    target: float
    min_denominator: int | None = None
    red_line: tuple[float, RedLineSide] | None = None


@dataclass(frozen=True)
class SchemeDef:
    """A demo scheme: for a staff group, hospital-wide or for a department and below."""

    name: str
    group: StaffGroup
    department: str | None
    items: tuple[ItemDef, ...]
    min_denominator: int = 20


I = ItemDef
# "More than two upheld complaints in a quarter": the hospital's zero-tolerance line on conduct.
COMPLAINTS_LINE = I("COMPLAINTS", 8, 3, 0, red_line=(2, ABOVE))
PAT_SAT = I("PAT_SAT", 10, 75, 95)
TEACHING = I("TEACH_HRS", 6, 0, 40)
CME = I("CME_CREDITS", 5, 0, 20)

SCHEMES: tuple[SchemeDef, ...] = (
    SchemeDef("Doctors 医师", G.doctor, None, (
        I("READMIT30", 15, 0.15, 0.04), I("MORT_INHOSP", 10, 0.04, 0.005, min_denominator=30),
        I("VTE_ASSESS", 8, 0.70, 0.98), I("MR_TIMELY", 8, 0.70, 0.98), I("ALOS", 8, 14, 6),
        I("CMI", 6, 0.6, 1.5), PAT_SAT, COMPLAINTS_LINE, TEACHING,
        I("PH_TASKS", 6, 0.6, 1.0, min_denominator=5), CME)),
    SchemeDef("Surgeons 外科医师", G.doctor, "SUR", (
        I("SURG_COMPL", 15, 0.12, 0.02), I("UNPLAN_RETURN", 10, 0.03, 0.0),
        I("READMIT30", 10, 0.12, 0.03), I("MORT_INHOSP", 8, 0.03, 0.002, min_denominator=30),
        I("DAY_SURG", 6, 0.05, 0.40), I("OR_ONTIME", 6, 0.50, 0.95, min_denominator=10),
        I("ALOS", 6, 14, 6), PAT_SAT, COMPLAINTS_LINE, TEACHING, CME)),
    SchemeDef("Endocrinologists 内分泌科医师", G.doctor, "IM-ENDO", (
        I("HBA1C_CTRL", 15, 0.35, 0.75), I("BP_CTRL", 8, 0.40, 0.85),
        I("READMIT30", 10, 0.15, 0.04), I("MR_TIMELY", 8, 0.70, 0.98), I("ALOS", 6, 14, 6),
        I("OPD_VISITS", 6, 300, 1200), PAT_SAT, COMPLAINTS_LINE, TEACHING, CME)),
    SchemeDef("Anaesthesiologists 麻醉医师", G.doctor, "ECC-ANES", (
        I("OR_ONTIME", 15, 0.50, 0.95), I("MR_TIMELY", 10, 0.70, 0.98), PAT_SAT,
        COMPLAINTS_LINE, TEACHING, CME), min_denominator=10),
    SchemeDef("Medical technology doctors 医技医师", G.doctor, "MT", (
        I("OPD_WAIT", 12, 60, 15), PAT_SAT, COMPLAINTS_LINE, TEACHING,
        I("PUBLICATIONS", 6, 0, 3), CME, I("PH_TASKS", 6, 0.6, 1.0, min_denominator=5))),
    SchemeDef("Nurses 护理人员", G.nurse, None, (
        I("HAPI", 15, 0.04, 0.0, min_denominator=30),
        I("HAND_HYG", 12, 0.60, 0.98, min_denominator=10, red_line=(0.6, BELOW)),
        I("FOLLOW_UP", 8, 0.50, 0.95), I("MR_TIMELY", 8, 0.70, 0.98), PAT_SAT,
        COMPLAINTS_LINE, CME, I("TEACH_HRS", 5, 0, 20))),
    SchemeDef("Technicians 技师", G.technician, None, (
        I("HAND_HYG", 10, 0.60, 0.98, min_denominator=10), I("OPD_WAIT", 10, 60, 10), PAT_SAT,
        COMPLAINTS_LINE, CME)),
    SchemeDef("Pharmacists 药师", G.pharmacist, None, (
        I("ABX_DDD", 10, 80, 30), I("OPD_WAIT", 10, 30, 5), COMPLAINTS_LINE, CME,
        I("TEACH_HRS", 6, 0, 20))),
    SchemeDef("Administration 行政人员", G.admin, None, (
        I("PH_TASKS", 12, 0.6, 1.0, min_denominator=5), COMPLAINTS_LINE, I("CME_CREDITS", 8, 0, 20),
        I("OUTREACH_DAYS", 6, 0, 6), I("COUNTERPART_DAYS", 6, 0, 10))),
)


# -- how each indicator is drawn ----------------------------------------------------------------
@dataclass(frozen=True)
class Rate:
    """Numerator ~ Binomial(denominator, the person's true rate).

    ``spread``: the real person-to-person difference (sd on the log scale for rates where
    lower is better, on the logit scale otherwise). A risk-adjusted rate also gets the expected
    count of the person's case mix.
    """

    caseload: str
    base: float
    spread: float = 0.12
    share: float = 1.0


@dataclass(frozen=True)
class Value:
    """A measured number: ``mean`` times a person factor and a cycle factor (log scale), or
    plus them when ``additive``; rounded and kept within ``low``-``high``."""

    mean: float
    spread: float
    noise: float
    low: float
    high: float
    digits: int = 1
    additive: bool = False


@dataclass(frozen=True)
class Count:
    """Events ~ Poisson(mean x person factor), or a caseload itself (visits, discharges)."""

    mean: float = 0.0
    caseload: str | None = None


DRAWS = {
    "READMIT30": Rate("discharges", 0.075),
    "MORT_INHOSP": Rate("discharges", 0.015),
    "SURG_COMPL": Rate("operations", 0.06),
    "UNPLAN_RETURN": Rate("operations", 0.012),
    "VTE_ASSESS": Rate("discharges", 0.90),
    "MR_TIMELY": Rate("discharges", 0.90),
    "HBA1C_CTRL": Rate("diabetics", 0.55, 0.15),
    "BP_CTRL": Rate("diabetics", 0.65, 0.15, share=0.7),
    "DAY_SURG": Rate("operations", 0.22, 0.15, share=0.6),
    "OR_ONTIME": Rate("theatre_days", 0.80, 0.2),
    "HAPI": Rate("patients", 0.012),
    "HAND_HYG": Rate("observations", 0.86, 0.2),
    "FOLLOW_UP": Rate("patients", 0.80, share=0.5),
    "PH_TASKS": Rate("tasks", 0.90, 0.3),
    "ALOS": Value(8.5, 0.08, 0.05, 2, 30),
    "CMI": Value(1.0, 0.08, 0.04, 0.3, 4, digits=2),
    "PAT_SAT": Value(88, 3.0, 1.5, 50, 99.5, additive=True),
    "OPD_WAIT": Value(28, 0.2, 0.1, 3, 120, digits=0),
    "ABX_DDD": Value(45, 0.2, 0.1, 5, 150),
    "TEACH_HRS": Value(16, 0.4, 0.2, 0, 200, digits=0),
    "CME_CREDITS": Value(12, 0.3, 0.2, 0, 60, digits=0),
    "OUTREACH_DAYS": Count(3),
    "COUNTERPART_DAYS": Count(4),
    "PUBLICATIONS": Count(0.6),
    "COMPLAINTS": Count(0.25),
    "OPD_VISITS": Count(caseload="visits"),
}
RISK_ADJUSTED = {entry.code for entry in DEMO_INDICATORS if entry.risk_adjustable}
LIBRARY = {entry.code: entry for entry in DEMO_INDICATORS}

# Caseloads per quarter of a typical person of each group (before unit and title factors).
CASELOADS = {
    G.doctor: {"discharges": 85, "operations": 70, "diabetics": 140, "theatre_days": 30,
               "visits": 750, "tasks": 8},
    G.nurse: {"patients": 140, "observations": 30, "discharges": 120, "tasks": 8},
    G.technician: {"observations": 25, "tasks": 8},
    G.pharmacist: {"observations": 20, "tasks": 8},
    G.admin: {"tasks": 12},
}

# Unit factors, by unit code or its prefix ("SUR" covers every surgical unit): case mix
# (rates and values) and caseloads differ between specialties.
UNIT_FACTORS: dict[str, dict[str, float]] = {
    "IM-CARD": {"READMIT30": 1.2, "MORT_INHOSP": 1.3, "CMI": 1.2},
    "IM-RESP": {"READMIT30": 1.3, "MORT_INHOSP": 1.5, "ALOS": 1.15},
    "IM-NEPH": {"READMIT30": 1.4, "MORT_INHOSP": 1.2, "ALOS": 1.1},
    "IM-NEUR": {"ALOS": 1.25, "MORT_INHOSP": 1.3},
    "SUR": {"READMIT30": 0.8, "MORT_INHOSP": 0.8, "CMI": 1.3, "discharges": 0.9},
    "SUR-NEUR": {"SURG_COMPL": 1.4, "MORT_INHOSP": 1.8, "CMI": 2.0, "ALOS": 1.4,
                 "HAPI": 1.3, "operations": 0.6},
    "SUR-GEN": {"SURG_COMPL": 1.2},
    "SUR-ORTH": {"SURG_COMPL": 0.9, "MORT_INHOSP": 0.6, "ALOS": 1.2, "DAY_SURG": 0.85},
    "SUR-UROL": {"SURG_COMPL": 0.8, "DAY_SURG": 1.2},
    "ECC-ICU": {"MORT_INHOSP": 3.0, "READMIT30": 1.3, "CMI": 2.4, "ALOS": 1.4,
                "discharges": 0.4, "HAPI": 1.5},
    "ECC-EMER": {"MORT_INHOSP": 1.5, "READMIT30": 0.9, "ALOS": 0.45, "CMI": 0.8,
                 "discharges": 0.7, "OPD_WAIT": 1.3},
    "ECC-ANES": {"theatre_days": 1.5},
    "WCH": {"READMIT30": 0.6, "MORT_INHOSP": 0.6, "ALOS": 0.65, "CMI": 0.75},
    "WCH-PAED-NICU": {"MORT_INHOSP": 1.5, "ALOS": 2.0},
    "MT-LAB": {"OPD_WAIT": 0.6},
    "MT-PHAR": {"OPD_WAIT": 0.45},
    "ADM-MED": {"discharges": 0.1},
}

# By the English start of the title: caseload and teaching / research factors.
TITLE_FACTORS = (
    ("Chief", 0.8, 2.0), ("Associate Chief", 0.95, 1.6), ("Head Nurse", 0.6, 1.8),
    ("Attending", 1.1, 1.0), ("Supervising", 1.0, 1.0), ("Resident", 0.7, 0.3),
)
TEACHING_CODES = {"TEACH_HRS", "PUBLICATIONS"}
SMALL_CASELOAD_SHARE = 0.06  # part-time, rotating or long leave: too few cases to count
LATE_SURVEY_SHARE = 0.03  # Q3 only: satisfaction survey results not delivered yet


@dataclass(frozen=True)
class Special:
    """A designated person (the ``nth`` of the group in the unit, demo accounts skipped, by
    employee number): their true value of ``code`` is ``times`` the usual one, or ``equals``."""

    unit: str
    group: StaffGroup
    nth: int
    code: str
    times: float | None = None
    equals: float | None = None


SPECIALS = (
    # True outliers: far beyond the 99.8% funnel limits of their group, in both cycles.
    Special("IM-GAST", G.doctor, 1, "READMIT30", times=3.5),
    Special("ECC-EMER", G.doctor, 2, "READMIT30", times=4.0),
    Special("SUR-GEN-HB", G.doctor, 1, "SURG_COMPL", times=4.0),
    Special("SUR-NEUR", G.nurse, 2, "HAPI", times=5.0),
    # Red lines crossed: more than two upheld complaints; hand hygiene below 60%.
    Special("IM-RESP", G.doctor, 1, "COMPLAINTS", equals=3),
    Special("SUR-ORTH-SP", G.doctor, 0, "COMPLAINTS", equals=4),
    Special("ECC-ICU", G.nurse, 3, "HAND_HYG", equals=0.5),
)


# -- seeding ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class BaselineSummary:
    """What the baseline seeding created."""

    indicators: int
    cycles: list[str]
    schemes: int
    measurements: int
    alarms: int


def seed_baseline(actor=None, seed: int = BASELINE_SEED) -> BaselineSummary:
    """Seed the library, the two demo cycles, their schemes, measurements and alarms (flushes,
    never commits). Expects the demo hospital's staff (``seed_demo``) to exist."""
    with _seeding_context():
        return _seed(actor, seed)


@contextmanager
def _seeding_context():
    """Seeding runs outside any request (`flask demo`, tests), where the operations can neither
    choose a language (the locale selector reads the request) nor build a notification link
    that is a path (``url_for`` without a request gives a full URL when SERVER_NAME is set):
    give them a bare English request, which runs no request hooks."""
    if has_request_context():
        with force_locale("en"):
            yield
        return
    with current_app.test_request_context("/", headers={"Accept-Language": "en"}):
        yield


def _seed(actor, seed: int) -> BaselineSummary:
    added = load_demo_indicators(actor)
    indicators = {i.code: i for i in db.session.scalars(select(Indicator))}
    people = _people(seed)
    previous, measured, alarms, cycles = None, 0, 0, []
    for number, definition in enumerate(CYCLES):
        cycle = cycle_ops.create_cycle(actor, name=definition.name, period=CyclePeriod.quarter,
                                       start_date=definition.start, end_date=definition.end)
        schemes = _schemes(actor, cycle, indicators, previous)
        cycle_ops.change_state(actor, cycle, CycleState.open)
        measured += _measure(actor, cycle, number, schemes, people, indicators)
        alarms += len(refresh_alarms(actor, cycle).raised)
        _finish(actor, cycle, definition.final_state)
        previous, cycles = schemes, cycles + [cycle]
    _disputes_and_exemptions(cycles[-1], indicators)
    summary = BaselineSummary(len(added), [c.name for c in cycles],
                              len(SCHEMES) * len(cycles), measured, alarms)
    audit.record(actor, "demo.baseline_seeded", object_type="system",
                 new=dict(vars(summary), seed=seed))
    return summary


def _schemes(actor, cycle, indicators, previous: list[Scheme] | None) -> list[Scheme]:
    """The demo schemes in ``cycle``: made from the definitions, or copied from last cycle."""
    if previous is not None:
        return [cycle_ops.copy_scheme(actor, source, cycle)[0] for source in previous]
    departments = {d.code: d for d in db.session.scalars(select(Department))}
    schemes = []
    for definition in SCHEMES:
        header = HeaderValues(
            name=definition.name, weight_quantitative=0.6, weight_360=0.15, weight_panel=0.1,
            weight_case_quality=0.1, weight_contributions=0.05,
            grade_bands=[[85, "A"], [70, "B"], [55, "C"], [0, "D"]], cap_grade="C",
            anonymity_threshold=3, min_denominator=definition.min_denominator,
            compare_within_department=False, funnel_overdispersion=False)
        scheme = cycle_ops.create_scheme(
            actor, cycle, staff_group=definition.group,
            department=departments[definition.department] if definition.department else None,
            header=header)
        for item in definition.items:
            limit, side = item.red_line or (None, None)
            scheme = cycle_ops.add_indicator(actor, scheme, ItemValues(
                indicators[item.code], item.weight, item.threshold, item.target,
                item.min_denominator, limit, side))
        schemes.append(scheme)
    return schemes


def _finish(actor, cycle, final_state: CycleState) -> None:
    """Walk the state machine from open to the cycle's demo state, one guarded step at a time;
    a cycle taken past open had its alarms looked into first."""
    path = [CycleState.open, CycleState.reviewing, CycleState.calibrating,
            CycleState.published, CycleState.closed]
    if final_state is not CycleState.open:
        _acknowledge_alarms(cycle)
    for state in path[1:path.index(final_state) + 1]:
        cycle_ops.change_state(actor, cycle, state)


# -- people -------------------------------------------------------------------------------------
@dataclass
class Person:
    """A staff member as the generator sees them: where they work and their lasting traits."""

    staff_id: int
    number: int
    group: StaffGroup
    unit: str
    units: tuple[str, ...]  # the unit code and its ancestors' codes, nearest first
    title: str
    protected: bool  # linked to a demo account: always a full, ordinary record
    seed: int = BASELINE_SEED
    scale: float = 1.0
    effects: dict[str, float] = field(default_factory=dict)
    specials: dict[str, Special] = field(default_factory=dict)

    def factor(self, key: str) -> float:
        """The unit factor for an indicator or caseload (nearest unit that sets it)."""
        for code in self.units:
            if key in UNIT_FACTORS.get(code, {}):
                return UNIT_FACTORS[code][key]
        return 1.0

    def title_factors(self) -> tuple[float, float]:
        for prefix, caseload, teaching in TITLE_FACTORS:
            if self.title.startswith(prefix):
                return caseload, teaching
        return 1.0, 1.0


def _people(seed: int) -> list[Person]:
    """Every active staff member, in employee-number order, with their lasting traits."""
    departments = {d.id: d for d in db.session.scalars(select(Department))}
    linked = set(db.session.scalars(select(User.staff_id).where(User.staff_id.is_not(None))))
    rows = db.session.execute(
        select(Staff.id, Staff.employee_number, Staff.staff_group, Staff.department_id,
               Staff.title).where(Staff.active).order_by(Staff.employee_number)).all()
    people = []
    for staff_id, number, group, department_id, title in rows:
        department = departments[department_id]
        units = tuple(departments[i].code for i in reversed(department.ancestor_ids)
                      if i in departments)
        people.append(_traits(Person(staff_id, _number(number), group, department.code,
                                     units or (department.code,), title, staff_id in linked,
                                     seed)))
    _designate(people)
    return people


def _number(employee_number: str) -> int:
    """A stable integer for the person's own generator (demo numbers are digits already)."""
    if employee_number.isdigit():
        return int(employee_number)
    return int.from_bytes(hashlib.sha256(employee_number.encode()).digest()[:8], "big")


def _traits(person: Person) -> Person:
    """Draw the lasting traits from the person's own generator (independent of the others)."""
    rng = np.random.default_rng([person.seed, person.number])
    small = rng.random() < SMALL_CASELOAD_SHARE and not person.protected
    person.scale = (rng.uniform(0.05, 0.2) if small
                    else float(np.exp(rng.normal(0, 0.3))) * person.title_factors()[0])
    if person.protected:
        person.scale = max(person.scale, 1.0)
    for code in sorted(DRAWS):
        person.effects[code] = float(rng.normal())
    return person


def _designate(people: list[Person]) -> None:
    for special in SPECIALS:
        candidates = [p for p in people if p.unit == special.unit and p.group is special.group
                      and not p.protected]
        if len(candidates) <= special.nth:
            raise LookupError(f"the demo hospital has too few {special.group.value}s in "
                              f"{special.unit} for {special}")
        person = candidates[special.nth]
        person.specials[special.code] = special
        # A designated person has a full caseload, so the evidence is clear.
        person.scale = max(person.scale, 1.3)


# -- measurements -------------------------------------------------------------------------------
def _measure(actor, cycle, number: int, schemes: list[Scheme], people: list[Person],
             indicators: dict[str, Indicator]) -> int:
    """One demo batch with every active person's measurements for their scheme's indicators."""
    batch = ImportBatch(cycle_id=cycle.id, batch_key=f"demo-baseline-{cycle.name}",
                        source=BatchSource.demo, filename="",
                        created_by_id=getattr(actor, "id", None))
    db.session.add(batch)
    db.session.flush()
    rows = []
    for person in people:
        scheme = _scheme_of(schemes, person)
        if scheme is not None:
            rows += _person_rows(person, scheme, number, cycle.id, batch.id, indicators)
    # A Core insert keeps the NULLs, so the rows go as one executemany.
    db.session.execute(insert(Measurement.__table__), rows)
    batch.row_count = len(rows)
    audit.record(actor, "measurements.batch_imported", batch, new={
        "cycle": cycle.name, "batch_key": batch.batch_key, "source": BatchSource.demo.value,
        "filename": "", "rows": len(rows), "added": len(rows), "changed": 0, "unchanged": 0,
        "removed": 0, "replaced_batch": None, "api_client": None})
    return len(rows)


def _scheme_of(schemes: list[Scheme], person: Person) -> Scheme | None:
    """The scheme of the person's group for their nearest department, else the group-wide one."""
    by_unit = {s.department.code if s.department else None: s
               for s in schemes if s.staff_group is person.group}
    for code in person.units:
        if code in by_unit:
            return by_unit[code]
    return by_unit.get(None)


def _person_rows(person: Person, scheme: Scheme, number: int, cycle_id: int, batch_id: int,
                 indicators: dict[str, Indicator]) -> list[dict]:
    rng = np.random.default_rng([person.seed, person.number, number])
    caseloads = {name: _caseload(rng, person, name) for name in sorted(CASELOADS[person.group])}
    late_survey = number > 0 and rng.random() < LATE_SURVEY_SHARE and not person.protected
    rows = []
    for item in scheme.items:
        code = item.indicator.code
        values = _draw(rng, person, code, caseloads)  # drawn anyway: later draws stay put
        if code == "PAT_SAT" and late_survey:
            continue
        rows.append({"cycle_id": cycle_id, "staff_id": person.staff_id, "batch_id": batch_id,
                     "indicator_id": indicators[code].id, "numerator": None,
                     "denominator": None, "value": None, "expected": None, **values})
    return rows


def _caseload(rng, person: Person, name: str) -> int:
    base = CASELOADS[person.group].get(name, 0) * person.factor(name) * person.scale
    return max(1, round(base * float(np.exp(rng.normal(0, 0.1)))))


def _draw(rng, person: Person, code: str, caseloads: dict[str, int]) -> dict:
    how = DRAWS[code]
    if isinstance(how, Rate):
        return _draw_rate(rng, person, code, how, caseloads)
    if isinstance(how, Value):
        return {"value": _draw_value(rng, person, code, how)}
    return {"value": _draw_count(rng, person, code, how, caseloads)}


def _draw_rate(rng, person: Person, code: str, how: Rate, caseloads) -> dict:
    entry = LIBRARY[code]
    n = max(1, round(caseloads[how.caseload] * how.share))
    expected_rate = min(how.base * person.factor(code), 0.95)
    if entry.direction is Direction.lower:
        rate = expected_rate * math.exp(how.spread * person.effects[code] - how.spread ** 2 / 2)
    else:
        logit = math.log(expected_rate / (1 - expected_rate)) + how.spread * person.effects[code]
        rate = 1 / (1 + math.exp(-logit))
    rate = _special(person, code, rate)
    events = int(rng.binomial(n, min(max(rate, 0.0005), 0.995)))
    # Never more than the library calls plausible (the import would refuse it).
    events = min(events, math.floor((entry.plausible_max or 1) * n))
    values = {"numerator": float(events), "denominator": float(n)}
    if code in RISK_ADJUSTED:
        # The sum of the model-predicted risks: what the person's case mix would predict.
        values["expected"] = max(0.01, round(n * expected_rate, 2))
    return values


def _draw_value(rng, person: Person, code: str, how: Value) -> float:
    teaching = person.title_factors()[1] if code in TEACHING_CODES else 1.0
    mean = how.mean * person.factor(code) * teaching
    if how.additive:
        value = mean + how.spread * person.effects[code] + how.noise * rng.normal()
    else:
        value = mean * math.exp(how.spread * person.effects[code] + how.noise * rng.normal())
    value = _special(person, code, value)
    return round(min(max(value, how.low), how.high), how.digits)


def _draw_count(rng, person: Person, code: str, how: Count, caseloads) -> float:
    if how.caseload is not None:
        return float(caseloads[how.caseload])
    teaching = person.title_factors()[1] if code in TEACHING_CODES else 1.0
    mean = how.mean * person.factor(code) * teaching * math.exp(0.4 * person.effects[code])
    special = person.specials.get(code)
    if special is not None and special.equals is not None:
        return float(special.equals)
    # At most two for everyone else: the demo's red-line breaches are the designated ones, so
    # the story they tell does not depend on chance.
    count = int(rng.poisson(mean))
    return float(min(count, 2) if code == "COMPLAINTS" else count)


def _special(person: Person, code: str, value: float) -> float:
    special = person.specials.get(code)
    if special is None:
        return value
    return special.equals if special.equals is not None else value * special.times


# -- alarms, disputes and exemptions ------------------------------------------------------------
def _user(username: str) -> User | None:
    return db.session.scalar(select(User).where(User.username == username))


def _acknowledge_alarms(cycle) -> None:
    """Last quarter's alarms were looked into: the manager acknowledged theirs, the
    performance office the others."""
    manager, admin = _user("manager"), _user("admin")
    alarms = db.session.scalars(select(Alarm).where(Alarm.cycle_id == cycle.id)
                                .order_by(Alarm.id)).all()
    for alarm in alarms:
        actor = manager if manager and manager.manages(alarm.staff.department) else admin
        if actor is not None:
            acknowledge_alarm(actor, alarm, "Case notes reviewed with the clinician at the "
                              "department quality meeting; a follow-up review is planned for "
                              "next quarter.")


def _disputes_and_exemptions(cycle, indicators: dict[str, Indicator]) -> None:
    """The open cycle has one open dispute (by the demo clinician) and one exemption waiting
    for the performance office (asked by the demo manager)."""
    clinician, manager = _user("clinician"), _user("manager")
    if clinician is not None and clinician.staff_id is not None:
        measurement = db.session.scalar(select(Measurement).where(
            Measurement.cycle_id == cycle.id, Measurement.staff_id == clinician.staff_id,
            Measurement.indicator_id == indicators["MR_TIMELY"].id))
        if measurement is not None:
            disputes.raise_dispute(clinician, measurement, (
                "Eight of these discharge records were signed late because the EMR was down "
                "from 12 to 14 August (IT incident report 2026-081); they were not late "
                "through my doing."))
    if manager is not None:
        endocrinology = db.session.scalar(select(Department).where(Department.code == "IM-ENDO"))
        staff = db.session.scalar(select(Staff).where(
            Staff.department_id == endocrinology.id, Staff.staff_group == StaffGroup.doctor,
            Staff.active).order_by(Staff.employee_number.desc()).limit(1))
        if staff is not None and manager.manages(staff.department):
            exemptions.request_exemption(manager, cycle, staff, indicators["HBA1C_CTRL"], (
                "Seconded to the county hospital's diabetes programme (counterpart support) "
                "for most of the quarter: the clinic's HbA1c results mostly reflect the "
                "colleagues who covered."))
