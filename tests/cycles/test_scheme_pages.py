"""Scheme pages: create, settings, choosing indicators (rates in percent), delete, copy."""

from __future__ import annotations

import pytest

from appraisal.cycles.models import CycleState, RedLineSide, Scheme
from appraisal.extensions import db
from appraisal.org.models import StaffGroup
from tests.cycles import factories
from tests.cycles.helpers import SETTINGS, item_form, new_scheme_form
from tests.org.helpers import audit_entries, page_text


@pytest.fixture
def cycle(app):
    row = factories.cycle("2026 Q1")
    db.session.commit()
    return row


@pytest.fixture
def scheme(cycle, lib):
    row = factories.scheme(cycle, name="Doctors", cap_grade="C",
                           items=[(lib.readmit, 2, 0.2, 0.1)])
    db.session.commit()
    return row


# -- create ----------------------------------------------------------------------------------
def test_create_a_scheme_then_it_asks_for_indicators(as_admin, admin, cycle, make):
    department = make.department("Cardiology", code="CARD")
    db.session.commit()
    response = as_admin.post(f"/cycles/{cycle.id}/schemes/new",
                             data=new_scheme_form(department=str(department.id)),
                             follow_redirects=True)
    html = page_text(response)
    assert "The scheme has been created. Now choose its indicators." in html
    assert "This scheme has no indicator yet." in html
    scheme = db.session.query(Scheme).one()
    assert (scheme.version, scheme.frozen, scheme.department_id) == (1, False, department.id)
    assert scheme.grade_bands == [[85, "A"], [70, "B"], [55, "C"], [0, "D"]]
    assert scheme.created_by_id == admin.id
    [entry] = audit_entries("scheme.created")
    assert entry.new_values["name"] == "Doctors 2026" and entry.new_values["indicators"] == []


@pytest.mark.parametrize("changes, message", [
    ({"grade_bands": "A85"}, "“A85” is not a band"),
    ({"grade_bands": "A:85, A:60"}, "The grade A appears more than once."),
    ({"cap_grade": "E"}, "The cap grade E is not one of the grade bands (A, B, C, D)."),
    ({"weight_360": "-1"}, "A component weight cannot be negative."),
    ({"weight_quantitative": "0", "weight_360": "0", "weight_panel": "0",
      "weight_case_quality": "0", "weight_contributions": "0"},
     "All the component weights are zero"),
    ({"anonymity_threshold": "1"}, "The anonymity threshold must be at least 2"),
    ({"min_denominator": "0"}, "The minimum denominator must be at least 1."),
    ({"weight_panel": ""}, "Enter a weight (0 leaves the component out)."),
    ({"department": "999999"}, "Choose an active department from the list, or none."),
])
def test_create_refuses_bad_settings(as_admin, cycle, changes, message):
    data = new_scheme_form(**changes)
    html = page_text(as_admin.post(f"/cycles/{cycle.id}/schemes/new", data=data))
    assert message in html, html
    assert "Doctors 2026" in html
    assert db.session.query(Scheme).count() == 0


def test_one_scheme_per_group_and_department(as_admin, scheme, cycle):
    html = page_text(as_admin.post(f"/cycles/{cycle.id}/schemes/new",
                                   data=new_scheme_form()))
    assert ("This cycle already has a scheme for Doctor in the whole hospital: “Doctors”.") in html
    assert db.session.query(Scheme).count() == 1
    response = as_admin.post(f"/cycles/{cycle.id}/schemes/new",
                             data=new_scheme_form(staff_group="nurse", name="Nurses"))
    assert response.status_code == 302


def test_no_new_scheme_in_a_published_cycle(as_admin, cycle):
    cycle.state = CycleState.published
    db.session.commit()
    html = page_text(as_admin.post(f"/cycles/{cycle.id}/schemes/new", data=new_scheme_form(),
                                   follow_redirects=True))
    assert "The cycle is published: its schemes are frozen and no scheme can be added." in html


