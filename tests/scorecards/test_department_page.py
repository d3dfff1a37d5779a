"""The department view: the sortable, paginated staff x indicator table, funnel plots with an
accessible table, the trend, who may open it, and a fixed number of SQL statements."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date

import pytest
from sqlalchemy import select

from appraisal.extensions import db
from appraisal.measurements.models import Measurement
from appraisal.org.models import DepartmentKind, Staff
from tests.scorecards import factories
from tests.scorecards.helpers import count_statements, row_text, svgs, text_of

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def ward(make):
    division = make.department("Medicine", kind=DepartmentKind.division)
    ward = factories.ward(make, size=12, parent=division)
    ward.division = division
    ward.manager = make.user(manages=(division,))
    db.session.commit()
    return ward


def page_of(client, ward, **args):
    query = "&".join(f"{k}={v}" for k, v in args.items())
    response = client.get(f"/results/departments/{ward.department.id}?{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def table_names(page: str) -> list[str]:
    table = re.findall(r"<table\b.*?</table>", page, flags=re.DOTALL)[0]
    return [text_of(cell) for cell in re.findall(r'<th scope="row">\s*<a[^>]*>(.*?)</a>',
                                                  table, flags=re.DOTALL)]


def test_the_manager_sees_every_staff_member_with_scores(client, auth, ward):
    auth.login(ward.manager)
    page = page_of(client, ward)
    assert table_names(page) == sorted(s.name for s in ward.staff)
    row = row_text(page, ward.staff[1].name)
    assert "too few cases" in row  # eight patients only
    assert "Outlier alarms" in text_of(page)


def test_sorting_is_done_on_the_server_by_any_column(client, auth, ward):
    auth.login(ward.manager)
    page = page_of(client, ward, sort="-overall")
    by_overall = table_names(page)
    assert by_overall != sorted(by_overall)
    scores = [float(v) for v in re.findall(r"<td class=\"num\"><strong>([\d.]+)</strong>", page)]
    assert len(scores) == 12 and scores == sorted(scores, reverse=True)
    assert 'aria-sort="descending"' in page
    by_readmission = table_names(page_of(client, ward, sort=ward.readmission.code))
    # Rows without a score on that column (too few cases) come last, whatever the order.
    assert by_readmission[-1] == ward.staff[1].name


def test_the_table_is_paginated(client, auth, ward, app):
    app.config["PAGE_SIZE"] = 5
    auth.login(ward.manager)
    first, third = page_of(client, ward), page_of(client, ward, page=3)
    assert len(table_names(first)) == 5 and len(table_names(third)) == 2
    assert "11–12 of 12" in text_of(third)


def test_the_funnel_plot_is_well_formed_and_marks_the_outlier(client, auth, ward):
    auth.login(ward.manager)
    page = page_of(client, ward)
    charts = svgs(page)
    assert charts
    funnel = ET.fromstring(charts[0])
    assert funnel.find(f"{SVG}title").text == "Funnel plot: 30-day readmission rate"
    assert "control limits" in funnel.find(f"{SVG}desc").text
    alarms = [g for g in funnel.iter(f"{SVG}g") if g.find(f"{SVG}polygon") is not None
              and g.find(f"{SVG}title") is not None]
    assert any(ward.outlier.name in g.find(f"{SVG}title").text for g in alarms)
    assert all(g.find(f"{SVG}polygon").get("fill") == "#a32020" for g in alarms
               if ward.outlier.name in g.find(f"{SVG}title").text)
    for chart in charts:
        ET.fromstring(chart)  # every chart parses as XML
    position = row_text(page, ward.outlier.name, 1)
    assert "Alarm: above the 99.8% limits (unfavourable side)" in position


def test_the_trend_compares_with_earlier_cycles(client, auth, make, ward):
    earlier = factories.cycle(name="2025 Q4", start=date(2025, 10, 1))
    factories.scheme(earlier, [(ward.readmission, 1, 0.2, 0.05)])
    batch = factories.batch(earlier)
    for person in ward.staff:
        factories.measure(earlier, person, ward.readmission, batch_row=batch, numerator=10,
                          denominator=100)
    db.session.commit()
    auth.login(ward.manager)
    page = page_of(client, ward, cycle=ward.cycle.id)
    trend = row_text(page, "2025 Q4", 3)
    assert "10% / 10%" in trend
    assert "Average quantitative score of the department by cycle" in page


def test_a_manager_of_another_department_is_refused(client, auth, make, ward):
    auth.login(make.user(manages=(make.department("Surgery"),)))
    assert client.get(f"/results/departments/{ward.department.id}").status_code == 403


def test_the_department_list_shows_only_what_the_user_manages(client, auth, make, ward):
    other = make.department("Surgery")
    auth.login(ward.manager)
    page = client.get("/results/departments").get_data(as_text=True)
    assert ward.department.name in page and ward.division.name in page
    assert other.name not in page


def test_same_number_of_statements_for_10_and_500_staff(client, auth, make, app):
    """ACCEPTANCE: the scorecard and department pages cost the same for 10 staff and 500."""
    app.config["PAGE_SIZE"] = 50
    cycle = factories.cycle()
    wards = {size: factories.ward(make, size=size, cycle_row=cycle, name=f"Ward {size}",
                                  own_scheme=True)
             for size in (10, 500)}
    for ward in wards.values():
        ward.manager = make.user(manages=(ward.department,))
    db.session.commit()
    counts = {}
    for size, ward in wards.items():
        auth.login(ward.manager)
        for name, path in (
                ("scorecard", f"/results/staff/{ward.staff[0].id}/cycles/{cycle.id}"),
                ("department", f"/results/departments/{ward.department.id}")):
            client.get(path)  # warm up (the session touch, caches)
            with count_statements() as statements:
                assert client.get(path).status_code == 200
            counts[(name, size)] = len(statements)
        auth.logout()
    assert counts[("scorecard", 10)] == counts[("scorecard", 500)], counts
    assert counts[("department", 10)] == counts[("department", 500)], counts


def test_a_risk_adjusted_funnel_is_drawn_by_expected_events(client, auth, ward):
    """Mortality is risk-adjusted: its points sit at expected / group rate, the axis and the
    table say so, and each clinician's expected events are listed."""
    auth.login(ward.manager)
    page = page_of(client, ward)
    charts = {ET.fromstring(chart).find(f"{SVG}title").text: chart for chart in svgs(page)}
    mortality = charts["Funnel plot: In-hospital mortality (risk-adjusted)"]
    assert "Case-mix equivalent cases (expected events / group rate)" in mortality
    assert "from their expected events" in mortality
    assert "Case-mix equivalent cases" not in charts["Funnel plot: 30-day readmission rate"]
    section = page[page.index("Funnel plot data: In-hospital mortality"):]
    section = section[:section.index("</table>")]
    assert "Expected events" in section and "Risk-adjusted rate" in section
    stored = dict(db.session.execute(
        select(Staff.name, Measurement.expected).join(Measurement.staff)
        .where(Measurement.indicator_id == ward.mortality.id)).all())
    listed = re.findall(r'<th scope="row">([^<]+)</th>\s*<td class="num">([\d.]+)</td>', section)
    assert listed
    for name, expected in listed:
        assert float(expected) == pytest.approx(stored[name.strip()], abs=0.005)
    assert "exact Poisson limits" in text_of(page)
