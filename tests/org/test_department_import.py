"""Department CSV import: parents in any order, cycles, states, preview and confirmation."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from appraisal.extensions import db
from appraisal.org.importing import DepartmentRecord, parse_department_csv
from appraisal.org.models import Department, DepartmentKind
from tests.org.helpers import audit_entries, csv_file, page_text

HEADER = "code,name,kind,parent_code,active"
EXISTING = {
    "h": DepartmentRecord("H", "General Hospital", DepartmentKind.hospital, None, True),
    "med": DepartmentRecord("MED", "Medicine", DepartmentKind.division, "H", True),
    "card": DepartmentRecord("CARD", "Cardiology", DepartmentKind.department, "MED", True),
}


def dept_csv(rows: list[str]) -> str:
    return "\n".join([HEADER, *rows]) + "\n"


def errors_of(rows: list[str], staff: dict | None = None) -> list[tuple[int | None, str]]:
    parsed = parse_department_csv(dept_csv(rows), EXISTING, staff or {})
    return [(e.line, e.message) for e in parsed.errors]


# -- pure validation -------------------------------------------------------------------------
def test_parents_may_come_after_their_children():
    parsed = parse_department_csv(dept_csv([
        "W1,Ward 1,ward,NEURO,yes",
        "NEURO,Neurology,department,SURG,yes",
        "SURG,Surgery,division,h,yes",
    ]), EXISTING, {})
    assert parsed.ok, parsed.errors
    # The parent code is spelt as the parent's own code ("h" -> "H").
    assert [r.parent_code for _, r in parsed.rows] == ["NEURO", "SURG", "H"]


@pytest.mark.parametrize("rows, expected", [
    (["A,A,department,B,yes", "B,B,department,A,yes"],
     [(2, "Department A would be its own ancestor: A → B → A."),
      (3, "Department B would be its own ancestor: B → A → B.")]),
    (["A,A,department,A,yes"], [(2, "Department A would be its own ancestor: A → A.")]),
    # Through the existing tree: H would go under CARD, which is below H.
    (["H,General Hospital,hospital,CARD,yes"],
     [(2, "Department H would be its own ancestor: H → CARD → MED → H.")]),
])
def test_cycles_are_refused_and_named(rows, expected):
    assert errors_of(rows) == expected


@pytest.mark.parametrize("row, message", [
    ("X,Xray,department,NOPE,yes",
     "parent_code NOPE is neither in the file nor an existing department."),
    (",Xray,department,H,yes", "code is missing."),
    ("X Y,Xray,department,H,yes", 'code "X Y" contains a space; codes are one word.'),
    ("X,,department,H,yes", "name is missing."),
    ("X,Xray,clinic,H,yes", 'kind "clinic" is not known'),
    ("X,Xray,department,H,perhaps", 'active "perhaps" is neither yes nor no'),
])
def test_bad_rows_are_named(row, message):
    [(line, text)] = errors_of(["OK,Fine,department,H,yes", row])
    assert line == 3 and message in text


def test_duplicate_codes_whatever_their_case():
    assert errors_of(["X,One,department,H,yes", "x,Two,department,H,yes"]) == [
        (3, "code x is also on line 2.")]


def test_deactivation_that_would_leave_active_things_behind_is_refused():
    errors = errors_of(["MED,Medicine,division,H,no"], staff={"med": 4})
    assert errors == [(2, ("Department MED cannot be deactivated: it still has 4 active staff "
                           "and 1 active sub-departments (CARD)."))]
    # Deactivating the child in the same file is fine.
    assert errors_of(["MED,Medicine,division,H,no", "CARD,Cardiology,department,MED,no"]) == []


def test_an_active_department_under_an_inactive_parent_is_refused():
    assert errors_of(["OLD,Old wing,division,H,no", "W,Ward,ward,OLD,yes"]) == [
        (2, ("Department OLD cannot be deactivated: it still has 0 active staff and 1 active "
             "sub-departments (W).")),
        (3, "Department W is active but its parent OLD is inactive.")]


# -- through the pages -----------------------------------------------------------------------
def upload(client, text: str):
    return client.post("/org/departments/import", data={"file": csv_file(text)})


def confirm(client, preview_url: str):
    html = page_text(client.get(preview_url))
    digest = re.search(r'name="digest" type="hidden" value="([^"]+)"', html).group(1)
    return client.post(f"{preview_url}/confirm", data={"digest": digest})


def by_code(code: str) -> Department:
    db.session.expire_all()
    return db.session.scalars(select(Department).where(Department.code == code)).one()


def test_import_a_whole_tree_into_an_empty_database(as_admin):
    text = dept_csv([
        "CARD-W,Cardiology ward,病区,CARD,yes",
        "CARD,Cardiology,科室,MED,yes",
        "MED,Medicine,大科,H,yes",
        "H,General Hospital,医院,,yes",
    ])
    response = upload(as_admin, text)
    assert response.status_code == 302, page_text(response)
    html = page_text(as_admin.get(response.headers["Location"]))
    assert '<p class="stat">4</p><p>to create</p>' in html
    response = confirm(as_admin, response.headers["Location"])
    assert response.headers["Location"].endswith("/org/departments")
    hospital, med, card, ward = (by_code(c) for c in ("H", "MED", "CARD", "CARD-W"))
    assert ward.path == f"/{hospital.id}/{med.id}/{card.id}/{ward.id}/"
    assert ward.kind is DepartmentKind.ward and hospital.parent_id is None
    assert len(audit_entries("department.created")) == 4
    assert "Cardiology ward" in page_text(as_admin.get("/org/departments"))


def test_reimport_moves_renames_and_recomputes_paths(as_admin, org, make):
    make.staff(org.ward)
    db.session.commit()
    text = dept_csv([
        "CARD,Cardiology & vascular,department,SUR,yes",  # moved and renamed
        "MED,Medicine,division,H,yes",                    # unchanged
    ])
    preview_url = upload(as_admin, text).headers["Location"]
    html = page_text(as_admin.get(preview_url))
    assert "Changes (1)" in html and '<p class="stat">1</p><p>unchanged</p>' in html
    assert re.search(r"<td>parent_code</td>\s*<td>MED</td>\s*<td>SUR</td>", html)
    confirm(as_admin, preview_url)
    card, ward = by_code("CARD"), by_code("CARD-W")
    assert card.name == "Cardiology & vascular" and card.parent_id == org.sur.id
    assert ward.path == f"{org.sur.path}{card.id}/{ward.id}/"
    entry = audit_entries("department.updated")[-1]
    assert entry.old_values == {"name": "Cardiology", "parent_code": "MED"}
    assert entry.new_values["parent_code"] == "SUR"


def test_bad_file_imports_nothing_and_lists_every_error(as_admin, org):
    text = dept_csv(["NEW,New,department,MED,yes", "A,A,department,B,yes",
                     "B,B,department,A,yes", "CARD-W,Cardiology ward,ward,CARD,no"])
    # CARD-W has no staff and no children: only the cycle rows are wrong.
    html = page_text(upload(as_admin, text))
    assert "Nothing was imported" in html and "2 rows have errors" in html
    assert "Department A would be its own ancestor" in html
    assert db.session.scalars(select(Department).where(Department.code == "NEW")).first() is None


def test_deactivation_with_active_staff_is_refused_on_upload(as_admin, org, make):
    make.staff(org.ward)
    make.staff(org.ward)
    db.session.commit()
    html = page_text(upload(as_admin, dept_csv(["CARD-W,Cardiology ward,ward,CARD,no"])))
    assert ("Department CARD-W cannot be deactivated: it still has 2 active staff and 0 "
            "active sub-departments.") in html


def test_export_then_import_changes_nothing(as_admin, org):
    exported = as_admin.get("/org/departments/export.csv").get_data(as_text=True)
    response = as_admin.post("/org/departments/import",
                             data={"file": csv_file(exported.encode("utf-8"))})
    html = page_text(as_admin.get(response.headers["Location"]))
    assert "The data already match this file: there is nothing to import." in html
    assert '<p class="stat">6</p><p>unchanged</p>' in html