# -- settings --------------------------------------------------------------------------------
def test_settings_form_is_prefilled_and_changes_are_audited(as_admin, scheme):
    html = page_text(as_admin.get(f"/cycles/schemes/{scheme.id}/edit"))
    assert 'value="A:85, B:70, C:55, D:0"' in html and 'value="Doctors"' in html
    response = as_admin.post(f"/cycles/schemes/{scheme.id}/edit",
                             data=SETTINGS | {"name": "Doctors", "grade_bands": "A:90, B:60, C:0"},
                             follow_redirects=True)
    assert "The scheme&#39;s settings have been saved." in page_text(response)
    [entry] = audit_entries("scheme.updated")
    assert entry.old_values["grade_bands"] == [[85, "A"], [70, "B"], [55, "C"], [0, "D"]]
    assert entry.new_values["grade_bands"] == [[90.0, "A"], [60.0, "B"], [0.0, "C"]]
    db.session.expire_all()
    assert scheme.version == 1 and db.session.query(Scheme).count() == 1  # changed in place


def test_removing_the_cap_grade_while_a_red_line_exists_is_refused(as_admin, scheme, lib):
    scheme.items[0].red_line_limit, scheme.items[0].red_line_side = 0.3, RedLineSide.above
    db.session.commit()
    html = page_text(as_admin.post(f"/cycles/schemes/{scheme.id}/edit",
                                   data=SETTINGS | {"cap_grade": ""}))
    assert "A red line needs a cap grade" in html
    db.session.expire_all()
    assert scheme.cap_grade == "C"


# -- choosing indicators ---------------------------------------------------------------------
def test_add_a_rate_in_percent_stored_as_a_proportion(as_admin, scheme, lib):
    scheme.cap_grade = "C"
    db.session.commit()
    data = item_form(lib.visits, weight="1", threshold="1000", target="3000")
    response = as_admin.post(f"/cycles/schemes/{scheme.id}/indicators", data=data,
                             follow_redirects=True)
    assert "VISITS has been added to the scheme." in page_text(response)
    # A second scheme, for nurses, gets a rate typed in percent.
    nurses = factories.scheme(scheme.cycle, StaffGroup.nurse, name="Nurses", cap_grade="C")
    db.session.commit()
    response = as_admin.post(f"/cycles/schemes/{nurses.id}/indicators", follow_redirects=True,
                             data=item_form(lib.readmit, threshold="12.5", target="5",
                                            red_line_limit="25", min_denominator="30"))
    html = page_text(response)
    assert "12.5%" in html and "5%" in html and "above 25%" in html
    [item] = nurses.items
    assert (item.threshold, item.target, item.red_line_limit) == (0.125, 0.05, 0.25)
    assert (item.red_line_side, item.min_denominator) == (RedLineSide.above, 30)
    entry = audit_entries("scheme.indicator_added")[-1]
    assert entry.new_values == {"indicator": "READMIT", "weight": 1.0, "threshold": 0.125,
                                "target": 0.05, "min_denominator": 30, "red_line_limit": 0.25,
                                "red_line_side": "above"}


@pytest.mark.parametrize("changes, message", [
    ({"threshold": "10", "target": "10"},
     ("ALOS (Average length of stay): the threshold and the target are both 10 days. They must "
     "differ")),
    ({"weight": "-2"}, "ALOS (Average length of stay): a weight cannot be negative."),
    ({"threshold": "", "target": "5"}, "This field is required."),
    ({"min_denominator": "5"}, ("ALOS (Average length of stay) is not a rate: a minimum "
                                "denominator applies only to rates")),
])
def test_add_refuses_bad_values_naming_the_indicator(as_admin, scheme, lib, changes, message):
    data = item_form(lib.alos, threshold="12", target="6") | changes
    html = page_text(as_admin.post(f"/cycles/schemes/{scheme.id}/indicators", data=data))
    assert message in html, html
    assert len(scheme.items) == 1


def test_rates_outside_0_to_100_percent_are_refused(as_admin, cycle, lib):
    nurses = factories.scheme(cycle, StaffGroup.nurse, name="Nurses", cap_grade="C",
                              items=[(lib.alos, 1, 12, 6)])
    db.session.commit()
    html = page_text(as_admin.post(f"/cycles/schemes/{nurses.id}/indicators",
                                   data=item_form(lib.readmit, threshold="0.2", target="150")))
    assert ("READMIT (Readmission rate) is a rate: the target is entered as a percentage "
            "between 0 and 100 (you entered 150).") in html


