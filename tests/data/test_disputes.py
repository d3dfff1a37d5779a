"""Data disputes: a clinician flags their own measurement, the data steward resolves it."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from appraisal.cycles.models import CycleState
from appraisal.extensions import db
from appraisal.indicators.models import IndicatorKind
from appraisal.measurements import disputes
from appraisal.measurements.models import Dispute, DisputeState
from tests.data.helpers import (
    audit_entries,
    count_statements,
    login,
    notifications_of,
    text,
)


@pytest.fixture
def readm(hospital, data):
    """Li's 30-day readmissions in 2026 Q1: 5 of 50."""
    return data.measurement(hospital.li, hospital.readm, hospital.cycle,
                            batch=data.batch(hospital.cycle, "HIS-discharges-Q1"))


def dispute_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Dispute))


def raise_one(client, auth, hospital, measurement, reason="Two of these were planned."):
    login(auth, hospital.li_user)
    response = client.post(f"/data/measurements/{measurement.id}/dispute",
                           data={"reason": reason})
    auth.logout()
    return response


# -- pure rules ------------------------------------------------------------------------------
@pytest.mark.parametrize("who, owns, resolves", [
    ("li_user", True, False),
    ("zhao_user", False, False),
    ("admin", False, True),
    ("med_manager", False, False),
])
def test_dispute_rules(hospital, readm, who, owns, resolves):
    user = getattr(hospital, who)
    assert disputes.owns_measurement(user, readm) is owns
    assert disputes.can_resolve_disputes(user) is resolves
    dispute = Dispute(measurement=readm, reason="x")
    assert disputes.can_view_dispute(user, dispute) is (owns or resolves)


@pytest.mark.parametrize("state, accepts", [
    (CycleState.draft, True), (CycleState.open, True), (CycleState.reviewing, True),
    (CycleState.calibrating, True), (CycleState.published, False), (CycleState.closed, False),
])
def test_disputes_are_refused_once_a_cycle_is_frozen(hospital, state, accepts):
    hospital.cycle.state = state
    assert disputes.accepts_disputes(hospital.cycle) is accepts


@pytest.mark.parametrize("code, raw, field, words", [
    ("READM", {"numerator": "7", "denominator": "5"}, "numerator", "greater than denominator"),
    ("READM", {"numerator": "-1", "denominator": "5"}, "numerator", "negative"),
    ("READM", {"numerator": "abc", "denominator": "5"}, "numerator", "not a number"),
    ("READM", {"numerator": "4", "denominator": "5"}, "numerator", "plausible range"),
    ("READM", {"numerator": "4"}, "denominator", "both required"),
    ("READM", {"numerator": "1", "denominator": "5", "value": "0.2"}, "value", "leave value"),
    ("READM", {"numerator": "1", "denominator": "5", "expected": "2"}, "expected",
     "risk-adjustable"),
    ("VISITS", {"value": "12.5"}, "value", "whole number"),
    ("VISITS", {"value": "25000"}, "value", "plausible range"),
    ("VISITS", {"value": ""}, "value", "required"),
    ("VISITS", {"value": "10", "numerator": "3"}, "numerator", "leave numerator empty"),
])
def test_corrected_values_are_checked_like_an_import_row(app, hospital, code, raw, field,
                                                        words):
    indicator = hospital.readm if code == "READM" else hospital.visits
    with app.test_request_context():
        values, errors = disputes.check_values(indicator, raw)
    assert values == {}
    assert words in errors[field]


def test_valid_corrected_values(hospital):
    # Valid values need no message, hence no request (no locale) either.
    assert disputes.check_values(hospital.readm, {"numerator": "3", "denominator": "50"}) == (
        {"numerator": 3.0, "denominator": 50.0, "value": None, "expected": None}, {})
    assert disputes.check_values(hospital.visits, {"value": "1200"})[0]["value"] == 1200.0


