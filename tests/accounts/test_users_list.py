"""The user list: search, filters, pagination, and a fixed number of statements."""

from __future__ import annotations

import re

import pytest

from appraisal.auth.models import Role, RoleGrant, User
from appraisal.auth.passwords import hash_password
from appraisal.extensions import db
from tests.accounts.helpers import as_admin, count_statements


def _usernames(response) -> list[str]:
    return re.findall(r'<th scope="row"><a href="/accounts/users/\d+">([^<]+)</a>',
                      response.get_data(as_text=True))


@pytest.fixture
def people(make):
    """A small hospital's accounts (the admin "office" logs in separately)."""
    cardio = make.department("Cardiology", code="CAR")
    ortho = make.department("Orthopaedics", code="ORT")
    chen = make.user("chen", staff=make.staff(cardio, name="Chen Jing", number="E-100"))
    boss = make.user("boss.ortho", manages=(ortho,))
    panel = make.user("expert", roles=(Role.panel_member,))
    retired = make.user("retired")
    retired.display_name = "Wang Retired"
    retired.active = False
    return {"chen": chen, "boss": boss, "panel": panel, "retired": retired}


def test_the_list_shows_every_account_with_its_roles(client, make, people):
    as_admin(client, make)
    response = client.get("/accounts/users")
    assert response.status_code == 200
    assert _usernames(response) == ["boss.ortho", "chen", "expert", "office", "retired"]
    page = response.get_data(as_text=True)
    assert "Manager of Orthopaedics" in page
    assert "Panel member" in page and "Clinician" in page and "Administrator" in page
    assert "E-100 · Cardiology" in page
    assert "Inactive" in page


@pytest.mark.parametrize("query, expected", [
    ("q=CHEN", ["chen"]),  # username, any case
    ("q=jing", ["chen"]),  # the linked staff member's name
    ("q=E-100", ["chen"]),  # employee number
    ("q=wang+retired", ["retired"]),  # display name
    ("q=zzz", []),
    ("q=%25", []),  # a LIKE wildcard is searched for literally
    ("role=admin", ["office"]),
    ("role=manager", ["boss.ortho"]),
    ("role=panel_member", ["expert"]),
    ("role=clinician", ["chen"]),
    ("role=none", ["retired"]),
    ("status=inactive", ["retired"]),
    ("status=active", ["boss.ortho", "chen", "expert", "office"]),
    ("role=manager&status=inactive", []),
    ("role=bogus&status=whatever", ["boss.ortho", "chen", "expert", "office", "retired"]),
])
def test_search_and_filters(client, make, people, query, expected):
    as_admin(client, make)
    response = client.get(f"/accounts/users?{query}")
    assert response.status_code == 200
    assert _usernames(response) == expected
    if not expected:
        assert "No user matches these filters." in response.get_data(as_text=True)


def test_filters_are_kept_in_the_form_and_the_pager(app, client, make):
    app.config["PAGE_SIZE"] = 2
    as_admin(client, make)
    for n in range(5):
        make.user(f"nurse{n}")
    db.session.commit()
    response = client.get("/accounts/users?q=nurse&page=2")
    page = response.get_data(as_text=True)
    assert _usernames(response) == ["nurse2", "nurse3"]
    assert 'value="nurse"' in page
    assert "3–4 of 5" in page
    assert "q=nurse" in re.search(r'href="([^"]+)" rel="next"', page).group(1)


def _add_users(make, count, department, start):
    # Every account has a staff link (with its department), a manager grant (with its
    # department) and a second role: everything the list shows. One shared hash keeps it fast.
    shared_hash = hash_password("bulk password 123")
    for i in range(start, start + count):
        user = User(username=f"bulk{i:03d}", password_hash=shared_hash,
                    staff=make.staff(department))
        user.grants += [RoleGrant(role=Role.manager, department=department),
                        RoleGrant(role=Role.panel_member)]
        db.session.add(user)
    db.session.commit()


def test_the_list_costs_the_same_number_of_statements_for_5_and_100_users(app, make):
    department = make.department("Medicine", code="MED")
    client = app.test_client()
    as_admin(client, make)
    counts = {}
    for total, added, start in ((5, 4, 0), (100, 95, 4)):
        _add_users(make, added, department, start)
        client.get("/accounts/users")  # the session row is touched at most once a minute
        with count_statements() as statements:
            response = client.get("/accounts/users")
        assert response.status_code == 200
        assert len(_usernames(response)) == min(total, app.config["PAGE_SIZE"])
        counts[total] = len(statements)
    assert counts[5] == counts[100], counts
