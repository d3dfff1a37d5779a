"""Cycle pages: list, create, edit, and the state machine driven through the buttons."""

from __future__ import annotations

from datetime import date

import pytest

from appraisal.cycles.models import Cycle, CycleState
from appraisal.extensions import db
from tests.cycles import factories
from tests.org.helpers import audit_entries, page_text

CYCLE = {"name": "2026 Q3", "period": "quarter", "start_date": "2026-07-01",
         "end_date": "2026-09-30"}


def test_create_a_cycle_in_draft(as_admin, admin):
    response = as_admin.post("/cycles/new", data=CYCLE, follow_redirects=True)
    html = page_text(response)
    assert "The cycle 2026 Q3 has been created." in html
    cycle = db.session.query(Cycle).one()
    assert cycle.state is CycleState.draft and cycle.end_date == date(2026, 9, 30)
    [entry] = audit_entries("cycle.created")
    assert entry.actor_id == admin.id and entry.new_values["state"] == "draft"
    assert entry.new_values["start_date"] == "2026-07-01"


@pytest.mark.parametrize("changes, message", [
    ({"end_date": "2026-07-01"}, "The end date must be after the start date."),
    ({"end_date": "2026-06-30"}, "The end date must be after the start date."),
    ({"name": "2026 q1"}, "A cycle named “2026 Q1” already exists."),
    ({"start_date": ""}, "This field is required."),
    ({"end_date": "30/09/2026"}, "Not a valid date value."),
])
def test_create_refuses_bad_input(as_admin, changes, message):
    factories.cycle("2026 Q1")
    db.session.commit()
    data = CYCLE | changes
    html = page_text(as_admin.post("/cycles/new", data=data))
    assert message in html, html
    assert data["name"] in html
    assert db.session.query(Cycle).count() == 1


def test_list_shows_cycles_newest_first_with_their_schemes(as_admin, lib):
    old = factories.cycle("2025 Q4", start=date(2025, 10, 1), end=date(2025, 12, 31))
    factories.scheme(old, items=[(lib.readmit, 1, 0.2, 0.1)])
    factories.cycle("2026 Q1")
    db.session.commit()
    html = page_text(as_admin.get("/cycles"))
    assert html.index("2026 Q1") < html.index("2025 Q4")
    assert '<td class="num">1</td>' in html


def test_empty_list_invites_to_create(as_admin):
    assert "There is no appraisal cycle yet." in page_text(as_admin.get("/cycles"))


def test_edit_name_and_dates_until_published(as_admin):
    cycle = factories.cycle("2026 Q1")
    db.session.commit()
    html = page_text(as_admin.get(f"/cycles/{cycle.id}/edit"))
    assert 'value="2026 Q1"' in html and '<option selected value="quarter">' in html
    response = as_admin.post(f"/cycles/{cycle.id}/edit", data=CYCLE | {"name": "2026 first"},
                             follow_redirects=True)
    assert "The cycle has been updated." in page_text(response)
    [entry] = audit_entries("cycle.updated")
    assert entry.old_values["name"] == "2026 Q1" and entry.new_values["name"] == "2026 first"
    cycle.state = CycleState.published
    db.session.commit()
    html = page_text(as_admin.post(f"/cycles/{cycle.id}/edit", data=CYCLE))
    assert "The cycle is published: its name and dates are frozen." in html


# -- the state machine through the pages ----------------------------------------------------
def transition(client, cycle, target):
    return page_text(client.post(f"/cycles/{cycle.id}/state", data={"target": target},
                                 follow_redirects=True))


def test_opening_without_a_scheme_is_refused_with_its_reason(as_admin):
    cycle = factories.cycle("2026 Q1")
    db.session.commit()
    html = page_text(as_admin.get(f"/cycles/{cycle.id}"))
    assert "Open the cycle" in html and "not possible yet" in html
    html = transition(as_admin, cycle, "open")
    assert ("The cycle cannot be opened: open needs at least one scheme with at least one "
            "indicator.") in html
    assert cycle.state is CycleState.draft
    assert audit_entries("cycle.state_changed") == []


def test_a_scheme_without_indicator_blocks_opening(as_admin, lib):
    cycle = factories.cycle("2026 Q1")
    factories.scheme(cycle, name="Doctors", items=[(lib.readmit, 1, 0.2, 0.1)])
    factories.scheme(cycle, name="Nurses (empty)", group=factories.StaffGroup.nurse)
    db.session.commit()
    html = transition(as_admin, cycle, "open")
    assert "these have none: Nurses (empty)." in html
    db.session.expire_all()
    assert cycle.state is CycleState.draft


def test_a_cycle_walks_through_every_state_and_publishing_freezes(as_admin, admin, lib):
    cycle = factories.cycle("2026 Q1")
    scheme = factories.scheme(cycle, items=[(lib.readmit, 1, 0.2, 0.1)])
    db.session.commit()
    for target, shown in [("open", "open"), ("reviewing", "reviewing"),
                          ("calibrating", "calibrating"), ("published", "published")]:
        assert f"The cycle is now {shown}." in transition(as_admin, cycle, target)
    db.session.expire_all()
    assert cycle.state is CycleState.published and cycle.published_at is not None
    assert scheme.frozen
    html = transition(as_admin, cycle, "reviewing")
    assert "Cannot go back from published: published grades are frozen" in html
    assert "The cycle is now closed." in transition(as_admin, cycle, "closed")
    assert "The cycle is closed: it cannot change state any more." in transition(
        as_admin, cycle, "open")
    entries = audit_entries("cycle.state_changed")
    assert [(e.old_values["state"], e.new_values["state"]) for e in entries] == [
        ("draft", "open"), ("open", "reviewing"), ("reviewing", "calibrating"),
        ("calibrating", "published"), ("published", "closed")]
    assert entries[3].new_values["frozen_scheme_ids"] == [scheme.id]
    assert all(e.actor_id == admin.id for e in entries)
    [frozen] = audit_entries("scheme.frozen")
    assert frozen.object_id == str(scheme.id)


def test_the_detail_page_offers_the_allowed_transitions(as_admin, lib):
    cycle = factories.cycle("2026 Q1", state=CycleState.reviewing)
    db.session.commit()
    html = page_text(as_admin.get(f"/cycles/{cycle.id}"))
    assert 'value="calibrating"' in html and 'value="open"' in html
    assert 'value="published"' not in html and 'value="draft"' not in html
    assert "Start calibration" in html and "Reopen for data" in html


def test_skipping_a_step_or_an_unknown_state_is_refused(as_admin):
    cycle = factories.cycle("2026 Q1", state=CycleState.open)
    db.session.commit()
    assert "A cycle is published only from calibrating (this one is open)." in transition(
        as_admin, cycle, "published")
    assert "Choose one of the buttons to change the state." in transition(
        as_admin, cycle, "finished")
    assert audit_entries("cycle.state_changed") == []
