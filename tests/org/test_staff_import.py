"""Staff CSV import: validation by row, preview, all-or-nothing confirmation, re-import."""

from __future__ import annotations

import codecs
import re
from datetime import date

import pytest
from sqlalchemy import func, select

from appraisal.core.audit import AuditEntry
from appraisal.extensions import db
from appraisal.org.importing import DepartmentRef, StaffRecord, parse_staff_csv, plan_staff
from appraisal.org.models import ImportStatus, OrgImportBatch, Staff, StaffGroup
from tests.org.helpers import audit_entries, count_statements, csv_file, page_text

HEADER = "employee_number,name,staff_group,title,department_code,hire_date,active"
DEPARTMENTS = {
    "card": DepartmentRef(1, "CARD", "Cardiology", True),
    "orth": DepartmentRef(2, "ORTH", "Orthopaedics", True),
    "old": DepartmentRef(3, "OLD", "Closed ward", False),
}


def staff_csv(rows: list[str]) -> str:
    return "\n".join([HEADER, *rows]) + "\n"


def big_file(n: int, bad_line: int | None = None, renamed: set[int] = frozenset()) -> str:
    rows = []
    for i in range(n):
        department = ("CARD", "CARD-W", "ORTH")[i % 3]
        name = f"Person {i} (renamed)" if i in renamed else f"Person {i}"
        rows.append(f"E{i:05d},{name},doctor,Attending,{department},2020-01-{i % 28 + 1:02d},yes")
    if bad_line is not None:
        # Line numbers: the header is line 1, so data row k is on line k + 2.
        rows[bad_line - 2] = rows[bad_line - 2].replace(",doctor,", ",surgeon,")
    return staff_csv(rows)


def errors_of(text: str) -> list[tuple[int | None, str]]:
    return [(e.line, str(e.message)) for e in parse_staff_csv(text, DEPARTMENTS).errors]


# -- pure validation -------------------------------------------------------------------------
def test_a_valid_row_becomes_a_record():
    parsed = parse_staff_csv(staff_csv(["E1, Wang Fang ,Nurse,Head nurse,card,2019/3/7,1"]),
                             DEPARTMENTS)
    assert parsed.ok
    assert parsed.rows == [(2, StaffRecord("E1", "Wang Fang", StaffGroup.nurse, "Head nurse",
                                           "CARD", date(2019, 3, 7), True))]


@pytest.mark.parametrize("row, message", [
    (",Wang,doctor,,CARD,,yes", "employee_number is missing."),
    ("E1,,doctor,,CARD,,yes", "name is missing."),
    ("E1,Wang,,,CARD,,yes", "staff_group is missing."),
    ("E1,Wang,surgeon,,CARD,,yes", ('staff_group "surgeon" is not known; use one of: admin, '
                                    "doctor, nurse, pharmacist, technician.")),
    ("E1,Wang,doctor,,,,yes", "department_code is missing."),
    ("E1,Wang,doctor,,NOPE,,yes", "department_code NOPE is not a known department."),
    ("E1,Wang,doctor,,OLD,,yes", "department_code OLD is an inactive department"),
    ("E1,Wang,doctor,,CARD,07/03/2019,yes", ('hire_date "07/03/2019" is not a date; use '
                                              "YYYY-MM-DD.")),
    ("E1,Wang,doctor,,CARD,2019-02-30,yes", 'hire_date "2019-02-30" is not a date'),
    ("E1,Wang,doctor,,CARD,,maybe", 'active "maybe" is neither yes nor no; use 1 or 0.'),
    ("E1," + "x" * 201 + ",doctor,,CARD,,yes", "name is longer than 200 characters."),
    ("E1,Wang,doctor,,CARD,,yes,surplus", "This row has 8 values but the header has 7 columns"),
])
def test_each_kind_of_bad_row_is_named_with_its_line(row, message):
    errors = errors_of(staff_csv(["E0,Fine,doctor,,CARD,,yes", row]))
    assert len(errors) == 1
    line, text = errors[0]
    assert line == 3 and message in text


def test_an_inactive_person_may_stay_in_an_inactive_department():
    assert errors_of(staff_csv(["E1,Wang,doctor,,OLD,,no"])) == []


def test_every_problem_of_a_row_is_listed_not_just_the_first():
    errors = errors_of(staff_csv(["E1,,surgeon,,NOPE,soon,yes"]))
    assert [line for line, _ in errors] == [2, 2, 2, 2]


def test_duplicate_employee_numbers_name_both_lines():
    errors = errors_of(staff_csv(["E1,A,doctor,,CARD,,", "E2,B,doctor,,CARD,,",
                                  "E1,C,nurse,,CARD,,"]))
    assert errors == [(4, "employee_number E1 is also on line 2.")]


def test_missing_columns_are_a_file_error_on_line_1():
    errors = errors_of("employee_number,name\nE1,Wang\n")
    assert errors[0][0] == 1
    missing = "lacks the column(s): staff_group, title, department_code, hire_date, active"
    assert missing in errors[0][1]


