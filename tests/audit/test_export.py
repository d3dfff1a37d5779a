"""CSV export of the filtered audit rows."""

from __future__ import annotations

import csv
import io

from appraisal.audit.export import neutralise
from appraisal.core import audit
from appraisal.extensions import db


def _rows(response) -> list[list[str]]:
    text = response.data.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_export_holds_the_filtered_rows_with_readable_changes(client, make, auth):
    admin = make.admin(username="office")
    clinician = make.clinician(username="dr_zhang")
    clinician.staff.name = "张敏"
    audit.record(clinician, "measurement.disputed", object_type="Measurement", object_id=9,
                 old={"value": 3}, new={"value": 4})
    audit.record(admin, "cycle.opened", object_type="Cycle", object_id=1)
    db.session.commit()
    auth.login(admin)

    response = client.get("/admin/audit/export.csv?action=measurement.")

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    header, *rows = _rows(response)
    assert header[1:6] == ["Username", "User", "Action", "Object type", "Object id"]
    assert len(rows) == 1
    assert rows[0][1:7] == ["dr_zhang", "张敏", "measurement.disputed", "Measurement", "9",
                            "value: 3 → 4"]
    assert rows[0][7] == '{"value": 3}' and rows[0][8] == '{"value": 4}'


def test_formula_cells_are_neutralised(client, make, auth):
    admin = make.admin(username="office")
    row = audit.record(admin, "=HYPERLINK(\"http://evil\")", object_type="@SUM(A1)",
                       object_id="-2+3", new={"name": "+cmd"})
    row.request_id = "+req"
    db.session.commit()
    auth.login(admin)

    export = client.get("/admin/audit/export.csv", query_string={"object_type": "@SUM(A1)"})
    (row,) = _rows(export)[1:]

    assert row[3] == "'=HYPERLINK(\"http://evil\")"
    assert row[4] == "'@SUM(A1)"
    assert row[5] == "'-2+3"
    assert row[6] == "name: — → +cmd"
    assert row[9] == "'+req"


def test_neutralise():
    assert neutralise("=1+1") == "'=1+1"
    assert neutralise("+1") == "'+1"
    assert neutralise("-1") == "'-1"
    assert neutralise("@x") == "'@x"
    assert neutralise("\tx") == "'\tx"
    assert neutralise("plain") == "plain"
    assert neutralise(None) == ""
    assert neutralise(5) == "5"


def test_export_with_a_bad_filter_goes_back_to_the_page(client, make, auth):
    auth.login(make.admin(username="office"))

    response = client.get("/admin/audit/export.csv?date_from=yesterday")

    assert response.status_code == 302
    assert "/admin/audit/" in response.headers["Location"]
    assert "date_from=yesterday" in response.headers["Location"]