def test_all_weights_zero_is_refused(as_admin, cycle, lib):
    nurses = factories.scheme(cycle, StaffGroup.nurse, name="Nurses",
                              items=[(lib.alos, 0, 12, 6)])
    db.session.commit()
    html = page_text(as_admin.post(f"/cycles/schemes/{nurses.id}/indicators",
                                   data=item_form(lib.readmit, weight="0")))
    assert "All the indicator weights of this scheme would be zero" in html
    assert len(nurses.items) == 1


def test_a_red_line_needs_the_scheme_cap_grade(as_admin, cycle, lib):
    nurses = factories.scheme(cycle, StaffGroup.nurse, name="Nurses", cap_grade=None)
    db.session.commit()
    html = page_text(as_admin.post(f"/cycles/schemes/{nurses.id}/indicators",
                                   data=item_form(lib.readmit, red_line_limit="30")))
    assert "A red line needs a cap grade" in html
    assert nurses.items == []


def test_inactive_or_chosen_indicators_are_not_offered_and_refused(as_admin, scheme, lib):
    html = page_text(as_admin.get(f"/cycles/schemes/{scheme.id}"))
    assert f'value="{lib.alos.id}"' in html
    assert f'value="{lib.old.id}"' not in html and f'<option value="{lib.readmit.id}"' not in html
    html = page_text(as_admin.post(f"/cycles/schemes/{scheme.id}/indicators",
                                   data=item_form(lib.old)))
    assert "OLD (Retired rate) is inactive in the library and cannot be chosen." in html
    html = page_text(as_admin.post(f"/cycles/schemes/{scheme.id}/indicators",
                                   data=item_form(lib.readmit, threshold="30")))
    assert "READMIT (Readmission rate) is already in this scheme." in html


def test_edit_an_indicator_shows_percent_and_audits_old_and_new(as_admin, scheme):
    item = scheme.items[0]
    html = page_text(as_admin.get(f"/cycles/schemes/{scheme.id}/indicators/{item.id}/edit"))
    assert 'value="20.0"' in html and 'value="10.0"' in html
    response = as_admin.post(
        f"/cycles/schemes/{scheme.id}/indicators/{item.id}/edit", follow_redirects=True,
        data={"weight": "3", "threshold": "20", "target": "8", "min_denominator": "",
              "red_line_limit": "", "red_line_side": "above"})
    assert "READMIT has been updated." in page_text(response)
    [entry] = audit_entries("scheme.indicator_updated")
    assert entry.old_values == {"indicator": "READMIT", "weight": 2.0, "target": 0.1}
    assert entry.new_values == {"indicator": "READMIT", "weight": 3.0, "target": 0.08}


def test_an_item_of_another_scheme_is_not_found(as_admin, scheme, cycle, lib):
    other = factories.scheme(cycle, StaffGroup.nurse, items=[(lib.alos, 1, 12, 6)])
    db.session.commit()
    url = f"/cycles/schemes/{scheme.id}/indicators/{other.items[0].id}/edit"
    assert as_admin.get(url).status_code == 404


def test_remove_an_indicator(as_admin, scheme, lib):
    as_admin.post(f"/cycles/schemes/{scheme.id}/indicators",
                  data=item_form(lib.alos, threshold="12", target="6"))
    item = scheme.items[0]
    response = as_admin.post(f"/cycles/schemes/{scheme.id}/indicators/{item.id}/remove",
                             follow_redirects=True)
    assert "READMIT has been removed from the scheme." in page_text(response)
    db.session.expire_all()
    assert [i.indicator.code for i in scheme.items] == ["ALOS"]
    [entry] = audit_entries("scheme.indicator_removed")
    assert entry.old_values["indicator"] == "READMIT" and entry.old_values["weight"] == 2.0