def test_chinese_staff_groups_and_yes_no_words_are_understood():
    rows = ["E1,王芳,护士,护士长,CARD,,在职", "E2,李伟,医生,,CARD,,否"]
    parsed = parse_staff_csv(staff_csv(rows), DEPARTMENTS)
    assert parsed.ok
    assert [(r.staff_group, r.active) for _, r in parsed.rows] == [
        (StaffGroup.nurse, True), (StaffGroup.doctor, False)]


def test_plan_separates_new_changed_and_unchanged():
    parsed = parse_staff_csv(staff_csv(["E1,Wang,doctor,Chief,CARD,,yes",
                                        "E2,Li,nurse,,ORTH,,yes",
                                        "E3,Zhao,doctor,,CARD,,yes"]), DEPARTMENTS)
    existing = {
        "E1": (11, StaffRecord("E1", "Wang", StaffGroup.doctor, "Attending", "CARD", None, True)),
        "E2": (12, StaffRecord("E2", "Li", StaffGroup.nurse, "", "ORTH", None, True)),
    }
    plan = plan_staff(parsed, existing)
    assert [p.key for p in plan.creates] == ["E3"]
    assert [p.key for p in plan.unchanged] == ["E2"]
    [update] = plan.updates
    assert (update.target_id, [(c.field, c.old, c.new) for c in update.changes]) == (
        11, [("title", "Attending", "Chief")])


# -- through the pages -----------------------------------------------------------------------
def upload(client, text: str | bytes, name: str = "staff.csv"):
    return client.post("/org/staff/import", data={"file": csv_file(text, name)})


def confirm(client, preview_url: str):
    html = page_text(client.get(preview_url))
    digest = re.search(r'name="digest" type="hidden" value="([^"]+)"', html).group(1)
    return client.post(f"{preview_url}/confirm", data={"digest": digest})


def staff_count() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(Staff))


def test_acceptance_one_bad_row_among_5000_imports_nothing_and_names_the_row(as_admin, org):
    response = upload(as_admin, big_file(5000, bad_line=3217))
    html = page_text(response)
    assert response.status_code == 200
    assert "Nothing was imported" in html
    assert "1 row has errors" in html
    assert re.search(r'<th scope="row">3217</th><td>staff_group &#34;surgeon&#34; is not known',
                     html)
    assert staff_count() == 0
    assert db.session.scalar(select(func.count()).select_from(OrgImportBatch)) == 0


def test_acceptance_a_good_file_of_5000_imports_all_then_a_changed_file_reports_changes(
        as_admin, org):
    with count_statements() as uploading:
        response = upload(as_admin, big_file(5000))
    assert response.status_code == 302
    preview_url = response.headers["Location"]
    with count_statements() as previewing:
        html = page_text(as_admin.get(preview_url))
    assert '<p class="stat">5000</p><p>to create</p>' in html
    assert "… and 4500 more new rows, not listed here." in html
    assert staff_count() == 0  # nothing is saved before the confirmation

    with count_statements() as confirming:
        response = confirm(as_admin, preview_url)
    assert response.status_code == 302
    assert staff_count() == 5000
    assert "Import done: 5000 created, 0 updated, 0 unchanged." in page_text(
        as_admin.get("/org/staff"))
    # No statement per row: look-ups and writes are bulk (SQLite inserts the audit rows one
    # by one to read back their ids, so those are left out of the count).
    bulk = [s for s in confirming.statements if "INSERT INTO audit_entries" not in s]
    assert uploading.n < 30 and previewing.n < 30 and len(bulk) < 40, (
        uploading.n, previewing.n, len(bulk))
    assert len(audit_entries("staff.created")) == 5000
    assert audit_entries("staff.import_applied")[-1].new_values == {
        "created": 5000, "updated": 0, "unchanged": 0}

    # Re-import with three people renamed and one moved to another department.
    changed = big_file(5000, renamed={7, 8, 9}).replace(
        "E00010,Person 10,doctor,Attending,CARD-W", "E00010,Person 10,doctor,Attending,ORTH")
    response = upload(as_admin, changed)
    preview_url = response.headers["Location"]
    html = page_text(as_admin.get(preview_url))
    assert "Changes (4)" in html
    assert "Person 7</td>" in html and "Person 7 (renamed)" in html
    assert re.search(r"<td>department_code</td>\s*<td>CARD-W</td>\s*<td>ORTH</td>", html)
    response = confirm(as_admin, preview_url)
    assert "Import done: 0 created, 4 updated, 4996 unchanged." in page_text(
        as_admin.get("/org/staff"))
    db.session.expire_all()
    person7 = db.session.scalars(select(Staff).where(Staff.employee_number == "E00007")).one()
    assert person7.name == "Person 7 (renamed)"
    entry = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "staff.updated", AuditEntry.object_id == str(person7.id))).one()
    assert entry.old_values == {"name": "Person 7"}
    assert entry.new_values["name"] == "Person 7 (renamed)"


