"""The standard library shipped with the demo, and loading it idempotently."""

from __future__ import annotations

from sqlalchemy import func, select

from appraisal.extensions import db
from appraisal.indicators.library import DEMO_INDICATORS, load_demo_indicators
from appraisal.indicators.models import DATA_SOURCE_LABELS, Dimension, Indicator, IndicatorKind
from appraisal.indicators.rules import indicator_problems
from tests.org.helpers import audit_entries, page_text


def test_about_thirty_valid_indicators_cover_every_dimension():
    assert 28 <= len(DEMO_INDICATORS) <= 40
    codes = [entry.code for entry in DEMO_INDICATORS]
    assert len({code.casefold() for code in codes}) == len(codes)
    assert {entry.dimension for entry in DEMO_INDICATORS} == set(Dimension)
    assert {entry.kind for entry in DEMO_INDICATORS} == set(IndicatorKind)
    for entry in DEMO_INDICATORS:
        assert indicator_problems(entry) == [], entry.code
        assert entry.data_source in DATA_SOURCE_LABELS, entry.code
        assert 20 <= len(entry.explanation) <= 300, entry.code


def test_the_indicators_the_issue_names_are_there():
    names = " | ".join(entry.name.lower() for entry in DEMO_INDICATORS)
    for words in ("outpatient visits", "discharges", "case-mix index", "length of stay",
                  "30-day readmission", "surgical complication", "mortality", "hba1c",
                  "blood-pressure", "pressure injury", "hand-hygiene", "antibiotic",
                  "medical record timeliness", "patient satisfaction", "complaints",
                  "day-surgery", "cost per case", "drug cost share", "teaching hours",
                  "publications", "cme credits", "public-health tasks", "community outreach"):
        assert words in names, words
    mortality = next(e for e in DEMO_INDICATORS if e.code == "MORT_INHOSP")
    assert mortality.risk_adjustable and mortality.kind is IndicatorKind.rate


def test_loading_twice_adds_each_indicator_once_and_keeps_local_edits(app):
    db.session.add(Indicator(code="alos", name="Our own length of stay", explanation="Ours.",
                             dimension=Dimension.efficiency_process, kind=IndicatorKind.value,
                             direction=DEMO_INDICATORS[0].direction, unit="days"))
    db.session.flush()
    first = load_demo_indicators()
    assert len(first) == len(DEMO_INDICATORS) - 1  # ALOS exists already (whatever its case)
    assert load_demo_indicators() == []
    total = db.session.scalar(select(func.count()).select_from(Indicator))
    assert total == len(DEMO_INDICATORS)
    assert db.session.scalars(select(Indicator.name).where(Indicator.code == "alos")).one() \
        == "Our own length of stay"
    created = audit_entries("indicator.created")
    assert len(created) == len(DEMO_INDICATORS) - 1
    assert created[0].new_values["source"] == "library"


def test_an_empty_library_offers_the_standard_indicators(as_admin):
    html = page_text(as_admin.get("/indicators"))
    assert "The library is empty." in html
    response = as_admin.post("/indicators/load-library", follow_redirects=True)
    html = page_text(response)
    assert f"{len(DEMO_INDICATORS)} indicators have been added to the library." in html
    assert "READMIT30" in html
    response = as_admin.post("/indicators/load-library", follow_redirects=True)
    assert "Every standard indicator is already in the library." in page_text(response)
