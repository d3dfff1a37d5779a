"""The library pages: list with filters and pagination, create, edit, (de)activate, read."""

from __future__ import annotations

import re

import pytest

from appraisal.extensions import db
from appraisal.indicators.models import Dimension, Direction, Indicator, IndicatorKind
from tests.cycles import factories
from tests.org.helpers import audit_entries, count_statements, page_text

RATE, VALUE, COUNT = IndicatorKind.rate, IndicatorKind.value, IndicatorKind.count


def codes_on(response) -> list[str]:
    assert response.status_code == 200, response.status_code
    return re.findall(r'<th scope="row"><a href="/indicators/\d+">([^<]+)</a></th>',
                      page_text(response))


def form(**changes) -> dict:
    return {"code": "READMIT30", "name": "30-day readmission rate",
            "explanation": "Patients admitted again within 30 days.",
            "dimension": "quality_safety", "kind": "rate", "unit": "%", "direction": "lower",
            "data_source": "HIS", "plausible_min": "0", "plausible_max": "60"} | changes


@pytest.fixture
def library(app):
    rows = {
        "READMIT": factories.indicator("READMIT", RATE, name="Readmission rate"),
        "ALOS": factories.indicator("ALOS", VALUE, Dimension.efficiency_process,
                                    name="Average length of stay"),
        "VISITS": factories.indicator("VISITS", COUNT, Dimension.efficiency_process,
                                      Direction.higher, name="Outpatient visits"),
        "PAT_SAT": factories.indicator("PAT_SAT", VALUE, Dimension.patient, Direction.higher,
                                       name="Patient satisfaction"),
        "OLD": factories.indicator("OLD", RATE, name="Retired rate", active=False),
    }
    db.session.commit()
    return rows


# -- list ------------------------------------------------------------------------------------
def test_list_shows_active_indicators_by_code(as_admin, library):
    assert codes_on(as_admin.get("/indicators")) == ["ALOS", "PAT_SAT", "READMIT", "VISITS"]


@pytest.mark.parametrize("query, expected", [
    ({"dimension": "efficiency_process"}, ["ALOS", "VISITS"]),
    ({"kind": "rate"}, ["READMIT"]),
    ({"kind": "rate", "active": "all"}, ["OLD", "READMIT"]),
    ({"active": "0"}, ["OLD"]),
    ({"q": "length"}, ["ALOS"]),
    ({"q": "pat_"}, ["PAT_SAT"]),
    ({"q": "%"}, []),  # a literal percent sign, not a wildcard
    ({"dimension": "nonsense"}, ["ALOS", "PAT_SAT", "READMIT", "VISITS"]),
])
def test_filters_and_search(as_admin, library, query, expected):
    assert codes_on(as_admin.get("/indicators", query_string=query)) == expected


def test_no_match_says_so(as_admin, library):
    html = page_text(as_admin.get("/indicators?q=nothing-like-this"))
    assert "No indicator matches these filters." in html


def test_list_is_paginated(app, as_admin):
    for n in range(55):
        factories.indicator(f"X{n:03d}")
    db.session.commit()
    assert len(codes_on(as_admin.get("/indicators"))) == 50
    html = page_text(as_admin.get("/indicators?page=2"))
    assert "51–55 of 55" in html and codes_on(as_admin.get("/indicators?page=2"))[0] == "X050"


def test_list_statements_do_not_grow_with_the_rows(app, as_admin):
    for n in range(5):
        factories.indicator(f"S{n:03d}")
    db.session.commit()
    as_admin.get("/indicators")  # warm up whatever is loaded once per process
    with count_statements() as small:
        assert len(codes_on(as_admin.get("/indicators"))) == 5
    for n in range(5, 120):
        factories.indicator(f"S{n:03d}")
    db.session.commit()
    with count_statements() as large:
        assert len(codes_on(as_admin.get("/indicators"))) == 50
    assert large.n == small.n, (small.statements, large.statements)


# -- create ----------------------------------------------------------------------------------
def test_create_stores_rates_as_proportions_and_audits(as_admin, admin):
    response = as_admin.post("/indicators/new", data=form(risk_adjustable="y"))
    assert response.status_code == 302
    indicator = db.session.query(Indicator).filter_by(code="READMIT30").one()
    assert (indicator.plausible_min, indicator.plausible_max) == (0, 0.6)
    assert indicator.risk_adjustable and indicator.active
    html = page_text(as_admin.get(response.headers["Location"]))
    assert "0% – 60%" in html and "Patients admitted again within 30 days." in html
    [entry] = audit_entries("indicator.created")
    assert entry.actor_id == admin.id
    assert entry.new_values["code"] == "READMIT30" and entry.new_values["plausible_max"] == 0.6