def test_the_last_indicator_stays_while_the_cycle_is_under_way(as_admin, scheme, cycle):
    cycle.state = CycleState.open
    db.session.commit()
    item = scheme.items[0]
    html = page_text(as_admin.post(f"/cycles/schemes/{scheme.id}/indicators/{item.id}/remove",
                                   follow_redirects=True))
    assert "READMIT (Readmission rate) is the last indicator of this scheme" in html
    assert len(scheme.items) == 1


# -- delete ----------------------------------------------------------------------------------
def test_delete_only_in_a_draft_cycle(as_admin, scheme, cycle):
    cycle.state = CycleState.open
    db.session.commit()
    html = page_text(as_admin.post(f"/cycles/schemes/{scheme.id}/delete",
                                   follow_redirects=True))
    assert "Only a scheme of a draft cycle can be deleted; this cycle is open." in html
    cycle.state = CycleState.draft
    db.session.commit()
    html = page_text(as_admin.post(f"/cycles/schemes/{scheme.id}/delete",
                                   follow_redirects=True))
    assert "The scheme “Doctors” has been deleted." in html
    assert db.session.query(Scheme).count() == 0
    [entry] = audit_entries("scheme.deleted")
    assert entry.old_values["indicators"][0]["indicator"] == "READMIT"


# -- copy ------------------------------------------------------------------------------------
def test_copy_a_scheme_from_an_earlier_cycle(as_admin, admin, scheme, lib, make):
    scheme.items.append(factories.SchemeIndicator(indicator=lib.old, weight=1, threshold=0.3,
                                                  target=0.1))
    scheme.cycle.state = CycleState.published
    scheme.frozen = True
    later = factories.cycle("2026 Q2")
    db.session.commit()
    html = page_text(as_admin.get(f"/cycles/{later.id}/schemes/copy"))
    assert "2026 Q1 — Doctors (Doctor, all departments, version 1)" in html
    response = as_admin.post(f"/cycles/{later.id}/schemes/copy",
                             data={"source": str(scheme.id)}, follow_redirects=True)
    html = page_text(response)
    assert "“Doctors” has been copied from 2026 Q1." in html
    assert "Left out because they are no longer active in the library: OLD." in html
    copy = db.session.query(Scheme).filter_by(cycle_id=later.id).one()
    assert (copy.version, copy.frozen, copy.staff_group, copy.cap_grade) == (
        1, False, StaffGroup.doctor, "C")
    assert [(i.indicator.code, i.weight, i.threshold, i.target) for i in copy.items] == [
        ("READMIT", 2, 0.2, 0.1)]
    db.session.expire_all()
    assert len(scheme.items) == 2 and scheme.frozen  # the source is untouched
    [entry] = audit_entries("scheme.copied")
    assert entry.new_values["source_scheme_id"] == scheme.id
    assert entry.new_values["left_out"] == ["OLD"] and entry.actor_id == admin.id
    # A second copy of the same group would make two schemes for it.
    html = page_text(as_admin.post(f"/cycles/{later.id}/schemes/copy",
                                   data={"source": str(scheme.id)}, follow_redirects=True))
    assert "This cycle already has a scheme for Doctor in the whole hospital" in html


def test_copy_page_without_anything_to_copy(as_admin, cycle):
    html = page_text(as_admin.get(f"/cycles/{cycle.id}/schemes/copy"))
    assert "No other cycle has a scheme to copy yet." in html


def test_copy_needs_a_scheme_of_another_cycle(as_admin, scheme, cycle):
    later = factories.cycle("2026 Q2")
    db.session.commit()
    html = page_text(as_admin.post(f"/cycles/{later.id}/schemes/copy", data={"source": "999"}))
    assert "Choose a scheme from the list." in html
    html = page_text(as_admin.post(f"/cycles/{later.id}/schemes/copy", data={"source": ""}))
    assert "Choose the scheme to copy." in html
    # The cycle's own schemes are not offered (nor accepted).
    html = page_text(as_admin.post(f"/cycles/{cycle.id}/schemes/copy",
                                   data={"source": str(scheme.id)}))
    assert "No other cycle has a scheme to copy yet." in html
    assert db.session.query(Scheme).count() == 1
