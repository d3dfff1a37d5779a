"""Scheme versions: a published cycle's version is frozen; changing it makes a new version."""

from __future__ import annotations

import pytest

from appraisal.cycles.models import CycleState, Scheme
from appraisal.extensions import db
from tests.cycles import factories
from tests.cycles.helpers import SETTINGS, item_form
from tests.org.helpers import audit_entries, page_text


@pytest.fixture
def published(as_admin, lib):
    """A cycle published through the pages, with one scheme (now frozen) of one indicator."""
    cycle = factories.cycle("2026 Q1", state=CycleState.calibrating)
    scheme = factories.scheme(cycle, name="Doctors", cap_grade="C",
                              items=[(lib.readmit, 2, 0.2, 0.1)])
    db.session.commit()
    as_admin.post(f"/cycles/{cycle.id}/state", data={"target": "published"})
    db.session.expire_all()
    assert scheme.frozen
    return scheme


def versions_of(scheme) -> list[Scheme]:
    return list(db.session.query(Scheme).filter_by(cycle_id=scheme.cycle_id)
                .order_by(Scheme.version))


def snapshot(scheme) -> tuple:
    return (scheme.name, scheme.grade_bands, scheme.frozen, scheme.weight_360,
            [(i.indicator.code, i.weight, i.threshold, i.target) for i in scheme.items])


def test_changing_frozen_settings_creates_version_2_and_leaves_version_1(as_admin, published):
    before = snapshot(published)
    response = as_admin.post(f"/cycles/schemes/{published.id}/edit",
                             data=SETTINGS | {"name": "Doctors", "weight_360": "0.3"})
    [v1, v2] = versions_of(published)
    assert response.headers["Location"].endswith(f"/cycles/schemes/{v2.id}")
    db.session.expire_all()
    assert snapshot(v1) == before
    assert (v2.version, v2.frozen, v2.weight_360) == (2, False, 0.3)
    assert [(i.indicator.code, i.weight) for i in v2.items] == [("READMIT", 2)]
    html = page_text(as_admin.get(response.headers["Location"]))
    assert "version 2" in html and "current" in html
    assert "used by the published results" in html  # version 1 in the history table
    assert "the published results still use version 1 and do not change" in html
    html = page_text(as_admin.get(f"/cycles/schemes/{v1.id}"))
    assert "The published results of this cycle were computed with this version" in html
    [created] = audit_entries("scheme.version_created")
    assert created.object_id == str(v2.id) and created.new_values["from_version"] == 1
    [updated] = audit_entries("scheme.updated")
    assert updated.object_id == str(v2.id)
    assert (updated.old_values, updated.new_values) == ({"weight_360": 0.15},
                                                        {"weight_360": 0.3})


def test_the_new_version_says_so_and_is_then_changed_in_place(as_admin, published, lib):
    response = as_admin.post(f"/cycles/schemes/{published.id}/indicators",
                             data=item_form(lib.alos, threshold="12", target="6"),
                             follow_redirects=True)
    html = page_text(response)
    assert ("Version 1 is frozen because its cycle was published, so your change was saved as "
            "the new version 2. Version 1 is unchanged.") in html
    [v1, v2] = versions_of(published)
    assert len(v1.items) == 1 and len(v2.items) == 2
    # Version 2 is not frozen: further changes stay in it.
    item = v2.items[1]
    as_admin.post(f"/cycles/schemes/{v2.id}/indicators/{item.id}/edit",
                  data={"weight": "5", "threshold": "12", "target": "6", "min_denominator": "",
                        "red_line_limit": "", "red_line_side": "above"})
    db.session.expire_all()
    assert len(versions_of(published)) == 2 and v2.items[1].weight == 5


def test_editing_a_frozen_indicator_changes_only_the_new_version(as_admin, published):
    item = published.items[0]
    as_admin.post(f"/cycles/schemes/{published.id}/indicators/{item.id}/edit",
                  data={"weight": "2", "threshold": "30", "target": "10", "min_denominator": "",
                        "red_line_limit": "", "red_line_side": "above"})
    [v1, v2] = versions_of(published)
    db.session.expire_all()
    assert v1.items[0].threshold == 0.2 and v2.items[0].threshold == 0.3
    [entry] = audit_entries("scheme.indicator_updated")
    assert entry.object_id == str(v2.id)


def test_an_older_version_can_no_longer_be_changed(as_admin, published, lib):
    published_items = len(published.items)
    as_admin.post(f"/cycles/schemes/{published.id}/indicators",
                  data=item_form(lib.alos, threshold="12", target="6"))
    [v1, _v2] = versions_of(published)
    assert len(v1.items) == published_items
    # Version 1 is now history: it can no longer be changed at all.
    html = page_text(as_admin.post(
        f"/cycles/schemes/{v1.id}/indicators/{v1.items[0].id}/remove", follow_redirects=True))
    assert "This is version 1, kept for the record: only the current version (2) can be " \
           "changed." in html
    html = page_text(as_admin.get(f"/cycles/schemes/{v1.id}"))
    assert "The published results of this cycle were computed with this version. Version 2, " \
           "made since, does not change them." in html
    assert "/remove" not in html and "Edit the settings" not in html


def test_saving_a_frozen_version_unchanged_makes_no_version(as_admin, published):
    response = as_admin.post(f"/cycles/schemes/{published.id}/edit",
                             data=SETTINGS | {"name": "Doctors"}, follow_redirects=True)
    assert "Nothing was changed." in page_text(response)
    assert len(versions_of(published)) == 1
    assert audit_entries("scheme.version_created") == []


def test_a_refused_change_of_a_frozen_version_leaves_no_new_version(as_admin, published):
    html = page_text(as_admin.post(f"/cycles/schemes/{published.id}/edit",
                                   data=SETTINGS | {"name": "Doctors", "cap_grade": "Z"}))
    assert "The cap grade Z is not one of the grade bands" in html
    assert len(versions_of(published)) == 1


def test_the_cycle_lists_the_current_version(as_admin, published):
    as_admin.post(f"/cycles/schemes/{published.id}/edit",
                  data=SETTINGS | {"name": "Doctors v2"})
    html = page_text(as_admin.get(f"/cycles/{published.cycle_id}"))
    assert "Doctors v2" in html and ">Doctors<" not in html


def test_a_closed_cycle_cannot_change_its_schemes(as_admin, published):
    as_admin.post(f"/cycles/{published.cycle_id}/state", data={"target": "closed"})
    html = page_text(as_admin.post(f"/cycles/schemes/{published.id}/edit",
                                   data=SETTINGS | {"name": "Changed"}, follow_redirects=True))
    assert "The cycle is closed: its schemes can no longer be changed." in html
    assert len(versions_of(published)) == 1
