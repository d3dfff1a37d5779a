"""Properties of the whole core: contributions add up, a "what if" equals scoring from
scratch, and scoring a cohort equals scoring each person alone."""

import dataclasses
import math
from enum import Enum

from hypothesis import given, settings
from hypothesis import strategies as st

from appraisal.scoring import (
    GroupData,
    IndicatorSpec,
    Kind,
    MeasurementInput,
    RedLine,
    SchemeSpec,
    score_cohort,
    score_person,
)

# ----------------------------------------------------------------------------- strategies


@st.composite
def indicator_specs(draw, code):
    kind = draw(st.sampled_from(list(Kind)))
    if kind is Kind.rate:
        # thresholds as a scheme would set them: whole percentages
        percent = st.integers(0, 100).map(lambda p: p / 100)
        threshold, target = draw(st.lists(percent, min_size=2, max_size=2, unique=True))
    else:
        threshold, target = draw(st.lists(st.integers(0, 100), min_size=2, max_size=2, unique=True))
    red_line = draw(
        st.none()
        | st.builds(
            RedLine, st.floats(0, 100 if kind != "rate" else 1), st.sampled_from(["above", "below"])
        )
    )
    return IndicatorSpec(
        code=code,
        dimension=draw(st.sampled_from(["quality", "efficiency", "patient"])),
        weight=draw(st.sampled_from([0.0, 0.5, 1.0, 2.0, 3.5])),
        threshold=float(threshold),
        target=float(target),
        kind=kind,
        red_line=red_line,
        risk_adjustable=kind is Kind.rate and draw(st.booleans()),
        min_denominator=draw(st.none() | st.integers(1, 15)),
    )


@st.composite
def schemes(draw):
    count = draw(st.integers(1, 5))
    indicators = tuple(draw(indicator_specs(f"i{j}")) for j in range(count))
    return SchemeSpec(
        indicators,
        min_denominator=draw(st.integers(1, 10)),
        cap_grade="C",
        grade_bands=((85, "A"), (70, "B"), (50, "C"), (0, "D")),
        funnel_overdispersion=draw(st.booleans()),
    )


@st.composite
def measurements_for(draw, spec):
    if draw(st.integers(0, 9)) == 0:
        return None  # no data
    if spec.kind is not Kind.rate:
        return MeasurementInput(value=float(draw(st.integers(0, 120))))
    denominator = draw(st.integers(0, 80))
    numerator = draw(st.integers(0, denominator))
    expected = None
    if spec.risk_adjustable and draw(st.booleans()):
        expected = draw(st.floats(0.1, 30))
    return MeasurementInput(numerator, denominator, expected=expected)


@st.composite
def person_data(draw, scheme):
    measured = {spec.code: draw(measurements_for(spec)) for spec in scheme.indicators}
    exempt = {spec.code for spec in scheme.indicators if draw(st.integers(0, 5)) == 0}
    return {code: m for code, m in measured.items() if m is not None}, exempt


@st.composite
def cohorts(draw):
    scheme = draw(schemes())
    size = draw(st.integers(1, 7))
    people = [draw(person_data(scheme)) for _ in range(size)]
    measurements = {f"p{i}": m for i, (m, _) in enumerate(people)}
    exemptions = {f"p{i}": e for i, (_, e) in enumerate(people)}
    return scheme, measurements, exemptions


# ----------------------------------------------------------------------------- helpers


def groups_from(scheme, measurements):
    """What the web layer would load: every member's stored (events, total) per rate."""
    return {
        spec.code: GroupData(
            {
                key: (m[spec.code].numerator, m[spec.code].denominator)
                for key, m in measurements.items()
                if spec.code in m
            }
        )
        for spec in scheme.indicators
        if spec.kind is Kind.rate
    }


def assert_close(a, b, path="score"):
    """Structural equality with a 1e-9 tolerance on floats (summation order may differ)."""
    if isinstance(a, float) and isinstance(b, float):
        assert math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9), (path, a, b)
    elif dataclasses.is_dataclass(a) and not isinstance(a, type):
        assert type(a) is type(b), path
        for f in dataclasses.fields(a):
            assert_close(getattr(a, f.name), getattr(b, f.name), f"{path}.{f.name}")
    elif isinstance(a, dict):
        assert a.keys() == b.keys(), path
        for key in a:
            assert_close(a[key], b[key], f"{path}[{key!r}]")
    elif isinstance(a, (tuple, list)) and not isinstance(a, Enum):
        assert len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b)):
            assert_close(x, y, f"{path}[{i}]")
    else:
        assert a == b, (path, a, b)


# ----------------------------------------------------------------------------- properties


@settings(max_examples=150, deadline=None)
@given(cohorts())
def test_contributions_add_up_to_the_overall_score(cohort):
    scheme, measurements, exemptions = cohort
    for person in score_cohort(scheme, measurements, exemptions).people():
        if person.overall is None:
            assert all(r.contribution == 0.0 for r in person.indicators)
            continue
        assert -1e-9 <= person.overall <= 100.0 + 1e-9  # a sum of shares: rounding only
        assert abs(math.fsum(r.contribution for r in person.indicators) - person.overall) < 1e-9
        assert abs(math.fsum(d.contribution for d in person.dimensions) - person.overall) < 1e-9
        assert abs(math.fsum(r.share for r in person.indicators) - 1.0) < 1e-9


@settings(max_examples=150, deadline=None)
@given(cohorts())
def test_cohort_equals_each_person_scored_alone(cohort):
    scheme, measurements, exemptions = cohort
    scored = score_cohort(scheme, measurements, exemptions)
    groups = groups_from(scheme, measurements)
    for key, measured in measurements.items():
        alone = score_person(scheme, measured, groups, exemptions[key], person_key=key)
        assert_close(alone, scored.person(key))


@settings(max_examples=150, deadline=None)
@given(cohorts(), st.data())
def test_what_if_equals_scoring_the_changed_data_from_scratch(cohort, data):
    scheme, measurements, exemptions = cohort
    key = data.draw(st.sampled_from(sorted(measurements)))
    spec = data.draw(st.sampled_from(scheme.indicators))
    changed = data.draw(measurements_for(spec))
    changed_person = {c: m for c, m in measurements[key].items() if c != spec.code}
    if changed is not None:
        changed_person[spec.code] = changed
    changed_exemptions = data.draw(
        st.sampled_from([exemptions[key], exemptions[key] ^ {spec.code}])
    )

    # the simulator: stored groups (with the person's old data), the changed input
    what_if = score_person(
        scheme,
        changed_person,
        groups_from(scheme, measurements),
        changed_exemptions,
        person_key=key,
    )

    recomputed = score_cohort(
        scheme, {**measurements, key: changed_person}, {**exemptions, key: changed_exemptions}
    )
    assert_close(what_if, recomputed.person(key))


@settings(max_examples=100, deadline=None)
@given(cohorts())
def test_scoring_is_repeatable_and_does_not_mutate_its_input(cohort):
    scheme, measurements, exemptions = cohort
    snapshot = repr((scheme, measurements, exemptions))
    first = score_cohort(scheme, measurements, exemptions)
    second = score_cohort(scheme, measurements, exemptions)
    assert list(first.people()) == list(second.people())
    assert repr((scheme, measurements, exemptions)) == snapshot
