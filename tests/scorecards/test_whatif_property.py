"""ACCEPTANCE: for random schemes and measurements, the what-if result for a changed value
equals the score after actually importing that value, and the contributions on the scorecard
add up to the overall score.

Each example builds its own department, cycle and department scheme (so examples never see
each other's people), asks the what-if through the real JSON endpoint and through the same
function the pages use, then writes the changed value into the database and scores again
through ``loading``.
"""

from __future__ import annotations

import dataclasses
import math
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from appraisal.cycles.models import RedLineSide
from appraisal.extensions import db
from appraisal.indicators.models import Direction, IndicatorKind
from appraisal.measurements.models import Exemption, Measurement
from appraisal.org.models import StaffGroup
from appraisal.scorecards import cards, loading
from appraisal.scorecards.forms import field_name
from appraisal.scoring import MeasurementInput
from tests.scorecards import factories

KINDS = [IndicatorKind.rate, IndicatorKind.value, IndicatorKind.count]


@st.composite
def scheme_items(draw):
    kind = draw(st.sampled_from(KINDS))
    if kind is IndicatorKind.rate:
        ends = draw(st.lists(st.integers(0, 20), min_size=2, max_size=2, unique=True))
        threshold, target = (e / 20 for e in ends)
        limit = draw(st.none() | st.integers(0, 20).map(lambda v: v / 20))
    else:
        threshold, target = map(float, draw(st.lists(st.integers(0, 100), min_size=2,
                                                     max_size=2, unique=True)))
        limit = draw(st.none() | st.integers(0, 100).map(float))
    return {
        "kind": kind,
        "risk_adjustable": kind is IndicatorKind.rate and draw(st.booleans()),
        "weight": draw(st.sampled_from([0.0, 0.5, 1.0, 2.0, 3.0])),
        "threshold": threshold, "target": target,
        "min_denominator": draw(st.none() | st.integers(1, 15)),
        "red_line_limit": limit,
        "red_line_side": draw(st.sampled_from(list(RedLineSide))) if limit is not None else None,
    }


@st.composite
def measurement_values(draw, item):
    """One valid measurement (as an import would accept it), or None for "no data"."""
    if draw(st.integers(0, 5)) == 0:
        return None
    if item["kind"] is IndicatorKind.rate:
        denominator = draw(st.integers(1, 80))
        numerator = draw(st.integers(0, denominator))
        expected = None
        if item["risk_adjustable"] and draw(st.booleans()):
            expected = draw(st.integers(1, 400)) / 20
        return {"numerator": float(numerator), "denominator": float(denominator),
                "expected": expected}
    if item["kind"] is IndicatorKind.count:
        return {"value": float(draw(st.integers(0, 120)))}
    return {"value": draw(st.integers(0, 2000)) / 10}


@st.composite
def worlds(draw):
    items = draw(st.lists(scheme_items(), min_size=1, max_size=4))
    people = draw(st.integers(1, 7))
    table = [[draw(measurement_values(item)) for item in items] for _ in range(people)]
    exempt = [[draw(st.integers(0, 6)) == 0 for _ in items] for _ in range(people)]
    target = draw(st.integers(0, people - 1))
    changed = draw(st.integers(0, len(items) - 1))
    change = draw(st.sampled_from(["value", "value", "value", "exempt"]))
    new_value = draw(measurement_values(items[changed]))
    return {"items": items, "table": table, "exempt": exempt, "target": target,
            "changed": changed, "change": change, "new_value": new_value,
            "min_denominator": draw(st.integers(1, 10)),
            "overdispersion": draw(st.booleans())}


def build(make, admin, world):
    department = make.department()
    cycle = factories.cycle(start=date(2026, 1, 1))
    indicators, scheme_items_ = [], []
    for item in world["items"]:
        direction = Direction.higher if item["target"] > item["threshold"] else Direction.lower
        indicator = factories.indicator(kind=item["kind"], direction=direction,
                                        risk_adjustable=item["risk_adjustable"])
        indicators.append(indicator)
        fields = {k: item[k] for k in ("weight", "threshold", "target", "min_denominator",
                                       "red_line_limit", "red_line_side")}
        scheme_items_.append(dict(fields, indicator=indicator))
    factories.scheme(cycle, scheme_items_, department=department,
                     min_denominator=world["min_denominator"],
                     funnel_overdispersion=world["overdispersion"])
    batch = factories.batch(cycle)
    staff = [make.staff(department, StaffGroup.doctor) for _ in world["table"]]
    for person, row, exempt_row in zip(staff, world["table"], world["exempt"], strict=True):
        for indicator, values, exempt in zip(indicators, row, exempt_row, strict=True):
            if values is not None:
                factories.measure(cycle, person, indicator, batch_row=batch, **values)
            if exempt:
                factories.exemption(cycle, person, indicator, admin)
    db.session.commit()
    return cycle, indicators, staff, batch


