"""Creating and editing accounts: every rule has a clear message and loses nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from appraisal.auth.models import User
from appraisal.extensions import db
from tests.accounts.helpers import as_admin, audit_of
from tests.conftest import PASSWORD

GOOD = "a good long password"


def _form(**overrides):
    data = {"username": "Li.Wei", "display_name": "Dr Li Wei", "email": "li.wei@hospital.org",
            "employee_number": "", "password": GOOD, "confirm": GOOD}
    data.update(overrides)
    return data


def _users() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def test_create_a_user_linked_to_a_staff_member(client, make):
    admin = as_admin(client, make)
    staff = make.staff(name="Li Wei", number="E-42")
    db.session.commit()
    response = client.post("/accounts/users/new", data=_form(employee_number=" E-42 "))
    assert response.status_code == 302

    user = db.session.scalars(select(User).where(User.username == "li.wei")).one()
    assert response.headers["Location"].endswith(f"/accounts/users/{user.id}")
    assert (user.display_name, user.email, user.staff_id, user.active) == (
        "Dr Li Wei", "li.wei@hospital.org", staff.id, True)
    entry = audit_of("user.created", user)[0]
    assert entry.actor_id == admin.id and entry.new_values["staff_id"] == staff.id
    detail = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "was created" in detail and "Li Wei (E-42)" in detail
    # The new account logs in with its initial password, whatever the case typed.
    other = client.application.test_client()
    assert other.post("/login", data={"username": "LI.WEI", "password": GOOD}).status_code == 302


def test_create_a_user_without_a_staff_link(client, make):
    as_admin(client, make)
    response = client.post("/accounts/users/new", data=_form(username="office2",
                                                             display_name="", email=""))
    assert response.status_code == 302
    user = db.session.scalars(select(User).where(User.username == "office2")).one()
    assert user.staff_id is None and user.name == "office2"


@pytest.mark.parametrize("overrides, field, message", [
    ({"username": "OFFICE"}, "username", "The username office is taken"),
    ({"username": ""}, "username", "This field is required."),
    ({"username": "li wei"}, "username", "no spaces"),
    ({"password": "short", "confirm": "short"}, "password", "Use at least 10 characters."),
    ({"username": "longusername1", "password": "LongUsername1", "confirm": "LongUsername1"},
     "password", "must differ from the username"),
    ({"confirm": "something else"}, "confirm", "The passwords differ."),
    ({"email": "not-an-address"}, "email", "Enter an e-mail address"),
    ({"employee_number": "E-404"}, "employee_number",
     "No staff member has the employee number E-404."),
])
def test_create_refusals_name_the_field_and_keep_the_input(client, make, overrides, field,
                                                           message):
    as_admin(client, make)
    before = _users()
    response = client.post("/accounts/users/new", data=_form(**overrides))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'id="{field}-error"' in page
    assert message in page
    assert _users() == before
    assert 'value="Dr Li Wei"' in page  # nothing typed is lost (passwords excepted)


def test_a_staff_member_has_one_account_only(client, make):
    as_admin(client, make)
    staff = make.staff(name="Zhang Min", number="E-7")
    make.user("zhang", staff=staff)
    db.session.commit()
    response = client.post("/accounts/users/new", data=_form(employee_number="E-7"))
    page = response.get_data(as_text=True)
    assert "Zhang Min (E-7) is already linked to the account zhang" in page
    assert db.session.scalars(select(User).where(User.username == "li.wei")).first() is None


def test_the_create_page_renders_empty(client, make):
    as_admin(client, make)
    page = client.get("/accounts/users/new").get_data(as_text=True)
    for name in ("username", "display_name", "email", "employee_number", "password", "confirm"):
        assert f'for="{name}"' in page  # every input has its label


def test_edit_details_and_staff_link(client, make):
    admin = as_admin(client, make)
    user = make.user("editee")
    staff = make.staff(name="Sun Li", number="E-9")
    db.session.commit()
    form = client.get(f"/accounts/users/{user.id}/edit").get_data(as_text=True)
    assert 'id="employee_number"' in form

    response = client.post(f"/accounts/users/{user.id}/edit", data={
        "display_name": "Sun L.", "email": "sun@hospital.org", "employee_number": "E-9"})
    assert response.status_code == 302
    db.session.expire_all()
    assert (user.display_name, user.email, user.staff_id) == ("Sun L.", "sun@hospital.org",
                                                              staff.id)
    entry = audit_of("user.updated", user)[-1]
    assert entry.actor_id == admin.id
    assert entry.old_values == {"display_name": "", "email": "", "staff_id": None}

    # Saving the same values again changes (and logs) nothing; unlinking is a change.
    client.post(f"/accounts/users/{user.id}/edit", data={
        "display_name": "Sun L.", "email": "sun@hospital.org", "employee_number": "E-9"})
    assert len(audit_of("user.updated", user)) == 1
    client.post(f"/accounts/users/{user.id}/edit", data={
        "display_name": "Sun L.", "email": "sun@hospital.org", "employee_number": ""})
    db.session.expire_all()
    assert user.staff_id is None
    assert audit_of("user.updated", user)[-1].new_values == {"staff_id": None}


@pytest.mark.parametrize("number, message", [
    ("E-404", "No staff member has the employee number E-404."),
    ("E-TAKEN", "is already linked to the account holder"),
])
def test_edit_refuses_an_unknown_or_taken_staff_member(client, make, number, message):
    as_admin(client, make)
    user = make.user("editee")
    make.user("holder", staff=make.staff(number="E-TAKEN"))
    db.session.commit()
    response = client.post(f"/accounts/users/{user.id}/edit", data={
        "display_name": "Kept", "email": "", "employee_number": number})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and message in page
    assert 'value="Kept"' in page
    db.session.expire_all()
    assert user.staff_id is None and user.display_name == ""


def test_keeping_ones_own_staff_link_is_not_a_conflict(client, make):
    as_admin(client, make)
    user = make.user("linked", staff=make.staff(number="E-1"))
    db.session.commit()
    response = client.post(f"/accounts/users/{user.id}/edit", data={
        "display_name": "New name", "email": "", "employee_number": "E-1"})
    assert response.status_code == 302


def test_unknown_user_is_404(client, make):
    as_admin(client, make)
    assert client.get("/accounts/users/9999").status_code == 404
    assert client.post("/accounts/users/9999/deactivate").status_code == 404


def test_password_is_not_echoed_back(client, make):
    as_admin(client, make)
    page = client.post("/accounts/users/new", data=_form(username="")).get_data(as_text=True)
    assert GOOD not in page and PASSWORD not in page
