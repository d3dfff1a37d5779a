"""CSV exports: Excel-friendly encoding, formula neutralisation, the list's scope and filters."""

from __future__ import annotations

import csv
import io

from appraisal.extensions import db
from appraisal.org.models import StaffGroup


def rows_of(response) -> list[dict]:
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel shows Chinese names correctly
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))


def test_staff_export_neutralises_formulas_and_keeps_chinese(as_admin, make, org):
    make.staff(org.card, name="=HYPERLINK(\"http://evil\",\"x\")", number="+E1",
               title="@SUM(A1)")
    make.staff(org.card, name="王芳", number="-E2", title="\tTab")
    make.staff(org.card, name="Plain Name", number="E3", title="Attending")
    db.session.commit()
    rows = {row["employee_number"]: row for row in rows_of(as_admin.get("/org/staff/export.csv"))}
    assert rows["'+E1"]["name"] == "'=HYPERLINK(\"http://evil\",\"x\")"
    assert rows["'+E1"]["title"] == "'@SUM(A1)"
    assert rows["'-E2"]["name"] == "王芳" and rows["'-E2"]["title"] == "'\tTab"
    assert rows["E3"] == {"employee_number": "E3", "name": "Plain Name", "staff_group": "doctor",
                          "title": "Attending", "department_code": "CARD", "hire_date": "",
                          "active": "yes", "department_name": "Cardiology"}


def test_staff_export_honours_the_filters(as_admin, make, org):
    make.staff(org.ward, StaffGroup.nurse, name="Li Na")
    make.staff(org.card, StaffGroup.doctor, name="Wang Fang")
    make.staff(org.orth, StaffGroup.doctor, name="Zhao Lei")
    make.staff(org.card, StaffGroup.doctor, name="Gone", active=False)
    db.session.commit()
    names = [r["name"] for r in rows_of(as_admin.get(
        f"/org/staff/export.csv?department={org.med.id}&group=doctor"))]
    assert names == ["Wang Fang"]
    names = [r["name"] for r in rows_of(as_admin.get("/org/staff/export.csv?active=all&q=n"))]
    assert names == ["Gone", "Li Na", "Wang Fang"]


def test_manager_export_is_limited_to_their_departments(client, auth, make, org):
    make.staff(org.ward, name="Li Na")
    make.staff(org.orth, name="Zhao Lei")
    auth.login(make.user(manages=(org.card,)))
    assert [r["name"] for r in rows_of(client.get("/org/staff/export.csv"))] == ["Li Na"]
    assert client.get(f"/org/staff/export.csv?department={org.orth.id}").status_code == 403


def test_staff_export_imports_back_unchanged(as_admin, make, org):
    make.staff(org.card, name="=1+1", number="-7", title="Head, nurse")
    make.staff(org.ward, StaffGroup.pharmacist, name="王芳")
    db.session.commit()
    exported = as_admin.get("/org/staff/export.csv?active=all").get_data()
    response = as_admin.post("/org/staff/import", data={"file": (io.BytesIO(exported), "s.csv")})
    html = as_admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "The data already match this file: there is nothing to import." in html
    assert "These columns are not used and were ignored: department_name." in html


def test_department_export_neutralises_and_lists_parents_first(as_admin, make, org):
    make.department("=cmd()", parent=org.card, code="@X")
    db.session.commit()
    rows = rows_of(as_admin.get("/org/departments/export.csv"))
    codes = [r["code"] for r in rows]
    assert codes.index("H") < codes.index("MED") < codes.index("CARD") < codes.index("'@X")
    evil = rows[codes.index("'@X")]
    assert evil == {"code": "'@X", "name": "'=cmd()", "kind": "department",
                    "parent_code": "CARD", "active": "yes"}