# -- the clinician's page --------------------------------------------------------------------
def test_clinician_sees_own_measurements_with_batch_and_source(client, auth, hospital, data,
                                                               readm):
    data.measurement(hospital.zhao, hospital.readm, hospital.cycle)  # not Li's
    login(auth, hospital.li_user)
    html = text(client.get("/data/my-measurements"))
    assert "30-day readmission" in html and "HIS-discharges-Q1" in html and "CSV" in html
    assert "10.00 %" in html  # 5 / 50
    assert html.count("/dispute\"") == 1
    assert "as imported" in html


def test_cycle_selector_shows_another_cycle(client, auth, hospital, data, readm):
    earlier = data.cycle("2025 Q4", state=CycleState.reviewing)
    data.measurement(hospital.li, hospital.visits, earlier, value=830)
    login(auth, hospital.li_user)
    assert "Outpatient visits" not in text(client.get(f"/data/my-measurements?cycle="
                                                      f"{hospital.cycle.id}"))
    html = text(client.get(f"/data/my-measurements?cycle={earlier.id}"))
    assert "Outpatient visits" in html and "830" in html
    assert client.get("/data/my-measurements?cycle=99999").status_code == 404


def test_clinician_without_measurements_sees_an_empty_state(client, auth, hospital):
    login(auth, hospital.li_user)
    assert "holds no measurements about you" in text(client.get("/data/my-measurements"))


# -- raising a dispute -----------------------------------------------------------------------
def test_clinician_disputes_own_measurement(client, auth, hospital, readm):
    response = raise_one(client, auth, hospital, readm)
    assert response.status_code == 302
    dispute = db.session.scalars(select(Dispute)).one()
    assert dispute.state is DisputeState.open and dispute.raised_by_id == hospital.li_user.id
    assert dispute.original_values == {"numerator": 5.0, "denominator": 50.0, "value": None,
                                       "expected": None}
    [entry] = audit_entries("dispute.raised")
    assert entry.actor_id == hospital.li_user.id and entry.new_values["measurement_id"] == readm.id
    assert disputes.disputed_codes(hospital.cycle) == {(readm.staff_id, readm.indicator.code)}
    login(auth, hospital.li_user)
    html = text(client.get("/data/my-measurements"))
    assert "disputed" in html and "/dispute\"" not in html


def test_another_clinicians_measurement_is_404(client, auth, hospital, readm):
    login(auth, hospital.zhao_user)
    assert client.get(f"/data/measurements/{readm.id}/dispute").status_code == 404
    assert client.post(f"/data/measurements/{readm.id}/dispute",
                       data={"reason": "not mine"}).status_code == 404
    assert dispute_count() == 0


def test_a_reason_is_required(client, auth, hospital, readm):
    login(auth, hospital.li_user)
    response = client.post(f"/data/measurements/{readm.id}/dispute", data={"reason": "  "})
    assert response.status_code == 200 and "This field is required" in text(response)
    assert dispute_count() == 0


def test_one_open_dispute_per_measurement(client, auth, hospital, readm):
    raise_one(client, auth, hospital, readm)
    login(auth, hospital.li_user)
    page = text(client.get(f"/data/measurements/{readm.id}/dispute"))
    assert "already disputed" in page and 'name="reason"' not in page
    response = client.post(f"/data/measurements/{readm.id}/dispute", data={"reason": "again"})
    assert "already disputed" in text(response)
    assert dispute_count() == 1


@pytest.mark.parametrize("state", [CycleState.published, CycleState.closed])
def test_no_dispute_in_a_frozen_cycle(client, auth, hospital, readm, state):
    hospital.cycle.state = state
    login(auth, hospital.li_user)
    page = text(client.get(f"/data/measurements/{readm.id}/dispute"))
    assert "can no longer be disputed" in page and 'name="reason"' not in page
    assert "/dispute\"" not in text(client.get("/data/my-measurements"))
    response = client.post(f"/data/measurements/{readm.id}/dispute", data={"reason": "wrong"})
    assert "can no longer be disputed" in text(response)
    assert dispute_count() == 0


