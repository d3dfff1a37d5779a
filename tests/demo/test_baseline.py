"""The demo baseline: two cycles of realistic measurements in which every result page has
something real to show (true outliers, small denominators, red lines), seeded the same way
every time."""

from __future__ import annotations

import re
import time
from dataclasses import replace

import pytest
from sqlalchemy import func, select

from appraisal import create_app
from appraisal.auth.models import User
from appraisal.core.audit import AuditEntry
from appraisal.cycles.models import Cycle, CycleState, Scheme
from appraisal.demo.baseline import CYCLES, SCHEMES, SPECIALS
from appraisal.demo.seed import DEMO_PASSWORD, seed_demo
from appraisal.extensions import db
from appraisal.indicators.models import Indicator
from appraisal.measurements import importing
from appraisal.measurements import queries as measurement_queries
from appraisal.measurements.models import Alarm, Dispute, Exemption, ImportBatch, Measurement
from appraisal.org.models import Department, Staff, StaffGroup
from appraisal.scorecards import loading
from appraisal.scoring import Status, stats
from tests.conftest import POSTGRES, _reset_postgres

SEEDING_BUDGET_SECONDS = 15


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """One demo hospital for the whole module (seeding takes a few seconds)."""
    config = {"TESTING": True, "SECRET_KEY": "test-secret", "SERVER_NAME": "localhost",
              "WTF_CSRF_ENABLED": False}
    if not POSTGRES:
        folder = tmp_path_factory.mktemp("baseline")
        config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{folder / 'demo.sqlite'}"
    app = create_app(config)
    with app.app_context():
        if POSTGRES:
            _reset_postgres()
        else:
            db.create_all()
        started = time.perf_counter()
        seed_demo()
        db.session.commit()
        app.config["DEMO_SEED_SECONDS"] = time.perf_counter() - started
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(demo):
    db.session.rollback()
    return demo.test_client()


