"""The scorecard page: every status, the explanation, contributions adding up, the cycle
selector, who may open it, and the what-if panel (page and JSON) that never writes."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from appraisal.cycles.models import SchemeIndicator
from appraisal.extensions import db
from appraisal.indicators.models import Direction, IndicatorKind
from appraisal.measurements.models import Measurement
from appraisal.org.models import StaffGroup
from appraisal.scorecards import cards, loading
from tests.conftest import csrf_token_from
from tests.scorecards import factories
from tests.scorecards.helpers import row_text, table_counts, text_of


@pytest.fixture
def ward(make):
    """A ward of doctors; ``person`` has one indicator in every status."""
    ward = factories.ward(make, size=8)
    person = ward.staff[2]
    complaints = factories.indicator(name="Complaints", kind=IndicatorKind.count,
                                     direction=Direction.lower, unit="complaints")
    ward.scheme.items.append(SchemeIndicator(indicator=complaints, weight=1, threshold=5,
                                             target=0))
    mortality = _measurement(ward, person, ward.mortality)
    mortality.numerator, mortality.denominator, mortality.expected = 1, 5, 0.4
    admin = make.admin()
    factories.exemption(ward.cycle, person, ward.satisfaction, admin)
    clinician = make.user(staff=person)
    factories.dispute(_measurement(ward, person, ward.visits), clinician)
    db.session.commit()
    ward.person, ward.clinician, ward.admin, ward.complaints = person, clinician, admin, complaints
    return ward


def _measurement(ward, person, indicator) -> Measurement:
    return db.session.scalars(select(Measurement).where(
        Measurement.staff_id == person.id, Measurement.indicator_id == indicator.id)).one()


def url(ward, person=None, suffix=""):
    person = person or ward.person
    return f"/results/staff/{person.id}/cycles/{ward.cycle.id}{suffix}"


def test_every_status_is_named_on_its_indicator(client, auth, ward):
    auth.login(ward.clinician)
    page = client.get(url(ward)).get_data(as_text=True)
    # Table 0 is the dimensions, table 1 the indicators.
    assert "Counted" in row_text(page, "30-day readmission rate", 1)
    assert "Insufficient evidence" in row_text(page, "In-hospital mortality", 1)
    assert "Only 5 cases, fewer than the minimum of 10" in row_text(page, "In-hospital", 1)
    assert "Exempt" in row_text(page, "Patient satisfaction", 1)
    assert "Disputed" in row_text(page, "Outpatient visits", 1)
    assert "No data" in row_text(page, "Complaints", 1)


def test_the_contributions_add_up_to_the_score_shown(client, auth, ward):
    auth.login(ward.clinician)
    page = client.get(url(ward)).get_data(as_text=True)
    snapshot = loading.load([ward.cycle.id], [StaffGroup.doctor])
    card = cards.scorecard(snapshot.cohort_of(ward.cycle.id, ward.person.id), ward.person.id)
    assert abs(card.contribution_sum - card.overall) < 1e-9
    total = row_text(page, "Sum of the contributions", 1)
    assert f"{card.overall:.1f}" in total
    # Exempt, insufficient and missing indicators weigh nothing; the rest share 100%.
    assert card.line(ward.satisfaction.code).result.share == 0
    assert sum(line.result.share for line in card.lines) == pytest.approx(1.0)


def test_the_page_explains_each_step_in_words(client, auth, ward):
    auth.login(ward.clinician)
    page = text_of(client.get(url(ward)).get_data(as_text=True))
    assert "Measured rate:" in page
    assert "Small-number correction: the rate" in page
    assert "on a straight line from the threshold 20% (0 points) to the target 5% (100 points)" \
        in page
    assert "Left out: In-hospital mortality (risk-adjusted), Patient satisfaction, Complaints" \
        in page
    assert "Compared with every doctor scored by this scheme (8 people)." in page


def test_a_red_line_breach_and_an_alarm_are_flagged(client, auth, ward, make):
    auth.login(ward.admin)
    page = client.get(url(ward, ward.outlier)).get_data(as_text=True)
    row = row_text(page, "30-day readmission rate", 1)
    assert "Red line crossed" in row and "Outlier alarm" in row
    assert "The grade is capped at C." in text_of(page)


def test_my_scorecard_opens_the_newest_cycle_with_my_data(client, auth, ward):
    later = factories.cycle(start=date(2026, 4, 1))  # no data of anyone yet
    db.session.commit()
    auth.login(ward.clinician)
    response = client.get("/results/mine")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(url(ward))
    page = client.get(url(ward)).get_data(as_text=True)
    assert later.name in page and ward.cycle.name in page  # the cycle selector


def test_without_a_scheme_the_page_says_so(client, auth, make, ward):
    nurse = make.user(staff=make.staff(ward.department, StaffGroup.nurse))
    auth.login(nurse)
    page = text_of(client.get(url(ward, nurse.staff)).get_data(as_text=True))
    assert "No scheme applies to" in page


@pytest.mark.parametrize(("who", "status"), [
    ("self", 200), ("colleague", 403), ("manager", 200), ("other_manager", 403),
    ("admin", 200)])
def test_who_may_open_a_scorecard(client, auth, make, ward, who, status):
    users = {
        "self": lambda: ward.clinician,
        "colleague": lambda: make.user(staff=ward.staff[3]),
        "manager": lambda: make.user(manages=(ward.department,)),
        "other_manager": lambda: make.user(manages=(make.department("Elsewhere"),)),
        "admin": lambda: ward.admin,
    }
    auth.login(users[who]())
    assert client.get(url(ward)).status_code == status
    assert client.post(url(ward, suffix="/what-if"), data={}).status_code == status


# -- what if -----------------------------------------------------------------------------------
def whatif_form(page: str) -> dict:
    """Every input of the what-if form, as the page fills it."""
    form = re.search(r'<form[^>]*id="whatif-form".*?</form>', page, flags=re.DOTALL).group(0)
    data = {}
    for tag in re.findall(r"<input\b[^>]*>", form):
        name = re.search(r'name="([^"]+)"', tag).group(1)
        value = re.search(r'value="([^"]*)"', tag)
        if 'type="checkbox"' in tag:
            if " checked" in tag:
                data[name] = "y"
        else:
            data[name] = value.group(1) if value else ""
    return data


def test_what_if_shows_the_new_score_and_writes_nothing(client, auth, ward):
    auth.login(ward.clinician)
    data = whatif_form(client.get(url(ward)).get_data(as_text=True))
    readmission = f"i{ward.readmission.id}"
    data[f"{readmission}_numerator"] = "0"
    before = table_counts()
    values_before = [(m.id, m.numerator, m.denominator, m.value) for m in
                     db.session.scalars(select(Measurement).order_by(Measurement.id))]
    response = client.post(url(ward, suffix="/what-if"), data=data)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    simulated = re.search(r'<output id="whatif-overall"[^>]*>([^<]+)</output>', page).group(1)
    real = re.search(r'<p class="stat">([^<]+)</p>', page).group(1)
    assert float(simulated) > float(real)
    assert "What if:" in text_of(page)
    db.session.expire_all()
    assert table_counts() == before
    assert [(m.id, m.numerator, m.denominator, m.value) for m in db.session.scalars(
        select(Measurement).order_by(Measurement.id))] == values_before


def test_exempting_in_the_what_if_renormalises(client, auth, ward):
    auth.login(ward.clinician)
    data = whatif_form(client.get(url(ward)).get_data(as_text=True))
    data[f"i{ward.readmission.id}_exempt"] = "y"
    answer = client.post(url(ward, suffix="/what-if.json"), data=data).get_json()
    line = next(i for i in answer["indicators"] if i["code"] == ward.readmission.code)
    assert line["contribution_value"] == 0.0 and line["score"] == "—"
    assert sum(i["contribution_value"] for i in answer["indicators"]) == \
        pytest.approx(answer["overall_value"], abs=1e-9)


def test_what_if_refuses_impossible_numbers_and_keeps_them(client, auth, ward):
    auth.login(ward.clinician)
    data = whatif_form(client.get(url(ward)).get_data(as_text=True))
    field = f"i{ward.readmission.id}_numerator"
    data[field] = "900"
    page = client.post(url(ward, suffix="/what-if"), data=data).get_data(as_text=True)
    assert "The numerator cannot be larger than the denominator." in page
    assert 'value="900"' in page
    answer = client.post(url(ward, suffix="/what-if.json"), data=data)
    assert answer.status_code == 422
    assert field in answer.get_json()["errors"]


def test_what_if_json_needs_the_csrf_header(csrf_client, make, ward):
    csrf_client.post("/login", data={
        "username": ward.clinician.username, "password": "correct horse battery",
        "csrf_token": csrf_token_from(csrf_client.get("/login").get_data(as_text=True))})
    page = csrf_client.get(url(ward)).get_data(as_text=True)
    data = whatif_form(page)
    token = data.pop("csrf_token")
    refused = csrf_client.post(url(ward, suffix="/what-if.json"), data=data)
    assert refused.status_code == 400
    answer = csrf_client.post(url(ward, suffix="/what-if.json"), data=data,
                              headers={"X-CSRFToken": token})
    assert answer.status_code == 200, answer.get_data(as_text=True)[:3000]
    assert answer.get_json()["ok"]


def test_the_page_loads_the_script_from_a_file_only(client, auth, ward):
    auth.login(ward.clinician)
    page = client.get(url(ward)).get_data(as_text=True)
    assert re.findall(r"<script\b[^>]*>", page) == [
        tag for tag in re.findall(r"<script\b[^>]*>", page) if "src=" in tag]
    assert " style=" not in page and "onclick" not in page


def test_names_are_escaped_everywhere_on_the_page(client, auth, ward):
    ward.readmission.name = "<b>Readmission</b>"
    db.session.commit()
    auth.login(ward.clinician)
    page = client.get(url(ward)).get_data(as_text=True)
    assert "<b>Readmission" not in page
    assert "&lt;b&gt;Readmission" in page
