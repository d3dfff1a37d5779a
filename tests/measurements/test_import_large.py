"""Acceptance: a 50,000-row CSV with one bad row imports nothing and names that row; the same
file corrected imports fully (through the pages, in seconds, on SQLite and PostgreSQL)."""

from __future__ import annotations

import io
import re
import time

from sqlalchemy import func, insert, select

from appraisal.extensions import db
from appraisal.indicators.models import IndicatorKind
from appraisal.measurements.models import ImportBatch, Measurement
from appraisal.org.models import Staff, StaffGroup
from tests.api.helpers import make_cycle, make_indicator
from tests.helpers import count_statements

STAFF = 5000
INDICATORS = 10  # 5,000 staff x 10 indicators = 50,000 rows
BAD_LINE = 31_337


def build_hospital(make):
    department = make.department("Medicine", code="MED")
    db.session.execute(insert(Staff), [
        {"employee_number": f"E{n:05d}", "name": f"Staff {n}", "staff_group": StaffGroup.doctor,
         "title": "", "department_id": department.id, "active": True} for n in range(STAFF)])
    codes = []
    for n in range(INDICATORS):
        kind = IndicatorKind.rate if n % 2 else IndicatorKind.count
        codes.append(make_indicator(f"IND{n:02d}", kind, plausible_min=0,
                                    plausible_max=1 if n % 2 else 100000).code)
    cycle = make_cycle()
    db.session.commit()
    return cycle, codes


def big_csv(codes, bad_line=None) -> str:
    """Rates on odd columns, counts on even ones; ``bad_line`` gets numerator > denominator
    (it must be a rate's line)."""
    lines = ["employee_number,indicator_code,numerator,denominator,value,expected"]
    for n in range(STAFF):
        for i, code in enumerate(codes):
            if len(lines) + 1 == bad_line:
                assert i % 2, "the bad line must be a rate's"
                lines.append(f"E{n:05d},{code},90,30,,")
            elif i % 2:
                lines.append(f"E{n:05d},{code},{n % 7},{20 + n % 50},,")
            else:
                lines.append(f"E{n:05d},{code},,,{n % 900},")
    return "\n".join(lines) + "\n"


def post_file(client, cycle, text):
    return client.post("/measurements/import", data={
        "cycle": str(cycle.id), "batch_key": "HIS-2026Q3",
        "file": (io.BytesIO(text.encode()), "his.csv")}, content_type="multipart/form-data")


def test_fifty_thousand_rows_all_or_nothing(client, auth, make):
    cycle, codes = build_hospital(make)
    auth.login(make.admin(username="office"))
    started = time.perf_counter()

    bad = big_csv(codes, BAD_LINE)
    assert len(bad.splitlines()) == STAFF * INDICATORS + 1
    refused = post_file(client, cycle, bad)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 200
    rows = re.findall(r'<tr class="bad"><th scope="row">(\d+)</th><td>(\w*)</td><td>([^<]*)<',
                      html)
    assert rows == [(str(BAD_LINE), "numerator",
                     "numerator (90) is greater than denominator (30).")]
    assert db.session.scalar(select(func.count()).select_from(Measurement)) == 0

    accepted = post_file(client, cycle, big_csv(codes))
    assert accepted.status_code == 302
    preview = client.get(accepted.headers["Location"]).get_data(as_text=True)
    assert '<p class="stat">50000</p>' in preview
    replaces = re.search(r'name="replaces" type="hidden" value="([^"]*)"', preview).group(1)
    with count_statements() as statements:
        done = client.post(accepted.headers["Location"] + "/confirm",
                           data={"replaces": replaces})
    assert done.status_code == 302
    elapsed = time.perf_counter() - started

    assert db.session.scalar(select(func.count()).select_from(Measurement)) == 50_000
    assert db.session.scalar(select(ImportBatch.row_count)) == 50_000
    # Bulk look-ups and a bulk insert: a handful of statements, not one per row.
    assert statements.n < 40, statements.n
    # About 5 s on an idle machine (two uploads, a preview and a confirmation, each reading
    # and validating the whole file); the bound leaves room for a busy CI machine.
    assert elapsed < 60, f"the 50,000-row import took {elapsed:.1f} s"