def log_in(client, username: str) -> None:
    response = client.post("/login", data={"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 302, username


def cycles() -> dict[str, Cycle]:
    return {c.name: c for c in db.session.scalars(select(Cycle))}


def measurement_rows() -> list[tuple]:
    """Every measurement as a person would read it: cycle, employee number, code, values."""
    return db.session.execute(
        select(Cycle.name, Staff.employee_number, Indicator.code, Measurement.numerator,
               Measurement.denominator, Measurement.value, Measurement.expected)
        .join(Measurement.staff).join(Measurement.indicator)
        .join(Cycle, Cycle.id == Measurement.cycle_id)
        .order_by(Cycle.name, Staff.employee_number, Indicator.code)).all()


def special_staff(unit: str, group: StaffGroup, nth: int) -> Staff:
    """The designated person as the seeding picks them: the nth of the group in the unit, by
    employee number, people with a demo account skipped."""
    linked = set(db.session.scalars(select(User.staff_id).where(User.staff_id.is_not(None))))
    staff = db.session.scalars(
        select(Staff).join(Staff.department)
        .where(Department.code == unit, Staff.staff_group == group)
        .order_by(Staff.employee_number)).all()
    return [s for s in staff if s.id not in linked][nth]


def demo_user(username: str) -> User:
    return db.session.scalar(select(User).where(User.username == username))


# -- the cycles and schemes -------------------------------------------------------------------
def test_two_quarters_the_older_published_with_frozen_schemes_the_newer_open(demo):
    found = cycles()
    assert set(found) == {c.name for c in CYCLES}
    older, newer = found["2026 Q2"], found["2026 Q3"]
    assert older.state is CycleState.published and older.published_at is not None
    assert newer.state is CycleState.open
    for cycle, frozen in ((older, True), (newer, False)):
        schemes = db.session.scalars(select(Scheme).where(Scheme.cycle_id == cycle.id)).all()
        assert len(schemes) == len(SCHEMES)
        assert {s.frozen for s in schemes} == {frozen}
        assert {s.staff_group for s in schemes} == set(StaffGroup)


def test_schemes_are_sensible(demo):
    scheme = db.session.scalar(select(Scheme).join(Scheme.cycle).where(
        Cycle.name == "2026 Q3", Scheme.department_id.is_(None),
        Scheme.staff_group == StaffGroup.doctor))
    codes = {item.indicator.code for item in scheme.items}
    assert {"READMIT30", "MORT_INHOSP", "PAT_SAT", "COMPLAINTS"} <= codes
    assert 8 <= len(codes) <= 12
    assert len({item.indicator.dimension for item in scheme.items}) >= 4
    assert any(item.indicator.risk_adjustable for item in scheme.items)
    assert [item.indicator.code for item in scheme.items if item.red_line_limit is not None] \
        == ["COMPLAINTS"]
    assert scheme.cap_grade == "C" and [g for _, g in scheme.grade_bands] == list("ABCD")
    by_department = {s.department.code: s for s in db.session.scalars(
        select(Scheme).join(Scheme.cycle).where(Cycle.name == "2026 Q3",
                                                Scheme.department_id.is_not(None)))}
    assert "HBA1C_CTRL" in {i.indicator.code for i in by_department["IM-ENDO"].items}
    assert "SURG_COMPL" in {i.indicator.code for i in by_department["SUR"].items}


# -- the measurements -------------------------------------------------------------------------
def test_every_active_staff_member_is_measured_in_both_cycles(demo):
    active = set(db.session.scalars(select(Staff.id).where(Staff.active)))
    for cycle in cycles().values():
        measured = set(db.session.scalars(
            select(Measurement.staff_id).where(Measurement.cycle_id == cycle.id).distinct()))
        assert measured == active, cycle.name
        batches = db.session.scalars(select(ImportBatch).where(
            ImportBatch.cycle_id == cycle.id)).all()
        assert [(b.source.value, b.row_count) for b in batches] == [
            ("demo", db.session.scalar(select(func.count()).where(
                Measurement.cycle_id == cycle.id)))]


def test_the_demo_accounts_have_full_records_in_both_cycles(demo):
    for username in ("clinician", "manager", "nurse"):
        staff_id = demo_user(username).staff_id
        for cycle in cycles().values():
            snapshot = loading.load([cycle.id], [db.session.get(Staff, staff_id).staff_group])
            cohort = snapshot.cohort_of(cycle.id, staff_id)
            assert cohort is not None
            assert set(cohort.inputs_of(staff_id)) == {i.code for i in cohort.indicators}


def test_the_data_would_pass_the_import_checks(demo):
    """Every row is valid by the import's own rules: whole counts, numerator <= denominator,
    within the indicator's plausible range, expected counts only where risk-adjusted."""
    for cycle in cycles().values():
        rows = [(n, {"employee_number": number, "indicator_code": code, "numerator": num,
                     "denominator": den, "value": value, "expected": expected})
                for n, (_, number, code, num, den, value, expected) in enumerate(
                    r for r in measurement_rows() if r[0] == cycle.name)]
        context = measurement_queries.import_context(
            cycle, f"demo-baseline-{cycle.name}", importing.numbers_in(rows),
            importing.codes_in(rows))
        checked = importing.validate_batch(rows, replace(context, accepts_measurements=True),
                                           csv=False)
        assert checked.errors == [] and len(checked.rows) == len(rows)


def test_seeding_is_deterministic(demo, tmp_path):
    first = measurement_rows()
    other = create_app({"TESTING": True, "SECRET_KEY": "x",
                        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'again.sqlite'}"})
    with other.app_context():
        db.create_all()
        seed_demo()
        db.session.commit()
        again = measurement_rows()
        db.session.remove()
        db.engine.dispose()
    assert len(first) > 5000
    assert again == first


def test_seeding_stays_within_its_time_budget(demo):
    assert demo.config["DEMO_SEED_SECONDS"] < SEEDING_BUDGET_SECONDS


def test_small_denominators_are_insufficient_evidence(demo):
    for cycle in cycles().values():
        snapshot = loading.load([cycle.id], [StaffGroup.doctor])
        small = []
        for cohort in snapshot.cohorts_in(cycle.id):
            spec = next((s for s in cohort.spec.indicators if s.code == "READMIT30"), None)
            if spec is None:
                continue
            for staff_id, inputs in everyone(cohort).items():
                m = inputs.get("READMIT30")
                if m is not None and m.denominator < cohort.spec.minimum_for(spec):
                    result = next(r for r in cohort.score().person(staff_id).indicators
                                  if r.code == "READMIT30")
                    assert result.status is Status.insufficient_evidence
                    small.append(staff_id)
        assert len(small) >= 3, cycle.name


def everyone(cohort) -> dict:
    """staff id -> their measurements by indicator code, for every member of the cohort."""
    return {person.id: cohort.inputs_of(person.id) for person in cohort.members}


# -- outliers and red lines -------------------------------------------------------------------
def readmission_positions(cycle: Cycle) -> dict[int, tuple[float, float, float]]:
    """staff id -> (risk-adjusted rate, case-mix equivalent cases, upper 99.8% limit) for
    READMIT30, computed here
    from the stored counts with the public stats functions (not through the core's funnel)."""
    snapshot = loading.load([cycle.id], [StaffGroup.doctor])
    positions = {}
    for cohort in snapshot.cohorts_in(cycle.id):
        spec = next((s for s in cohort.spec.indicators if s.code == "READMIT30"), None)
        if spec is None:
            continue
        minimum = cohort.spec.minimum_for(spec)
        counted = {k: v["READMIT30"] for k, v in everyone(cohort).items()
                   if "READMIT30" in v and v["READMIT30"].denominator >= minimum}
        group_rate = (sum(m.numerator for m in counted.values())
                      / sum(m.denominator for m in counted.values()))
        for staff_id, m in counted.items():
            adjusted = m.numerator / m.expected * group_rate
            # judged by its expected events: exact Poisson limits of O/E, times the group rate
            upper = group_rate * stats.poisson_funnel_limits(m.expected, 0.998)[1]
            positions[staff_id] = (adjusted, m.expected / group_rate, upper)
    return positions


@pytest.mark.parametrize("cycle_name", ["2026 Q2", "2026 Q3"])
def test_the_managers_division_has_a_true_readmission_outlier(demo, cycle_name):
    cycle = cycles()[cycle_name]
    division = db.session.scalar(select(Department).where(Department.code == "IM"))
    assert demo_user("manager").manages(division)
    positions = readmission_positions(cycle)
    beyond = [staff_id for staff_id, (rate, _, upper) in positions.items() if rate > upper]
    in_division = [s for s in beyond if db.session.get(Staff, s).department.is_within(division)]
    assert in_division, "no READMIT30 outlier beyond 99.8% in Internal Medicine"
    outlier = special_staff("IM-GAST", StaffGroup.doctor, 1)
    assert outlier.id in in_division
    rate, _, upper = positions[outlier.id]
    assert rate > 1.5 * upper  # clearly beyond, not a borderline case
    alarm = db.session.scalar(select(Alarm).where(Alarm.cycle_id == cycle.id,
                                                  Alarm.staff_id == outlier.id))
    assert alarm is not None and alarm.side == "high"


def test_every_designated_outlier_raises_an_alarm_and_alarms_stay_few(demo):
    for cycle in cycles().values():
        alarms = db.session.scalars(select(Alarm).where(Alarm.cycle_id == cycle.id)).all()
        raised = {(a.staff_id, a.indicator.code) for a in alarms}
        for special in SPECIALS:
            if special.code in ("READMIT30", "SURG_COMPL", "HAPI", "HAND_HYG"):
                staff = special_staff(special.unit, special.group, special.nth)
                assert (staff.id, special.code) in raised, (cycle.name, special)
        assert len(alarms) <= 20, "the demo should show a few outliers, not a crowd"


def test_the_published_cycles_alarms_were_acknowledged_the_open_ones_wait(demo):
    acknowledged = dict(db.session.execute(
        select(Cycle.name, func.count()).join(Alarm, Alarm.cycle_id == Cycle.id)
        .where(Alarm.acknowledged_at.is_not(None)).group_by(Cycle.name)).all())
    waiting = dict(db.session.execute(
        select(Cycle.name, func.count()).join(Alarm, Alarm.cycle_id == Cycle.id)
        .where(Alarm.acknowledged_at.is_(None)).group_by(Cycle.name)).all())
    assert acknowledged.get("2026 Q2") and not waiting.get("2026 Q2")
    assert waiting.get("2026 Q3") and not acknowledged.get("2026 Q3")


def test_red_lines_are_crossed_by_the_designated_people_only(demo):
    cycle = cycles()["2026 Q3"]
    for group in (StaffGroup.doctor, StaffGroup.nurse):
        snapshot = loading.load([cycle.id], [group])
        breaches = {}
        for cohort in snapshot.cohorts_in(cycle.id):
            for person in cohort.score().people():
                if person.red_line_breaches:
                    breaches[person.key] = set(person.red_line_breaches)
        designated = {special_staff(s.unit, s.group, s.nth).id: {s.code} for s in SPECIALS
                      if s.group is group and s.code in ("COMPLAINTS", "HAND_HYG")}
        assert breaches == designated, group


def test_the_open_cycle_has_a_dispute_and_an_exemption_request(demo):
    dispute = db.session.scalar(select(Dispute))
    assert dispute.is_open and dispute.raised_by.username == "clinician"
    assert dispute.measurement.indicator.code == "MR_TIMELY"
    exemption = db.session.scalar(select(Exemption))
    assert exemption.state.value == "requested" and exemption.requested_by.username == "manager"
    assert exemption.cycle.name == "2026 Q3"


def test_the_seeding_is_in_the_audit_log(demo):
    actions = dict(db.session.execute(
        select(AuditEntry.action, func.count()).group_by(AuditEntry.action)).all())
    assert actions["demo.baseline_seeded"] == 1
    assert actions["measurements.batch_imported"] == 2
    assert actions["cycle.created"] == 2
    assert actions["scheme.created"] == len(SCHEMES) and actions["scheme.copied"] == len(SCHEMES)
    assert actions["alarm.raised"] == db.session.scalar(select(func.count(Alarm.id)))


# -- through the pages ------------------------------------------------------------------------
NUMBER = re.compile(r'<p class="stat">\s*(\d+(?:\.\d+)?)\s*</p>')


def test_the_clinicians_scorecard_shows_real_numbers(demo, client):
    log_in(client, "clinician")
    response = client.get("/results/mine", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "2026 Q3" in page and "Doctors 医师" in page
    score = NUMBER.search(page)
    assert score and 0 < float(score.group(1)) < 100
    for name in ("30-day readmission rate", "In-hospital mortality (risk-adjusted)",
                 "Patient satisfaction"):
        assert name in page
    assert re.search(r"\d+(\.\d+)?\s*%", page), "no rate shown in percent"
    assert "O/E" in page  # risk-adjusted rates show their observed / expected ratio


def test_the_clinician_also_sees_last_quarter(demo, client):
    log_in(client, "clinician")
    staff_id = demo_user("clinician").staff_id
    older = cycles()["2026 Q2"]
    page = client.get(f"/results/staff/{staff_id}/cycles/{older.id}").get_data(as_text=True)
    assert "2026 Q2" in page and NUMBER.search(page)


def test_the_manager_sees_the_outlier_on_the_division_results(demo, client):
    log_in(client, "manager")
    division = db.session.scalar(select(Department).where(Department.code == "IM"))
    outlier = special_staff("IM-GAST", StaffGroup.doctor, 1)
    page = client.get(f"/results/departments/{division.id}?group=doctor").get_data(as_text=True)
    assert "Funnel plot" in page and "<svg" in page
    assert outlier.name in page
    assert "beyond the 99.8% limits" in page


def test_the_columnar_loader_scores_as_the_per_person_inputs_do(demo):
    """The loader fills the core's arrays straight from the rows (both cycles, every group,
    risk-adjusted and small rates); scoring each person's inputs through the
    mapping entry point of the core must give the same scores."""
    from appraisal.scoring import score_cohort

    ids = [cycle.id for cycle in cycles().values()]
    snapshot = loading.load(ids, list(StaffGroup))
    compared = 0
    for cycle_id in ids:
        for cohort in snapshot.cohorts_in(cycle_id):
            people = [person.id for person in cohort.members]
            by_person = score_cohort(cohort.spec, {p: cohort.inputs_of(p) for p in people},
                                     {p: cohort.exempted_of(p) for p in people})
            assert by_person.overall() == cohort.score().overall()
            compared += len(people)
    assert compared > 500
