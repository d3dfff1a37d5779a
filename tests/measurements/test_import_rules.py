"""Every validation rule of a measurement batch names its row, its field and the reason.

These tests call the pure validator with a plain snapshot of the database (no app, no SQL).
"""

from __future__ import annotations

import pytest

from appraisal.indicators.models import IndicatorKind as K
from appraisal.measurements.importing import (
    COLUMNS,
    Context,
    IndicatorRef,
    compare,
    read_csv,
    validate_batch,
)

INDICATORS = {ref.code.casefold(): ref for ref in [
    IndicatorRef(1, "READMIT30", "30-day readmission", K.rate, True, False, 0, 0.5),
    IndicatorRef(2, "MORTALITY", "Mortality", K.rate, True, True, 0, 1),
    IndicatorRef(3, "VISITS", "Outpatient visits", K.count, True, False, 0, 20000),
    IndicatorRef(4, "ALOS", "Average length of stay", K.value, True, False, 1, 60),
    IndicatorRef(5, "BALANCE", "Budget balance", K.value, True, False, -100, 100),
    IndicatorRef(6, "OLD", "Retired indicator", K.rate, False, False, None, None),
]}
STAFF = {"E001": 11, "E002": 12}


def context(**changes) -> Context:
    values = {"cycle_name": "2026 Q3", "cycle_state": "Open", "accepts_measurements": True,
              "staff": STAFF, "indicators": INDICATORS}
    values.update(changes)
    return Context(**values)


def rows(*cells_list) -> list:
    """Raw rows as the CSV reader gives them, starting on line 2."""
    return [(line, dict(zip(COLUMNS, cells, strict=False)))
            for line, cells in enumerate(cells_list, start=2)]


GOOD = ("E001", "READMIT30", "3", "120", "", "")


def only_error(cells, ctx=None):
    checked = validate_batch(rows(GOOD, cells), ctx or context())
    assert len(checked.errors) == 1, [str(e.message) for e in checked.errors]
    error = checked.errors[0]
    return error.row, error.field, str(error.message)


def test_a_good_batch_resolves_ids_and_numbers():
    checked = validate_batch(rows(GOOD, ("E002", "visits", "", "", "1520", ""),
                                  ("E002", "MORTALITY", "2", "150", "", "2.7")), context())
    assert checked.ok
    assert [(r.staff_id, r.indicator_id, r.values) for r in checked.rows] == [
        (11, 1, (3.0, 120.0, None, None)), (12, 3, (None, None, 1520.0, None)),
        (12, 2, (2.0, 150.0, None, 2.7))]
    assert checked.staff_count == 2
    assert checked.counts_by_indicator() == {"READMIT30": 1, "VISITS": 1, "MORTALITY": 1}


@pytest.mark.parametrize("cells, field, reason", [
    (("E999", "READMIT30", "1", "10", "", ""), "employee_number",
     "Unknown staff: no staff member has the employee number E999"),
    (("", "READMIT30", "1", "10", "", ""), "employee_number", "employee_number is empty"),
    (("E002", "NOPE", "1", "10", "", ""), "indicator_code",
     "Unknown indicator: no indicator has the code NOPE"),
    (("E002", "OLD", "1", "10", "", ""), "indicator_code", "OLD is inactive"),
    (("E002", "READMIT30", "three", "10", "", ""), "numerator",
     "numerator is not a number: three"),
    (("E002", "READMIT30", "1", "1,000", "", ""), "denominator", "not a number: 1,000"),
    (("E002", "READMIT30", "nan", "10", "", ""), "numerator", "not a number"),
    (("E002", "READMIT30", "", "10", "", ""), "numerator",
     "READMIT30 is a rate: numerator and denominator are both required"),
    (("E002", "READMIT30", "1", "", "", ""), "denominator", "both required"),
    (("E002", "READMIT30", "1", "10", "0.1", ""), "value", "leave value empty"),
    (("E002", "READMIT30", "11", "10", "", ""), "numerator",
     "numerator (11) is greater than denominator (10)"),
    (("E002", "READMIT30", "-1", "10", "", ""), "numerator", "numerator is negative (-1)"),
    (("E002", "READMIT30", "6", "10", "", ""), "numerator",
     ("The rate 0.6 (numerator / denominator) is outside the plausible range of READMIT30 "
      "(0 – 0.5)")),
    (("E002", "READMIT30", "1", "10", "", "0.5"), "expected",
     "expected is only for risk-adjustable rate indicators; READMIT30 is not one"),
    (("E002", "MORTALITY", "1", "10", "", "0"), "expected", "must be greater than 0"),
    (("E002", "VISITS", "", "", "", ""), "value", "VISITS is a Count indicator: value is"),
    (("E002", "VISITS", "3", "", "12", ""), "numerator", "leave numerator empty"),
    (("E002", "VISITS", "", "", "12.5", ""), "value", "A count is a whole number, not 12.5"),
    (("E002", "VISITS", "", "", "-4", ""), "value", "value is negative (-4)"),
    (("E002", "VISITS", "", "", "20001", ""), "value",
     "value 20001 is outside the plausible range of VISITS (0 – 20000)"),
    (("E002", "ALOS", "", "", "0.5", ""), "value", "outside the plausible range of ALOS"),
    (("E002", "BALANCE", "", "", "-101", ""), "value", "outside the plausible range"),
], ids=lambda v: v if isinstance(v, str) else None)
def test_each_rule_names_the_row_field_and_reason(cells, field, reason):
    assert only_error(cells)[:2] == (3, field)
    assert reason in only_error(cells)[2]