def test_confirming_twice_imports_once(as_admin, org):
    preview_url = upload(as_admin, staff_csv(["E1,Wang,doctor,,CARD,,yes"])).headers["Location"]
    html = page_text(as_admin.get(preview_url))
    digest = re.search(r'name="digest" type="hidden" value="([^"]+)"', html).group(1)
    as_admin.post(f"{preview_url}/confirm", data={"digest": digest})
    response = as_admin.post(f"{preview_url}/confirm", data={"digest": digest})
    assert response.status_code == 302
    assert "This file has already been imported." in page_text(as_admin.get(preview_url))
    assert staff_count() == 1
    assert len(audit_entries("staff.import_applied")) == 1
    batch = db.session.scalars(select(OrgImportBatch)).one()
    assert batch.status is ImportStatus.applied and batch.summary["created"] == 1


def test_confirmation_is_refused_when_the_data_changed_since_the_preview(as_admin, org, make):
    preview_url = upload(as_admin, staff_csv(["E1,Wang,doctor,,CARD,,yes"])).headers["Location"]
    html = page_text(as_admin.get(preview_url))
    digest = re.search(r'name="digest" type="hidden" value="([^"]+)"', html).group(1)
    make.staff(org.orth, number="E1", name="Someone else")  # created meanwhile by another admin
    db.session.commit()
    response = as_admin.post(f"{preview_url}/confirm", data={"digest": digest})
    assert response.headers["Location"].endswith(preview_url)
    html = page_text(as_admin.get(preview_url))
    assert "The data changed since the preview was shown, so nothing was imported." in html
    assert "Changes (1)" in html  # the preview now shows the up-to-date plan
    assert staff_count() == 1


def test_a_file_that_no_longer_fits_shows_its_errors_on_the_preview(as_admin, org):
    preview_url = upload(as_admin, staff_csv(["E1,Wang,doctor,,ORTH,,yes"])).headers["Location"]
    org.orth.active = False
    db.session.commit()
    html = page_text(as_admin.get(preview_url))
    assert "department_code ORTH is an inactive department" in html
    assert "Confirm the import" not in html


@pytest.mark.parametrize("encode", [
    lambda text: codecs.BOM_UTF8 + text.encode("utf-8"),
    lambda text: text.encode("gbk"),
    lambda text: text.encode("gb18030"),
], ids=["utf8-bom", "gbk", "gb18030"])
def test_excel_files_with_chinese_names(as_admin, org, encode):
    text = staff_csv(["E1,王芳,护士,护士长,CARD,2018-05-01,是", "E2,李伟,医生,主治医师,ORTH,,1"])
    response = upload(as_admin, encode(text))
    assert response.status_code == 302, page_text(response)
    html = page_text(as_admin.get(response.headers["Location"]))
    assert "王芳" in html and "护士长" in html
    confirm(as_admin, response.headers["Location"])
    names = set(db.session.scalars(select(Staff.name)))
    assert names == {"王芳", "李伟"}


def test_upload_errors(as_admin, org):
    response = as_admin.post("/org/staff/import", data={})
    assert "Choose a CSV file." in page_text(response)
    html = page_text(upload(as_admin, codecs.BOM_UTF8 + b"\xff\xfe\x00bad"))
    assert "Nothing was imported" in html and "not readable text" in html
    html = page_text(upload(as_admin, "name,title\nWang,Dr\n"))
    assert "lacks the column(s): employee_number, staff_group" in html
    assert staff_count() == 0


def test_ignored_columns_and_an_unchanged_file_are_reported(as_admin, org, make):
    make.staff(org.card, number="E1", name="Wang", title="", group=StaffGroup.doctor)
    db.session.commit()
    text = HEADER + ",phone\nE1,Wang,doctor,,CARD,,yes,555\n"
    html = page_text(as_admin.get(upload(as_admin, text).headers["Location"]))
    assert "These columns are not used and were ignored: phone." in html
    assert "The data already match this file: there is nothing to import." in html
    assert "Confirm the import" not in html


def test_preview_of_another_kind_of_batch_is_404(as_admin, org):
    preview_url = upload(as_admin, staff_csv(["E1,Wang,doctor,,CARD,,yes"])).headers["Location"]
    batch_id = preview_url.rsplit("/", 1)[1]
    assert as_admin.get(f"/org/departments/import/{batch_id}").status_code == 404


def test_the_upload_is_audited_and_an_applied_preview_says_who_did_it(as_admin, org, admin):
    preview_url = upload(as_admin, staff_csv(["E1,Wang,doctor,,CARD,,yes"])).headers["Location"]
    assert audit_entries("staff.import_uploaded")[-1].new_values["filename"] == "staff.csv"
    confirm(as_admin, preview_url)
    html = page_text(as_admin.get(preview_url))
    assert "This file was imported by office on" in html
    assert "1 created, 0 updated, 0 unchanged" in html


def test_file_content_quoted_in_an_error_is_escaped(as_admin, org):
    html = page_text(upload(as_admin, staff_csv(["E1,Wang,<script>alert(1)</script>,,CARD,,"])))
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
