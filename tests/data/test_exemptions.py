"""Exemptions: a manager requests, an administrator decides; only approved ones count."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from appraisal.cycles.models import CycleState
from appraisal.extensions import db
from appraisal.measurements import exemptions
from appraisal.measurements.models import Exemption, ExemptionState
from appraisal.org.models import StaffGroup
from tests.data.helpers import (
    audit_entries,
    count_statements,
    login,
    notifications_of,
    text,
)


def exemption_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Exemption))


def request_form(hospital, staff=None, indicator=None, cycle=None, reason="Long sick leave"):
    return {"cycle": str((cycle or hospital.cycle).id), "staff": str((staff or hospital.li).id),
            "indicator": str((indicator or hospital.readm).id), "reason": reason}


def post_request(client, hospital, **kw):
    return client.post("/data/exemptions/new", data=request_form(hospital, **kw))


@pytest.fixture
def requested(hospital, data):
    return data.exemption(hospital.cycle, hospital.li, hospital.readm, hospital.med_manager)


# -- pure rules ------------------------------------------------------------------------------
@pytest.mark.parametrize("who, for_li, for_zhao, decides", [
    ("admin", True, True, True),
    ("med_manager", True, False, False),
    ("orth_manager", False, True, False),
    ("li_user", False, False, False),
])
def test_exemption_rules(hospital, who, for_li, for_zhao, decides):
    user = getattr(hospital, who)
    assert exemptions.can_request_exemption_for(user, hospital.li) is for_li
    assert exemptions.can_request_exemption_for(user, hospital.zhao) is for_zhao
    assert exemptions.can_decide_exemptions(user) is decides
    assert exemptions.can_request_exemptions(user) is (who != "li_user")


# -- requesting ------------------------------------------------------------------------------
def test_manager_requests_an_exemption(client, auth, hospital):
    login(auth, hospital.med_manager)
    response = post_request(client, hospital)
    assert response.status_code == 302
    exemption = db.session.scalars(select(Exemption)).one()
    assert exemption.state is ExemptionState.requested
    assert exemption.requested_by_id == hospital.med_manager.id
    [entry] = audit_entries("exemption.requested")
    assert entry.new_values["indicator"] == "READM" and entry.new_values["reason"]
    html = text(client.get("/data/exemptions"))
    assert "Li Wei" in html and "Waiting for a decision" in html
    assert 'value="approve"' not in html  # only an administrator decides
    assert exemptions.approved_exemptions(hospital.cycle) == {}


def test_staff_picker_lists_only_the_managers_staff(client, auth, hospital):
    login(auth, hospital.med_manager)
    html = text(client.get("/data/exemptions/new"))
    assert "Li Wei" in html and "Zhao Lei" not in html


def test_form_prefilled_from_a_staff_and_cycle_page(client, auth, hospital):
    login(auth, hospital.med_manager)
    html = text(client.get(f"/data/exemptions/new?staff={hospital.li.id}"
                           f"&cycle={hospital.cycle.id}"))
    assert f'<option selected value="{hospital.li.id}">' in html
    assert f'<option selected value="{hospital.cycle.id}">' in html


def test_another_departments_manager_is_refused(client, auth, hospital):
    login(auth, hospital.orth_manager)
    assert client.get(f"/data/exemptions/new?staff={hospital.li.id}").status_code == 403
    assert post_request(client, hospital).status_code == 403
    assert exemption_count() == 0


def test_a_reason_is_required(client, auth, hospital):
    login(auth, hospital.med_manager)
    response = post_request(client, hospital, reason="")
    assert response.status_code == 200 and "This field is required" in text(response)
    assert exemption_count() == 0


@pytest.mark.parametrize("state, message", [
    (ExemptionState.requested, "already requested and is waiting for a decision"),
    (ExemptionState.approved, "already exempted"),
])
def test_duplicates_are_refused(client, auth, hospital, data, state, message):
    data.exemption(hospital.cycle, hospital.li, hospital.readm, hospital.admin, state=state)
    login(auth, hospital.med_manager)
    response = post_request(client, hospital)
    assert response.status_code == 200 and message in text(response)
    assert exemption_count() == 1


def test_a_rejected_request_can_be_made_again(client, auth, hospital, data):
    old = data.exemption(hospital.cycle, hospital.li, hospital.readm, hospital.admin,
                         state=ExemptionState.rejected, reason="no proof")
    old.decision_note = "Send the sick note."
    login(auth, hospital.med_manager)
    assert post_request(client, hospital, reason="Sick note attached").status_code == 302
    db.session.refresh(old)
    assert old.state is ExemptionState.requested and old.reason == "Sick note attached"
    assert old.decision_note == "" and exemption_count() == 1
    [entry] = audit_entries("exemption.requested")
    assert entry.old_values["state"] == "rejected" and entry.old_values["reason"] == "no proof"


@pytest.mark.parametrize("state", [CycleState.published, CycleState.closed])
def test_no_request_for_a_frozen_cycle(client, auth, hospital, state):
    hospital.cycle.state = state
    login(auth, hospital.med_manager)
    response = post_request(client, hospital)
    assert "its results are frozen" in text(response)
    assert "No cycle accepts exemptions" in text(client.get("/data/exemptions/new"))
    assert exemption_count() == 0


def test_only_an_indicator_of_the_persons_scheme(client, auth, hospital, data, make):
    other = data.indicator("PUBS", name="Publications")
    nurse = make.staff(hospital.card, StaffGroup.nurse, name="Wang Fang")
    login(auth, hospital.med_manager)
    assert "nothing to exempt" in text(post_request(client, hospital, indicator=other))
    assert "nothing to exempt" in text(post_request(client, hospital, staff=nurse))
    assert exemption_count() == 0


def test_an_unknown_choice_names_the_field(client, auth, hospital):
    login(auth, hospital.med_manager)
    form = request_form(hospital)
    form["indicator"] = "99999"
    assert "Choose one from the list" in text(client.post("/data/exemptions/new", data=form))


# -- deciding --------------------------------------------------------------------------------
def decide(client, exemption, decision, note=""):
    return client.post(f"/data/exemptions/{exemption.id}/decide",
                       data={"decision": decision, "note": note})


def test_admin_approves_and_the_manager_is_told(client, auth, hospital, requested):
    login(auth, hospital.admin)
    assert 'value="approve"' in text(client.get("/data/exemptions"))
    assert decide(client, requested, "approve").status_code == 302
    db.session.refresh(requested)
    assert requested.state is ExemptionState.approved
    assert requested.decided_by_id == hospital.admin.id
    [entry] = audit_entries("exemption.approved")
    assert entry.old_values["state"] == "requested" and entry.new_values["state"] == "approved"
    [note] = notifications_of(hospital.med_manager)
    assert note.kind == "exemption_decided" and "approved" in note.subject
    assert "READM" in note.subject and "Li Wei" in note.subject
    assert exemptions.approved_exemptions(hospital.cycle) == {hospital.li.id: {"READM"}}


def test_rejection_needs_a_reason(client, auth, hospital, requested):
    login(auth, hospital.admin)
    response = decide(client, requested, "reject")
    assert "Say why the exemption is rejected" in text(client.get(response.location))
    assert requested.state is ExemptionState.requested
    decide(client, requested, "reject", "The leave was two days.")
    db.session.refresh(requested)
    assert requested.state is ExemptionState.rejected
    assert requested.decision_note == "The leave was two days."
    assert "rejected" in notifications_of(hospital.med_manager)[0].subject
    assert exemptions.approved_exemptions(hospital.cycle) == {}


def test_a_decision_is_made_once(client, auth, hospital, requested):
    login(auth, hospital.admin)
    decide(client, requested, "approve")
    response = decide(client, requested, "reject", "changed my mind")
    assert "already decided" in text(client.get(response.location))
    db.session.refresh(requested)
    assert requested.state is ExemptionState.approved


def test_no_decision_in_a_frozen_cycle(client, auth, hospital, requested):
    hospital.cycle.state = CycleState.published
    login(auth, hospital.admin)
    response = decide(client, requested, "approve")
    assert "its results are frozen" in text(client.get(response.location))
    assert requested.state is ExemptionState.requested


def test_a_manager_cannot_decide(client, auth, hospital, requested):
    login(auth, hospital.med_manager)
    assert decide(client, requested, "approve").status_code == 403
    assert requested.state is ExemptionState.requested


def test_managers_see_only_their_departments(client, auth, hospital, data, requested):
    data.exemption(hospital.cycle, hospital.zhao, hospital.readm, hospital.orth_manager)
    login(auth, hospital.orth_manager)
    html = text(client.get("/data/exemptions"))
    assert "Zhao Lei" in html and "Li Wei" not in html
    login(auth, hospital.admin)
    html = text(client.get("/data/exemptions"))
    assert "Zhao Lei" in html and "Li Wei" in html


def test_approved_exemptions_ignore_other_states_and_cycles(hospital, data, requested):
    data.exemption(hospital.cycle, hospital.zhao, hospital.readm, hospital.admin,
                   state=ExemptionState.approved)
    data.exemption(hospital.cycle, hospital.zhao, hospital.visits, hospital.admin,
                   state=ExemptionState.approved)
    data.exemption(hospital.cycle, hospital.li, hospital.visits, hospital.admin,
                   state=ExemptionState.rejected)
    other = data.cycle("2026 Q2")
    data.exemption(other, hospital.li, hospital.visits, hospital.admin,
                   state=ExemptionState.approved)
    assert exemptions.approved_exemptions(hospital.cycle) == {
        hospital.zhao.id: {"READM", "VISITS"}}
    assert exemptions.approved_exemptions(other.id) == {hospital.li.id: {"VISITS"}}


def test_list_statement_count_is_the_same_for_few_and_many(client, auth, hospital, data, make):
    def count_for(extra):
        for _ in range(extra):
            staff = make.staff(hospital.card)
            data.exemption(hospital.cycle, staff, hospital.readm, hospital.med_manager)
        login(auth, hospital.admin)
        with count_statements() as counter:
            assert client.get("/data/exemptions").status_code == 200
        return counter.n

    assert count_for(3) == count_for(40)