@pytest.mark.parametrize("changes, message", [
    ({'code': "readmit"}, "The code READMIT is already used by “Readmission rate”."),
    ({'code': "TWO WORDS"}, "A code is one word"),
    ({'explanation': ""}, "Write what the indicator measures in plain words"),
    ({'plausible_min': "50", 'plausible_max': "10"},
     "The plausible maximum must be greater than the plausible minimum."),
    ({'plausible_max': "150"},
     "A rate is entered as a percentage between 0 and 100 (you entered 150)."),
    ({'kind': "count", 'risk_adjustable': "y", 'plausible_max': ""},
     "Only a rate can be risk-adjusted"),
    ({'kind': "count", 'plausible_min': "-3", 'plausible_max': ""}, "A count cannot be negative."),
    ({'plausible_min': "abc"}, "Not a valid float value"),
])
def test_create_refuses_bad_input_and_keeps_what_was_typed(as_admin, library, changes, message):
    data = form(**changes)
    response = as_admin.post("/indicators/new", data=data)
    html = page_text(response)
    assert response.status_code == 200
    assert message in html, html
    assert "Please correct the fields marked below." in html
    assert data["name"] in html  # nothing typed is lost
    assert db.session.query(Indicator).count() == len(library)
    assert audit_entries("indicator.created") == []


# -- edit ------------------------------------------------------------------------------------
def test_edit_form_shows_rates_in_percent(as_admin, library):
    library["READMIT"].plausible_max = 0.35
    db.session.commit()
    html = page_text(as_admin.get(f"/indicators/{library['READMIT'].id}/edit"))
    assert 'name="plausible_max" step="any" type="number" value="35.0"' in html
    assert '<option selected value="rate">' in html


def test_edit_records_old_and_new_values(as_admin, library):
    alos = library["ALOS"]
    response = as_admin.post(f"/indicators/{alos.id}/edit", data=form(
        code="ALOS", name="Mean length of stay", kind="value", unit="days",
        dimension="efficiency_process", plausible_min="0.5", plausible_max="90"),
        follow_redirects=True)
    assert "ALOS has been updated." in page_text(response)
    [entry] = audit_entries("indicator.updated")
    assert entry.old_values["name"] == "Average length of stay"
    assert entry.new_values["name"] == "Mean length of stay"
    assert entry.new_values["plausible_max"] == 90
    assert "code" not in entry.new_values  # only what changed


def test_saving_unchanged_says_nothing_changed(as_admin, library):
    visits = library["VISITS"]
    data = form(code="VISITS", name="Outpatient visits", explanation="What it measures.",
                dimension="efficiency_process", kind="count", unit="days", direction="higher",
                plausible_min="", plausible_max="")
    response = as_admin.post(f"/indicators/{visits.id}/edit", data=data, follow_redirects=True)
    assert "Nothing was changed." in page_text(response)
    assert audit_entries("indicator.updated") == []


def test_the_kind_of_an_indicator_in_use_cannot_change(as_admin, library):
    factories.scheme(factories.cycle(), items=[(library["READMIT"], 1, 0.2, 0.1)])
    db.session.commit()
    response = as_admin.post(f"/indicators/{library['READMIT'].id}/edit",
                             data=form(code="READMIT", kind="value", plausible_max=""))
    assert "The kind cannot be changed: 1 scheme(s) and 0 measurement(s)" in page_text(response)
    db.session.expire_all()
    assert library["READMIT"].kind is RATE


# -- deactivate, reactivate ------------------------------------------------------------------
def test_deactivate_and_reactivate_are_audited(as_admin, library):
    alos = library["ALOS"]
    response = as_admin.post(f"/indicators/{alos.id}/deactivate", follow_redirects=True)
    assert "ALOS is now inactive" in page_text(response)
    assert codes_on(as_admin.get("/indicators?active=0")) == ["ALOS", "OLD"]
    response = as_admin.post(f"/indicators/{alos.id}/deactivate", follow_redirects=True)
    assert "ALOS is already inactive." in page_text(response)
    response = as_admin.post(f"/indicators/{alos.id}/reactivate", follow_redirects=True)
    assert "ALOS is active again." in page_text(response)
    [off] = audit_entries("indicator.deactivated")
    [on] = audit_entries("indicator.reactivated")
    assert (off.old_values, off.new_values) == ({"active": True}, {"active": False})
    assert (on.old_values, on.new_values) == ({"active": False}, {"active": True})


# -- the read-only page ----------------------------------------------------------------------
def test_a_clinician_reads_the_plain_explanation_without_admin_parts(client, auth, make,
                                                                    library):
    auth.login(make.clinician())
    html = page_text(client.get(f"/indicators/{library['READMIT'].id}"))
    assert "Readmission rate" in html and "What it measures." in html
    assert "Lower is better" in html
    assert "/edit" not in html and "History" not in html and "Deactivate" not in html
    assert client.get("/indicators").status_code == 403
    assert client.get("/indicators/999999").status_code == 404


def test_the_admin_page_lists_the_schemes_using_it(as_admin, library):
    scheme = factories.scheme(factories.cycle("2026 Q1"), name="Doctors",
                              items=[(library["READMIT"], 1, 0.2, 0.1)])
    db.session.commit()
    html = page_text(as_admin.get(f"/indicators/{library['READMIT'].id}"))
    assert f'/cycles/schemes/{scheme.id}' in html and "2026 Q1" in html