# -- the steward's queue ---------------------------------------------------------------------
def test_queue_lists_open_disputes_and_filters(client, auth, hospital, data, readm):
    raise_one(client, auth, hospital, readm)
    other = data.measurement(hospital.zhao, hospital.readm, hospital.cycle)
    done = Dispute(measurement=other, raised_by=hospital.zhao_user, reason="old",
                   state=DisputeState.rejected)
    db.session.add(done)
    login(auth, hospital.admin)
    html = text(client.get("/data/disputes"))
    assert "Li Wei" in html and "Zhao Lei" not in html
    html = text(client.get("/data/disputes?state=rejected"))
    assert "Zhao Lei" in html and "Li Wei" not in html
    assert "Zhao Lei" in text(client.get("/data/disputes?state=all"))
    later = data.cycle("2026 Q2")
    assert "No dispute matches" in text(client.get(f"/data/disputes?state=all&cycle={later.id}"))


def test_queue_is_paginated(app, client, auth, hospital, data, make):
    app.config["PAGE_SIZE"] = 2
    for n in range(3):
        staff = make.staff(hospital.card, name=f"Doctor {n}")
        db.session.add(Dispute(measurement=data.measurement(staff, hospital.readm,
                                                            hospital.cycle),
                               raised_by=hospital.li_user, reason="x"))
    login(auth, hospital.admin)
    html = text(client.get("/data/disputes"))
    assert "Page 1 of 2" in html and html.count("Doctor ") == 2


def test_queue_statement_count_is_the_same_for_few_and_many(client, auth, hospital, data,
                                                           make):
    def count_for(extra):
        for _ in range(extra):
            staff = make.staff(hospital.card)
            db.session.add(Dispute(measurement=data.measurement(staff, hospital.readm,
                                                                hospital.cycle),
                                   raised_by=hospital.li_user, reason="x"))
        login(auth, hospital.admin)
        with count_statements() as counter:
            assert client.get("/data/disputes").status_code == 200
        return counter.n

    assert count_for(3) == count_for(40)


# -- resolving -------------------------------------------------------------------------------
@pytest.fixture
def dispute(client, auth, hospital, readm):
    raise_one(client, auth, hospital, readm)
    return db.session.scalars(select(Dispute)).one()


def correct(client, dispute, **values):
    form = {f"correct-{name}": value for name, value in values.items()}
    return client.post(f"/data/disputes/{dispute.id}/correct", data=form)


def test_correction_keeps_both_values_and_the_history(client, auth, hospital, dispute, readm):
    login(auth, hospital.admin)
    response = correct(client, dispute, numerator="3", denominator="50",
                       note="Two readmissions were planned chemotherapy.")
    assert response.status_code == 302
    db.session.refresh(readm)
    db.session.refresh(dispute)
    assert (readm.numerator, readm.denominator) == (3.0, 50.0)
    assert dispute.state is DisputeState.corrected and dispute.resolved_by_id == hospital.admin.id
    assert dispute.original_values["numerator"] == 5.0
    assert dispute.corrected_values["numerator"] == 3.0
    [entry] = audit_entries("measurement.corrected")
    assert entry.old_values == {"numerator": 5.0}
    assert entry.new_values == {"numerator": 3.0, "dispute_id": dispute.id}
    assert audit_entries("dispute.corrected")[0].new_values["state"] == "corrected"
    assert disputes.disputed_codes(hospital.cycle) == set()
    [note] = notifications_of(hospital.li_user)
    assert note.kind == "dispute_resolved" and "corrected" in note.subject
    assert note.link == f"/data/disputes/{dispute.id}"


def test_clinician_sees_the_outcome_with_both_values(client, auth, hospital, dispute):
    login(auth, hospital.admin)
    correct(client, dispute, numerator="3", denominator="50", note="Planned admissions.")
    login(auth, hospital.li_user)
    html = text(client.get(f"/data/disputes/{dispute.id}"))
    assert "10.00 %" in html and "6.00 %" in html and "Planned admissions." in html
    assert "Correct the measurement" not in html


def test_a_bad_correction_names_the_field_and_changes_nothing(client, auth, hospital, dispute,
                                                              readm):
    login(auth, hospital.admin)
    response = correct(client, dispute, numerator="60", denominator="50", note="typo")
    html = text(response)
    assert response.status_code == 200
    assert "numerator (60) is greater than denominator (50)" in html
    assert 'value="60"' in html  # what was typed is kept
    db.session.refresh(readm)
    assert readm.numerator == 5.0 and dispute.is_open
    assert audit_entries("measurement.corrected") == []