def test_a_value_may_be_negative_when_its_range_allows_it():
    assert validate_batch(rows(("E001", "BALANCE", "", "", "-40", "")), context()).ok


def test_zero_cases_is_a_valid_rate():
    assert validate_batch(rows(("E001", "READMIT30", "0", "0", "", "")), context()).ok


def test_codes_are_matched_whatever_their_case_and_spaces():
    checked = validate_batch(rows((" E001 ", " readmit30 ", " 3 ", "120", "", "")), context())
    assert checked.ok and checked.rows[0].indicator_code == "READMIT30"


def test_a_duplicate_names_both_lines():
    checked = validate_batch(rows(GOOD, ("E002", "READMIT30", "1", "9", "", ""), GOOD),
                             context())
    [error] = checked.errors
    assert (error.row, error.field) == (4, "indicator_code")
    assert "Duplicate: line 2 already gives READMIT30 for E001" in str(error.message)
    assert [row.row for row in checked.rows] == [2, 3]


def test_api_rows_are_named_items_not_lines():
    raw = [(1, {"employee_number": "E001", "indicator_code": "READMIT30", "numerator": 1,
                "denominator": 10}),
           (2, {"employee_number": "E001", "indicator_code": "READMIT30", "numerator": 1,
                "denominator": 10})]
    [error] = validate_batch(raw, context(), csv=False).errors
    assert error.row == 2 and "item 1 already gives" in str(error.message)


@pytest.mark.parametrize("value, ok", [(3, True), (2.5, True), ("4", True), (True, False),
                                       ([1], False), ({"n": 1}, False), (10**400, False)])
def test_json_values_must_be_numbers(value, ok):
    raw = [(1, {"employee_number": "E001", "indicator_code": "ALOS", "value": value})]
    assert validate_batch(raw, context(), csv=False).ok is ok


def test_a_measurement_of_another_batch_names_that_batch():
    ctx = context(taken={(12, 1): "LIS-2026Q3"})
    row, field, message = only_error(("E002", "READMIT30", "1", "10", "", ""), ctx)
    assert (row, field) == (3, "indicator_code")
    assert "already provided by the batch LIS-2026Q3" in message


def test_a_closed_cycle_refuses_the_whole_batch():
    checked = validate_batch(rows(GOOD), context(accepts_measurements=False,
                                                 cycle_state="Closed"))
    [error] = checked.errors
    assert (error.row, error.field) == (None, "cycle")
    assert "The cycle 2026 Q3 is Closed" in str(error.message)
    assert not checked.ok


def test_a_disputed_measurement_may_not_be_dropped_by_a_replacement():
    ctx = context(disputed={(12, 1): (7, "E002", "READMIT30")})
    [error] = validate_batch(rows(GOOD), ctx).errors
    assert error.row is None and "READMIT30 for E002 has a dispute (#7)" in str(error.message)
    # ... named by a row (even a bad one) it is not reported as missing.
    checked = validate_batch(rows(GOOD, ("E002", "READMIT30", "x", "10", "", "")), ctx)
    assert [e.field for e in checked.errors] == ["numerator"]


def test_every_bad_row_is_reported_sorted_and_counted():
    checked = validate_batch(rows(("E9", "READMIT30", "1", "2", "", ""), GOOD,
                                  ("E001", "NOPE", "x", "", "", "")), context())
    assert [(e.row, e.field) for e in checked.errors] == [
        (2, "employee_number"), (4, "indicator_code"), (4, "numerator")]
    assert checked.bad_rows == 2 and not checked.ok


def test_an_empty_batch_is_refused():
    checked = validate_batch([], context())
    assert not checked.ok and "no measurements" in str(checked.errors[0].message)


def test_the_csv_reader_names_structural_problems():
    assert "lacks the column(s): indicator_code" in str(
        read_csv("employee_number,value\nE001,3\n").errors[0].message)
    bad = read_csv("employee_number,indicator_code,value\nE001,ALOS,3,4\n")
    assert bad.errors[0].row == 2
    ok = read_csv("indicator_code;employee_number;value;note\nALOS;E001;3;x\n")
    assert ok.rows == [(2, {"indicator_code": "ALOS", "employee_number": "E001", "value": "3",
                            "note": "x"})]
    assert ok.ignored_columns == ["note"]


def test_compare_counts_added_changed_unchanged_removed():
    from types import SimpleNamespace as Old

    new = {row.pair: row for row in validate_batch(
        rows(GOOD, ("E002", "READMIT30", "1", "10", "", ""), ("E002", "ALOS", "", "", "5", "")),
        context()).rows}
    old = [Old(staff_id=11, indicator_id=1, numerator=3.0, denominator=120.0, value=None,
               expected=None),
           Old(staff_id=12, indicator_id=1, numerator=2.0, denominator=10.0, value=None,
               expected=None),
           Old(staff_id=12, indicator_id=3, numerator=None, denominator=None, value=7.0,
               expected=None)]
    diff = compare(new, old)
    assert (diff.added(len(new)), diff.changed, diff.unchanged, diff.removed) == (1, 1, 1, 1)
    assert [m.indicator_id for m in diff.gone] == [1, 3]
