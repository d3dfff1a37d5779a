"""The CSV import through the pages: upload, preview, confirm; re-import; batch pages."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from appraisal.cycles.models import CycleState
from appraisal.extensions import db
from appraisal.measurements.models import (
    Dispute,
    ImportBatch,
    Measurement,
    MeasurementUpload,
)
from tests.api.helpers import (
    audit_entries,
    build_world,
    count_measurements,
    csv_text,
    measurements_of,
)
from tests.helpers import count_statements
from tests.measurements.helpers import FIRST, confirm, upload


@pytest.fixture
def world(make):
    return build_world(make)


@pytest.fixture
def office(client, auth, world):
    auth.login(world.admin)
    return client


def import_file(client, cycle, rows, key="HIS-2026Q3"):
    return confirm(client, upload(client, cycle, csv_text(rows), key))


def error_rows(response) -> list[tuple[str, str, str]]:
    html = response.get_data(as_text=True)
    return re.findall(r'<tr class="bad"><th scope="row">([^<]*)</th><td>([^<]*)</td>'
                      r'<td>([^<]*)</td></tr>', html)


# -- upload, preview, confirm ----------------------------------------------------------------
def test_upload_preview_confirm_imports_the_batch(office, world):
    response = upload(office, world.cycle, csv_text(FIRST))
    preview = office.get(response.headers["Location"])
    html = preview.get_data(as_text=True)
    assert "Import preview: HIS-2026Q3" in html and "This is a new batch" in html
    assert count_measurements() == 0  # nothing saved before the confirmation

    done = confirm(office, response)
    assert done.status_code == 302
    batch = db.session.scalars(select(ImportBatch)).one()
    assert done.headers["Location"].endswith(f"/measurements/batches/{batch.id}")
    assert (batch.batch_key, batch.row_count, batch.source.value) == ("HIS-2026Q3", 4, "csv")
    assert measurements_of(world.cycle) == [
        ("E001", "READMIT30", 3.0, 120.0, None, None), ("E001", "VISITS", None, None, 1520.0,
                                                        None),
        ("E002", "MORTALITY", 2.0, 150.0, None, 2.7), ("E002", "READMIT30", 5.0, 80.0, None,
                                                       None)]
    page = office.get(done.headers["Location"]).get_data(as_text=True)
    assert "Batch HIS-2026Q3 imported: 4 measurements (4 new" in page
    [entry] = audit_entries("measurements.batch_imported")
    assert entry.new_values["rows"] == 4 and entry.actor_id == world.admin.id


def test_a_file_with_bad_rows_names_each_and_keeps_nothing(office, world):
    rows = [*FIRST, ("E404", "READMIT30", 1, 10, "", ""), ("E003", "READMIT30", 9, 8, "", ""),
            ("E003", "VISITS", "", "", "lots", "")]
    response = upload(office, world.cycle, csv_text(rows))
    assert response.status_code == 200
    assert error_rows(response) == [
        ("6", "employee_number",
         "Unknown staff: no staff member has the employee number E404."),
        ("7", "numerator", "numerator (9) is greater than denominator (8)."),
        ("8", "value", "value is not a number: lots"),
    ]
    assert "3 row(s) have errors" in response.get_data(as_text=True)
    assert db.session.scalar(select(MeasurementUpload.id)) is None
    assert count_measurements() == 0


def test_a_closed_cycle_is_refused_with_the_reason(office, world):
    response = upload(office, world.closed, csv_text(FIRST))
    reason = ("The cycle 2025 Q4 is Closed: it accepts measurements only while it is open or "
              "in review.")
    assert ("File", "cycle", reason) in error_rows(response)


def test_unreadable_files_are_explained(office, world):
    response = upload(office, world.cycle, "name,score\nx,1\n")
    assert "lacks the column(s): employee_number, indicator_code" in response.get_data(
        as_text=True)
    response = upload(office, world.cycle, b"\x00\x01binary")
    assert "binary data" in response.get_data(as_text=True)


def test_form_errors_keep_the_page(office, world):
    response = office.post("/measurements/import", data={"cycle": "", "batch_key": ""})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Choose a cycle." in html and "A batch key is required" in html
    assert "Choose a CSV file." in html


def test_a_gbk_file_from_chinese_excel_is_read(office, world):
    text = "employee_number,indicator_code,numerator,denominator,value,expected\n" \
           "E001,READMIT30,1,10,,\n"
    response = upload(office, world.cycle, text.encode("gb18030"), name="数据.csv")
    assert response.status_code == 302


def test_the_preview_and_confirmation_work_on_any_worker(office, world):
    # The upload lives in the database: a fresh client with no server state can confirm it.
    response = upload(office, world.cycle, csv_text(FIRST))
    kept = db.session.scalars(select(MeasurementUpload)).one()
    assert kept.raw_text.startswith("employee_number,indicator_code")
    assert confirm(office, response).status_code == 302
    assert count_measurements() == 4


def test_a_second_confirmation_imports_nothing_more(office, world):
    response = upload(office, world.cycle, csv_text(FIRST))
    confirm(office, response)
    again = office.post(response.headers["Location"] + "/confirm", data={"replaces": ""})
    assert again.status_code == 302
    follow = office.get(again.headers["Location"]).get_data(as_text=True)
    assert "This file has already been imported." in follow
    assert db.session.scalar(select(ImportBatch.id).where(ImportBatch.id > 1)) is None
    assert count_measurements() == 4


def test_a_preview_gone_stale_imports_nothing(office, world):
    response = upload(office, world.cycle, csv_text(FIRST))
    # Meanwhile the same rows arrive in another batch: the file no longer fits.
    import_file(office, world.cycle, FIRST[:1], key="LIS-2026Q3")
    preview = office.get(response.headers["Location"])
    assert "already provided by the batch LIS-2026Q3" in preview.get_data(as_text=True)
    refused = office.post(response.headers["Location"] + "/confirm", data={"replaces": ""})
    assert "nothing was imported" in office.get(refused.headers["Location"]).get_data(
        as_text=True)
    assert count_measurements() == 1


def test_a_confirmation_for_another_replaced_batch_is_refused(office, world):
    response = upload(office, world.cycle, csv_text(FIRST))
    import_file(office, world.cycle, FIRST[:1])  # same key, imported in another tab
    stale = office.post(response.headers["Location"] + "/confirm", data={"replaces": ""})
    assert "The data changed since the preview" in office.get(
        stale.headers["Location"]).get_data(as_text=True)
    assert count_measurements() == 1


def test_measurements_in_another_batch_are_named(office, world):
    import_file(office, world.cycle, FIRST[:2], key="LIS-2026Q3")
    response = upload(office, world.cycle, csv_text(FIRST))
    rule = ("is already provided by the batch LIS-2026Q3 of this cycle; a measurement comes "
            "from one batch only (re-import that batch to change it).")
    assert error_rows(response) == [("2", "indicator_code", f"READMIT30 for E001 {rule}"),
                                    ("3", "indicator_code", f"VISITS for E001 {rule}")]


# -- re-import -------------------------------------------------------------------------------
def test_reimporting_a_key_replaces_the_batch_entirely(office, world):
    import_file(office, world.cycle, FIRST)
    second = [("E001", "READMIT30", 3, 120, "", ""),   # unchanged
              ("E002", "READMIT30", 6, 80, "", ""),    # changed
              ("E003", "VISITS", "", "", 900, "")]     # new; two of FIRST are gone
    response = upload(office, world.cycle, csv_text(second))
    preview = office.get(response.headers["Location"]).get_data(as_text=True)
    assert "This batch replaces batch HIS-2026Q3 (#1, 4 measurements" in preview
    for text in ("1 new", "1 changed", "1 unchanged", "2 removed"):
        assert text in preview
    confirm(office, response)

    old, new = db.session.scalars(select(ImportBatch).order_by(ImportBatch.id)).all()
    assert old.replaced_by_id == new.id and new.replaced_by_id is None
    assert (old.row_count, new.row_count) == (4, 3)
    assert measurements_of(world.cycle) == [
        ("E001", "READMIT30", 3.0, 120.0, None, None), ("E002", "READMIT30", 6.0, 80.0, None,
                                                        None),
        ("E003", "VISITS", None, None, 900.0, None)]
    assert set(db.session.scalars(select(Measurement.batch_id))) == {new.id}
    [replaced] = audit_entries("measurements.batch_replaced")
    assert replaced.object_id == str(old.id)
    assert replaced.new_values == {"replaced_by": new.id, "rows": 3, "added": 1, "changed": 1,
                                   "unchanged": 1, "removed": 2}
    # The old values that changed or went stay readable in the audit log.
    assert replaced.old_values["changed_or_removed_values"].splitlines() == [
        "employee_number,indicator_code,numerator,denominator,value,expected",
        "E001,VISITS,,,1520,", "E002,MORTALITY,2,150,,2.7", "E002,READMIT30,5,80,,"]


def test_another_key_or_cycle_does_not_replace(office, world, make):
    import_file(office, world.cycle, FIRST[:1])
    import_file(office, world.cycle, FIRST[1:2], key="OTHER")
    assert len(measurements_of(world.cycle)) == 2
    assert audit_entries("measurements.batch_replaced") == []


def test_a_disputed_measurement_keeps_its_dispute_through_a_replacement(office, world):
    import_file(office, world.cycle, FIRST)
    measurement = db.session.scalars(select(Measurement).order_by(Measurement.id)).first()
    dispute = Dispute(measurement_id=measurement.id, raised_by_id=world.admin.id,
                      reason="wrong count")
    db.session.add(dispute)
    db.session.commit()
    # Leaving the disputed measurement out is refused, by name.
    response = upload(office, world.cycle, csv_text(FIRST[1:]))
    assert f"READMIT30 for E001 has a dispute (#{dispute.id})" in response.get_data(
        as_text=True)
    # Including it replaces the value in place: the dispute stays attached.
    import_file(office, world.cycle, [("E001", "READMIT30", 4, 120, "", ""), *FIRST[1:]])
    db.session.expire_all()
    assert db.session.get(Measurement, measurement.id).numerator == 4.0
    assert db.session.get(Dispute, dispute.id).measurement_id == measurement.id


# -- batch pages -----------------------------------------------------------------------------
def test_batch_list_filters_by_cycle_and_shows_status(office, world):
    import_file(office, world.cycle, FIRST)
    import_file(office, world.cycle, FIRST[:2])
    html = office.get("/measurements/batches").get_data(as_text=True)
    assert "replaced by #2" in html and "current" in html
    other = office.get(f"/measurements/batches?cycle={world.closed.id}").get_data(as_text=True)
    assert "No measurements have been imported into 2025 Q4 yet." in other
    assert office.get("/measurements/batches?cycle=999").status_code == 404


def test_batch_detail_shows_measurements_and_history(office, world):
    import_file(office, world.cycle, FIRST)
    import_file(office, world.cycle, FIRST[:1])
    old = office.get("/measurements/batches/1").get_data(as_text=True)
    assert "This batch was replaced" in old and "Replaced by #2" in old
    new = office.get("/measurements/batches/2").get_data(as_text=True)
    assert "E001 · Doctor 1" in new and "READMIT30" in new
    assert "0 new, 0 changed, 1 unchanged, 3 removed" in new


def _import_many(world, make, staff_count):
    from appraisal.measurements import operations
    from appraisal.measurements.models import BatchSource

    numbers = [make.staff(world.department, number=f"S{staff_count}-{n:04d}").employee_number
               for n in range(staff_count)]
    rows = [(line, {"employee_number": number, "indicator_code": "VISITS", "value": "10"})
            for line, number in enumerate(numbers, start=2)]
    operations.import_measurements(world.admin, world.cycle, f"B{staff_count}", rows,
                                   source=BatchSource.demo)
    db.session.commit()


def test_list_pages_issue_the_same_number_of_statements_for_few_and_many_rows(
        office, world, make):
    counts = []
    for size in (3, 120):
        _import_many(world, make, size)
        batch_id = db.session.scalar(select(ImportBatch.id).order_by(ImportBatch.id.desc()))
        with count_statements() as detail:
            assert office.get(f"/measurements/batches/{batch_id}").status_code == 200
        with count_statements() as listing:
            assert office.get("/measurements/batches").status_code == 200
        counts.append((detail.n, listing.n))
    assert counts[0] == counts[1], counts


def test_the_upload_form_offers_every_cycle_with_its_state(office, world):
    html = office.get(f"/measurements/import?cycle={world.cycle.id}").get_data(as_text=True)
    assert f'<option selected value="{world.cycle.id}">2026 Q3 (Open)</option>' in html
    assert "2025 Q4 (Closed)" in html


def test_cycle_state_reviewing_still_accepts(office, world):
    world.cycle.state = CycleState.reviewing
    db.session.commit()
    assert import_file(office, world.cycle, FIRST).status_code == 302
    assert count_measurements() == 4