def test_a_correction_must_change_something(client, auth, hospital, dispute):
    login(auth, hospital.admin)
    html = text(correct(client, dispute, numerator="5", denominator="50"))
    assert "already has" in html
    assert dispute.is_open


def test_reject_needs_a_reason_then_keeps_the_data(client, auth, hospital, dispute, readm):
    login(auth, hospital.admin)
    response = client.post(f"/data/disputes/{dispute.id}/reject", data={"reject-note": ""})
    assert response.status_code == 200 and "This field is required" in text(response)
    assert dispute.is_open
    response = client.post(f"/data/disputes/{dispute.id}/reject",
                           data={"reject-note": "The HIS record shows five readmissions."})
    assert response.status_code == 302
    db.session.refresh(dispute)
    assert dispute.state is DisputeState.rejected and dispute.corrected_values is None
    assert readm.numerator == 5.0
    assert audit_entries("dispute.rejected")[0].new_values["resolution_note"].startswith("The HIS")
    [note] = notifications_of(hospital.li_user)
    assert "rejected" in note.subject and "five readmissions" in note.body


def test_a_resolved_dispute_cannot_be_resolved_again(client, auth, hospital, dispute):
    login(auth, hospital.admin)
    client.post(f"/data/disputes/{dispute.id}/reject", data={"reject-note": "Correct as is."})
    html = text(correct(client, dispute, numerator="1", denominator="50"))
    assert "already resolved" in html
    assert "Correct the measurement" not in text(client.get(f"/data/disputes/{dispute.id}"))


def test_no_correction_once_the_cycle_is_published(client, auth, hospital, dispute, readm):
    hospital.cycle.state = CycleState.published
    login(auth, hospital.admin)
    html = text(correct(client, dispute, numerator="1", denominator="50"))
    assert "measurements are frozen" in html
    db.session.refresh(readm)
    assert readm.numerator == 5.0


def test_a_second_dispute_after_a_correction_keeps_the_chain(client, auth, hospital, dispute,
                                                              readm):
    login(auth, hospital.admin)
    correct(client, dispute, numerator="3", denominator="50", note="fixed")
    auth.logout()
    raise_one(client, auth, hospital, readm, reason="Still one too many.")
    second = db.session.scalars(select(Dispute).order_by(Dispute.id.desc())).first()
    assert second.original_values["numerator"] == 3.0
    login(auth, hospital.admin)
    html = text(client.get(f"/data/disputes/{second.id}"))
    assert "Every dispute of this measurement" in html and "fixed" in html


def test_only_the_steward_resolves(client, auth, hospital, dispute):
    login(auth, hospital.li_user)
    assert correct(client, dispute, numerator="1", denominator="50").status_code == 403
    login(auth, hospital.zhao_user)
    assert client.get(f"/data/disputes/{dispute.id}").status_code == 404
    assert dispute.is_open


def test_value_indicator_correction(client, auth, hospital, data):
    visits = data.measurement(hospital.li, hospital.visits, hospital.cycle, value=830)
    raise_one(client, auth, hospital, visits, reason="Clinic on 3 March missing.")
    dispute = db.session.scalars(select(Dispute)).one()
    login(auth, hospital.admin)
    assert correct(client, dispute, value="910", note="Added 3 March.").status_code == 302
    db.session.refresh(visits)
    assert visits.value == 910.0 and hospital.visits.kind is IndicatorKind.count


def test_forms_need_the_csrf_token(csrf_client, hospital, readm):
    from tests.conftest import PASSWORD, csrf_token_from

    db.session.commit()
    page = csrf_client.get("/login").get_data(as_text=True)
    csrf_client.post("/login", data={"username": "li", "password": PASSWORD,
                                     "csrf_token": csrf_token_from(page)})
    url = f"/data/measurements/{readm.id}/dispute"
    form = text(csrf_client.get(url)).split('<form method="post" class="card"')[1]
    assert 'name="csrf_token"' in form
    assert csrf_client.post(url, data={"reason": "no token"}).status_code == 400
    assert dispute_count() == 0
