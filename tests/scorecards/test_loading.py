"""From rows to cohorts: which scheme applies to whom, who is compared with whom, and one
person's score identical whether taken from the cohort or scored alone."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from appraisal.cycles.models import CycleState
from appraisal.extensions import db
from appraisal.measurements.models import ExemptionState, Measurement
from appraisal.org.models import DepartmentKind, StaffGroup
from appraisal.scorecards import cards, loading
from appraisal.scoring import GroupData, Kind, MeasurementInput, score_cohort, score_person
from tests.scorecards import factories


@pytest.fixture
def hospital(make):
    hospital = make.department("General", kind=DepartmentKind.hospital)
    medicine = make.department("Medicine", parent=hospital, kind=DepartmentKind.division)
    cardiology = make.department("Cardiology", parent=medicine)
    ward = make.department("Cardiology ward", parent=cardiology, kind=DepartmentKind.ward)
    surgery = make.department("Surgery", parent=hospital, kind=DepartmentKind.division)
    return {"hospital": hospital, "medicine": medicine, "cardiology": cardiology,
            "ward": ward, "surgery": surgery}


def test_the_nearest_department_scheme_applies_else_the_group_wide_one(make, hospital):
    cycle = factories.cycle()
    rate = factories.indicator()
    general = factories.scheme(cycle, [(rate, 1, 0.2, 0.05)], name="All doctors")
    medicine = factories.scheme(cycle, [(rate, 1, 0.3, 0.1)], name="Medicine doctors",
                                department=hospital["medicine"])
    in_ward = make.staff(hospital["ward"])
    in_surgery = make.staff(hospital["surgery"])
    nurse = make.staff(hospital["ward"], StaffGroup.nurse)
    snapshot = loading.load([cycle.id], [StaffGroup.doctor, StaffGroup.nurse])
    assert snapshot.cohort_of(cycle.id, in_ward.id).scheme is medicine
    assert snapshot.cohort_of(cycle.id, in_surgery.id).scheme is general
    assert snapshot.cohort_of(cycle.id, nurse.id) is None


def test_a_newer_version_of_the_scheme_replaces_the_older(make, hospital):
    cycle = factories.cycle()
    rate = factories.indicator()
    factories.scheme(cycle, [(rate, 1, 0.2, 0.05)], name="v1")
    newer = factories.scheme(cycle, [(rate, 1, 0.25, 0.05)], name="v2", version=2)
    person = make.staff(hospital["ward"])
    snapshot = loading.load([cycle.id], [StaffGroup.doctor])
    assert snapshot.cohort_of(cycle.id, person.id).scheme is newer


@pytest.mark.parametrize("state", [CycleState.published, CycleState.closed])
def test_a_published_cycle_keeps_the_version_it_was_published_with(make, state):
    """Editing a frozen scheme makes version 2; the published scores stay those of version 1."""
    ward = factories.ward(make, size=6)
    person = ward.staff[2]
    before = loading.load([ward.cycle.id], [StaffGroup.doctor]).cohort_of(
        ward.cycle.id, person.id).score().overall()
    ward.cycle.state, ward.scheme.frozen = state, True
    items = [(item.indicator, item.weight, item.threshold / 2, item.target)
             for item in ward.scheme.items]
    newer = factories.scheme(ward.cycle, items, name="v2", version=2)
    cohort = loading.load([ward.cycle.id], [StaffGroup.doctor]).cohort_of(ward.cycle.id,
                                                                          person.id)
    assert cohort.scheme is ward.scheme and cohort.score().overall() == before
    ward.cycle.state = CycleState.calibrating  # not yet published: the newest version counts
    cohort = loading.load([ward.cycle.id], [StaffGroup.doctor]).cohort_of(ward.cycle.id,
                                                                          person.id)
    assert cohort.scheme is newer and cohort.score().overall() != before


def test_compare_within_department_narrows_the_group(make, hospital):
    cycle = factories.cycle()
    rate = factories.indicator()
    factories.scheme(cycle, [(rate, 1, 0.2, 0.05)], compare_within_department=True)
    in_ward = make.staff(hospital["ward"])
    in_cardiology = make.staff(hospital["cardiology"])
    elsewhere = make.staff(make.department("Neurology", parent=hospital["medicine"]))
    snapshot = loading.load([cycle.id], [StaffGroup.doctor])
    ward_cohort = snapshot.cohort_of(cycle.id, in_ward.id)
    # A ward is compared within the department above it; another department stays apart.
    assert ward_cohort is snapshot.cohort_of(cycle.id, in_cardiology.id)
    assert ward_cohort.unit.id == hospital["cardiology"].id
    assert {m.id for m in ward_cohort.members} == {in_ward.id, in_cardiology.id}
    assert snapshot.cohort_of(cycle.id, elsewhere.id) is not ward_cohort


def test_inactive_staff_without_data_are_left_out(make, hospital):
    cycle = factories.cycle()
    factories.scheme(cycle, [(factories.indicator(), 1, 0.2, 0.05)])
    gone = make.staff(hospital["ward"], active=False)
    snapshot = loading.load([cycle.id], [StaffGroup.doctor])
    assert snapshot.cohort_of(cycle.id, gone.id) is None


def test_one_person_scored_alone_equals_their_row_of_the_cohort(make):
    ward = factories.ward(make, size=9)
    db.session.flush()
    cohort = loading.load([ward.cycle.id], [StaffGroup.doctor]).cohort_of(
        ward.cycle.id, ward.staff[4].id)
    rates = [s.code for s in cohort.spec.indicators if s.kind is Kind.rate]
    for person in ward.staff:
        everyone = {member.id: cohort.inputs_of(member.id) for member in cohort.members}
        groups = {code: GroupData({
            key: (m[code].numerator, m[code].denominator)
            for key, m in everyone.items() if code in m}) for code in rates}
        alone = score_person(cohort.spec, everyone[person.id], groups,
                             cohort.exempted_of(person.id), person.id)
        in_cohort = cards.scorecard(cohort, person.id).person
        assert alone.overall == pytest.approx(in_cohort.overall, abs=1e-9)
        assert alone.red_line_breaches == in_cohort.red_line_breaches
        for a, b in zip(alone.indicators, in_cohort.indicators, strict=True):
            assert a.status == b.status
            assert a.contribution == pytest.approx(b.contribution, abs=1e-9)


def test_the_columnar_loader_equals_scoring_each_persons_inputs(make):
    """Two cycles loaded at once, approved and pending exemptions, a stored expected count on
    an indicator that is not risk-adjusted: the arrays the loader fills score like each
    person's inputs given to the core one by one, and hold exactly the stored values."""
    first = factories.ward(make, size=12)
    second = factories.ward(make, size=6, name="Renal", seed=3)
    admin = make.admin()
    factories.exemption(first.cycle, first.staff[3], first.satisfaction, admin)
    factories.exemption(second.cycle, second.staff[1], second.readmission, admin,
                        state=ExemptionState.requested)
    readmission = stored(first, first.staff[4], first.readmission)
    readmission.expected = 9.5  # not risk-adjustable: the loader must not pass it on
    db.session.flush()
    snapshot = loading.load([first.cycle.id, second.cycle.id], [StaffGroup.doctor])
    for ward in (first, second):
        cohort = snapshot.cohort_of(ward.cycle.id, ward.staff[0].id)
        people = [person.id for person in cohort.members]
        assert people == sorted(person.id for person in first.staff + second.staff)
        by_person = score_cohort(cohort.spec, {p: cohort.inputs_of(p) for p in people},
                                 {p: cohort.exempted_of(p) for p in people})
        assert by_person.overall() == cohort.score().overall()
    assert exempted_in(snapshot, first) == {first.staff[3].id: {first.satisfaction.code}}
    assert exempted_in(snapshot, second) == {}
    person = first.staff[4]
    inputs = snapshot.cohort_of(first.cycle.id, person.id).inputs_of(person.id)
    mortality = stored(first, person, first.mortality)
    assert inputs[first.mortality.code] == MeasurementInput(
        numerator=mortality.numerator, denominator=mortality.denominator,
        expected=mortality.expected)
    assert inputs[first.readmission.code] == MeasurementInput(
        numerator=readmission.numerator, denominator=readmission.denominator)
    assert inputs[first.visits.code] == MeasurementInput(
        value=stored(first, person, first.visits).value)


def stored(ward, person, indicator) -> Measurement:
    return db.session.scalars(select(Measurement).filter_by(
        cycle_id=ward.cycle.id, staff_id=person.id, indicator_id=indicator.id)).one()


def exempted_in(snapshot, ward) -> dict:
    cohort = snapshot.cohort_of(ward.cycle.id, ward.staff[0].id)
    return {person.id: set(cohort.exempted_of(person.id)) for person in cohort.members
            if cohort.exempted_of(person.id)}