def scorecard_of(cycle, person):
    snapshot = loading.load([cycle.id], [StaffGroup.doctor])
    return cards.scorecard(snapshot.cohort_of(cycle.id, person.id), person.id)


def posted_form(cohort, person, new_inputs, exempted):
    form = {}
    for item in cohort.scheme.items:
        code = item.indicator.code
        m = new_inputs.get(code, MeasurementInput())
        for part in ("numerator", "denominator", "expected", "value"):
            value = getattr(m, part)
            form[field_name(item, part)] = "" if value is None else repr(value)
        if code in exempted:
            form[field_name(item, "exempt")] = "y"
    return form


def import_change(cycle, person, indicator, batch, world, admin):
    """Do for real what the what-if only pretended: write the value, or the exemption."""
    if world["change"] == "exempt":
        row = db.session.scalars(select(Exemption).where(
            Exemption.cycle_id == cycle.id, Exemption.staff_id == person.id,
            Exemption.indicator_id == indicator.id)).first()
        if row is not None:
            db.session.delete(row)
        else:
            factories.exemption(cycle, person, indicator, admin)
    else:
        row = db.session.scalars(select(Measurement).where(
            Measurement.cycle_id == cycle.id, Measurement.staff_id == person.id,
            Measurement.indicator_id == indicator.id)).first()
        if row is not None:
            db.session.delete(row)
            db.session.flush()
        if world["new_value"] is not None:
            factories.measure(cycle, person, indicator, batch_row=batch, **world["new_value"])
    db.session.commit()


def same(a, b) -> bool:
    """Equality of results, NaN equal to NaN, exact otherwise."""
    if dataclasses.is_dataclass(a) and dataclasses.is_dataclass(b):
        return type(a) is type(b) and all(
            same(getattr(a, f.name), getattr(b, f.name)) for f in dataclasses.fields(a))
    if isinstance(a, float) and isinstance(b, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    if isinstance(a, (tuple, list)) and isinstance(b, (tuple, list)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return a == b


def assert_adds_up(card):
    if card.overall is None:
        assert card.contribution_sum == 0.0
    else:
        assert abs(card.contribution_sum - card.overall) <= 1e-9


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(world=worlds())
def test_what_if_equals_importing_the_value(app, make, client, world):
    admin = _logged_in_admin(make, client)
    cycle, indicators, staff, batch = build(make, admin, world)
    person, indicator = staff[world["target"]], indicators[world["changed"]]

    real = scorecard_of(cycle, person)
    assert_adds_up(real)
    cohort = loading.load([cycle.id], [StaffGroup.doctor]).cohort_of(cycle.id, person.id)
    inputs = cohort.inputs_of(person.id)
    exempted = set(cohort.exempted_of(person.id))
    if world["change"] == "exempt":
        exempted ^= {indicator.code}
    elif world["new_value"] is None:
        inputs.pop(indicator.code, None)
    else:
        inputs[indicator.code] = MeasurementInput(**world["new_value"])
    simulated = cards.what_if(cohort, person.id, inputs, exempted)
    assert_adds_up(simulated)
    answer = client.post(f"/results/staff/{person.id}/cycles/{cycle.id}/what-if.json",
                         data=posted_form(cohort, person, inputs, exempted))
    assert answer.status_code == 200, answer.get_json()

    import_change(cycle, person, indicator, batch, world, admin)
    imported = scorecard_of(cycle, person)

    assert same(simulated.person, imported.person)
    payload = answer.get_json()
    assert payload["overall_value"] == imported.overall
    for line in payload["indicators"]:
        result = imported.person.indicator(line["code"])
        assert line["score_value"] == result.score
        assert line["contribution_value"] == result.contribution
    assert_adds_up(imported)


def _logged_in_admin(make, client):
    """One admin per test (hypothesis reuses the function's fixtures for every example)."""
    admin = getattr(client, "whatif_admin", None)
    if admin is None:
        admin = make.admin()
        db.session.commit()
        response = client.post("/login", data={"username": admin.username,
                                               "password": "correct horse battery"})
        assert response.status_code == 302
        client.whatif_admin = admin
    return admin
