"""The audit-log page: filters, pagination, readable changes, actor names in one query."""

from __future__ import annotations

from datetime import UTC, datetime

import flask_babel
import pytest

from appraisal.core import audit
from appraisal.extensions import db
from tests.helpers import count_statements


def entry(actor, action, object_type="Thing", object_id=1, at=None, old=None, new=None,
          request_id=None):
    row = audit.record(actor, action, object_type=object_type, object_id=object_id,
                       old=old, new=new)
    if at is not None:
        row.at = at
    row.request_id = request_id
    return row


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def admin(make, auth):
    user = make.admin(username="office")
    auth.login(user)
    return user


def test_entries_are_newest_first_with_a_per_field_table(client, admin, make):
    entry(admin, "scheme.updated", "Scheme", 7, at=utc(2024, 1, 1),
          old={"weight": 20, "name": "Old name"}, new={"weight": 30, "name": "New name"})
    entry(admin, "cycle.opened", "Cycle", 3, at=utc(2024, 2, 1))
    db.session.commit()

    html = client.get("/admin/audit/").get_data(as_text=True)

    assert html.index("cycle.opened") < html.index("scheme.updated")
    assert "<th scope=\"row\">weight</th>" in html
    # old -> new, side by side in the row of the field
    row = html[html.index('<th scope="row">weight</th>'):]
    assert row.index("20") < row.index("30") < row.index("</tr>")
    assert "Old name" in html and "New name" in html
    assert "No values recorded" in html  # the cycle entry has none


def test_actor_name_comes_from_the_linked_staff_member(client, admin, make):
    clinician = make.clinician(username="dr_li")
    clinician.staff.name = "Li Wei"
    entry(clinician, "review.submitted")
    entry(None, "system.job")
    db.session.commit()

    html = client.get("/admin/audit/").get_data(as_text=True)

    assert "Li Wei" in html and "dr_li" in html
    assert "system" in html


@pytest.mark.parametrize("query, expected, absent", [
    ({"actor": "DR_A"}, ["alpha.one"], ["beta.two", "gamma"]),
    ({"action": "beta."}, ["beta.two"], ["alpha.one", "gamma"]),
    ({"action": "%"}, [], ["alpha.one", "beta.two", "gamma"]),  # wildcards are literal
    ({"object_type": "Grade"}, ["beta.two", "gamma"], ["alpha.one"]),
    ({"object_type": "Grade", "object_id": "5"}, ["gamma"], ["alpha.one", "beta.two"]),
    ({"request_id": "req-42"}, ["beta.two"], ["alpha.one", "gamma"]),
])
def test_filters(client, admin, make, query, expected, absent):
    doctor_a = make.user(username="dr_a")
    doctor_b = make.user(username="dr_b")
    entry(doctor_a, "alpha.one", "Staff", 1)
    entry(doctor_b, "beta.two", "Grade", 4, request_id="req-42")
    entry(doctor_b, "gamma", "Grade", 5)
    db.session.commit()

    html = client.get("/admin/audit/", query_string=query).get_data(as_text=True)

    for action in expected:
        assert f">{action}</a>" in html
    for action in absent:
        assert f">{action}</a>" not in html
    if not expected:
        assert "No entries match these filters." in html


def test_date_range_is_read_in_the_users_time_zone(app, client, admin, monkeypatch):
    monkeypatch.setattr(app.extensions["babel"], "default_timezone", "Asia/Shanghai")
    flask_babel.refresh()  # the test's app context outlives requests: drop the cached zone
    # 17:30 UTC on 1 May is 01:30 on 2 May in Shanghai.
    entry(admin, "late.evening", at=utc(2024, 5, 1, 17, 30))
    entry(admin, "early.morning", at=utc(2024, 5, 1, 2, 0))  # 10:00 on 1 May in Shanghai
    db.session.commit()

    may_2 = client.get("/admin/audit/?date_from=2024-05-02&date_to=2024-05-02").get_data(
        as_text=True)
    may_1 = client.get("/admin/audit/?date_from=2024-05-01&date_to=2024-05-01").get_data(
        as_text=True)

    assert ">late.evening</a>" in may_2 and ">early.morning</a>" not in may_2
    assert ">early.morning</a>" in may_1 and ">late.evening</a>" not in may_1
    assert "2024-05-02 01:30:00" in may_2  # shown in the user's zone too
    assert "Asia/Shanghai" in may_2


def test_a_bad_date_names_the_field_and_keeps_the_other_filters(client, admin):
    html = client.get("/admin/audit/?date_from=31/12/2024&actor=someone").get_data(as_text=True)

    assert "Enter a date as YYYY-MM-DD." in html
    assert 'id="date_from-error"' in html
    assert 'value="someone"' in html
    assert "Correct the filters marked above" in html


def test_an_end_before_the_start_is_refused(client, admin):
    html = client.get("/admin/audit/?date_from=2024-05-02&date_to=2024-05-01").get_data(
        as_text=True)

    assert "The end date is before the start date." in html


def test_pagination(app, client, admin):
    app.config["PAGE_SIZE"] = 5
    for n in range(12):
        entry(admin, f"act.n{n:02d}", at=utc(2024, 1, 1, 0, n))
    db.session.commit()

    first = client.get("/admin/audit/?action=act.").get_data(as_text=True)
    last = client.get("/admin/audit/?action=act.&page=3").get_data(as_text=True)

    assert "Page 1 of 3" in first and ">act.n11</a>" in first and ">act.n06</a>" not in first
    assert "Page 3 of 3" in last and ">act.n01</a>" in last and ">act.n00</a>" in last
    assert ">act.n02</a>" not in last
    assert "action=act." in first  # the pager keeps the filter


def _statements_for_page(client, admin, make, rows: int) -> int:
    for n in range(rows):
        actor = make.clinician(username=f"c{rows}_{n}")
        entry(actor, "thing.changed", old={"a": n}, new={"a": n + 1})
    db.session.commit()
    with count_statements() as statements:
        assert client.get("/admin/audit/").status_code == 200
    return len(statements)


def test_the_number_of_queries_does_not_grow_with_the_rows(app, client, admin, make):
    small = _statements_for_page(client, admin, make, 2)
    large = _statements_for_page(client, admin, make, 30)

    assert large == small


def test_only_admins(client, make, auth):
    manager = make.user(username="boss", manages=[make.department()])
    auth.login(manager)

    assert client.get("/admin/audit/").status_code == 403
    assert client.get("/admin/audit/export.csv").status_code == 403
