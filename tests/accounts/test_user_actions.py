"""The actions on one account: password reset, (de)activation, roles, unlock; and the page."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from appraisal.auth.models import LoginAttempt, Role, RoleGrant, UserSession
from appraisal.core.db import utcnow
from appraisal.extensions import db
from tests.accounts.helpers import as_admin, audit_of
from tests.conftest import PASSWORD

NEW = "the office chose this 1"


def _detail(client, user) -> str:
    response = client.get(f"/accounts/users/{user.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _follow(client, response) -> str:
    assert response.status_code == 302, response.status_code
    return client.get(response.headers["Location"]).get_data(as_text=True)


def _logged_in_client(app, username, password=PASSWORD):
    db.session.commit()
    other = app.test_client()
    assert other.post("/login", data={"username": username,
                                      "password": password}).status_code == 302
    return other


def _live_sessions(user) -> int:
    return len(db.session.scalars(select(UserSession).where(
        UserSession.user_id == user.id, UserSession.ended_at.is_(None))).all())


# -- the detail page -------------------------------------------------------------------

def test_detail_shows_facts_roles_attempts_and_sessions(app, client, make):
    as_admin(client, make)
    department = make.department("Cardiology", code="CAR")
    user = make.user("li", staff=make.staff(department, name="Li Wei", number="E-1"),
                     manages=(department,))
    _logged_in_client(app, "li")
    _logged_in_client(app, "li")
    for _ in range(25):
        db.session.add(LoginAttempt(user_id=user.id, username="li", succeeded=False,
                                    at=utcnow() - timedelta(days=1), ip_address="10.0.0.9"))
    db.session.commit()

    page = _detail(client, user)
    assert "Li Wei (E-1)" in page and "Cardiology" in page
    assert "<th scope=\"row\">Manager</th>" in page
    assert "Sessions open now</th><td>2</td>" in page
    assert page.count("10.0.0.9") == 18  # the latest 20 attempts: 2 successes, 18 failures
    assert "The latest 20 attempts, newest first." in page
    assert "Last login</th><td>never" not in page


def test_detail_empty_states(client, make):
    as_admin(client, make)
    user = make.user("blank")
    page = _detail(client, user)
    assert "No role granted." in page and "No login attempt yet." in page
    assert "Sessions open now</th><td>0</td>" in page


# -- password reset --------------------------------------------------------------------

def test_reset_password_ends_the_users_sessions(app, client, make):
    admin = as_admin(client, make)
    user = make.user("forgot")
    theirs = _logged_in_client(app, "forgot")

    response = client.post(f"/accounts/users/{user.id}/password",
                           data={"reset-new_password": NEW, "reset-confirm": NEW})
    assert "all their sessions were ended" in _follow(client, response)

    assert urlsplit(theirs.get("/").headers["Location"]).path == "/login"
    assert _live_sessions(user) == 0
    fresh = app.test_client()
    assert fresh.post("/login", data={"username": "forgot",
                                      "password": PASSWORD}).status_code == 200
    assert fresh.post("/login", data={"username": "forgot", "password": NEW}).status_code == 302
    entry = audit_of("user.password_set", user)[-1]
    assert entry.actor_id == admin.id and entry.new_values is None


@pytest.mark.parametrize("password, confirm, message", [
    ("short", "short", "Use at least 10 characters."),
    ("Weakling12", "Weakling12", "must differ from the username"),
    (NEW, "different confirmation", "The passwords differ."),
    ("", "", "This field is required."),
])
def test_reset_password_refusals(app, client, make, password, confirm, message):
    as_admin(client, make)
    user = make.user("weakling12")
    theirs = _logged_in_client(app, "weakling12")
    old_hash = user.password_hash
    response = client.post(f"/accounts/users/{user.id}/password",
                           data={"reset-new_password": password, "reset-confirm": confirm})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and message in page
    assert 'id="reset-' in page and "-error" in page
    db.session.expire_all()
    assert user.password_hash == old_hash
    assert theirs.get("/").status_code == 200


def test_resetting_ones_own_password_keeps_one_logged_in(app, client, make):
    admin = as_admin(client, make)
    elsewhere = _logged_in_client(app, "office")
    response = client.post(f"/accounts/users/{admin.id}/password",
                           data={"reset-new_password": NEW, "reset-confirm": NEW})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert elsewhere.get("/").status_code == 302


# -- deactivate / reactivate -----------------------------------------------------------

def test_deactivate_ends_sessions_and_blocks_login_then_reactivate(app, client, make):
    admin = as_admin(client, make)
    user = make.user("leaving")
    theirs = _logged_in_client(app, "leaving")

    page = _follow(client, client.post(f"/accounts/users/{user.id}/deactivate"))
    assert "leaving was deactivated" in page and "Reactivate the account" in page
    assert theirs.get("/").status_code == 302
    refused = app.test_client().post("/login", data={"username": "leaving",
                                                     "password": PASSWORD})
    assert refused.status_code == 200
    assert audit_of("user.deactivated", user)[0].actor_id == admin.id

    page = _follow(client, client.post(f"/accounts/users/{user.id}/reactivate"))
    assert "leaving was reactivated" in page
    assert _logged_in_client(app, "leaving").get("/").status_code == 200
    assert audit_of("user.reactivated", user)[0].new_values == {"active": True}


def test_an_admin_cannot_deactivate_themself(client, make):
    admin = as_admin(client, make)
    make.admin(username="second")  # even when other administrators exist
    page = _detail(client, admin)
    assert "You cannot deactivate your own account." in page
    assert "Deactivate the account" not in page

    page = _follow(client, client.post(f"/accounts/users/{admin.id}/deactivate"))
    assert "You cannot deactivate your own account. Ask another administrator." in page
    db.session.expire_all()
    assert admin.active and audit_of("user.deactivated") == []


def test_deactivating_twice_or_reactivating_an_active_account_is_refused(client, make):
    as_admin(client, make)
    user = make.user("steady")
    page = _follow(client, client.post(f"/accounts/users/{user.id}/reactivate"))
    assert "This account is already active." in page
    client.post(f"/accounts/users/{user.id}/deactivate")
    page = _follow(client, client.post(f"/accounts/users/{user.id}/deactivate"))
    assert "This account is already inactive." in page
    assert len(audit_of("user.deactivated", user)) == 1


# -- roles -----------------------------------------------------------------------------

def test_grant_admin_panel_and_manager_roles(client, make):
    admin = as_admin(client, make)
    department = make.department("Oncology", code="ONC")
    user = make.user("rising")
    db.session.commit()
    for data in ({"grant-role": "admin"}, {"grant-role": "panel_member"},
                 {"grant-role": "manager", "grant-department": str(department.id)}):
        response = client.post(f"/accounts/users/{user.id}/roles", data=data)
        assert response.status_code == 302
    page = _detail(client, user)
    for message in ("Role granted to rising: Administrator.",
                    "Role granted to rising: Panel member.",
                    "Role granted to rising: Manager of Oncology."):
        assert message in page
    db.session.expire_all()
    assert {(g.role, g.department_id) for g in user.grants} == {
        (Role.admin, None), (Role.panel_member, None), (Role.manager, department.id)}
    assert user.manages(department)
    entries = audit_of("role.granted", user)
    assert len(entries) == 3 and {e.actor_id for e in entries} == {admin.id}


def test_grant_manager_needs_a_department(client, make):
    as_admin(client, make)
    user = make.user("vague")
    response = client.post(f"/accounts/users/{user.id}/roles", data={"grant-role": "manager"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Choose the department this manager will manage." in page
    assert 'id="grant-department-error"' in page
    db.session.expire_all()
    assert user.grants == []


def test_a_role_cannot_be_granted_twice(client, make):
    as_admin(client, make)
    user = make.user("twice", roles=(Role.panel_member,))
    response = client.post(f"/accounts/users/{user.id}/roles",
                           data={"grant-role": "panel_member"})
    assert "twice already holds this role." in response.get_data(as_text=True)
    db.session.expire_all()
    assert len(user.grants) == 1


def test_grant_refuses_unknown_role_or_department(client, make):
    as_admin(client, make)
    user = make.user("odd")
    bad_role = client.post(f"/accounts/users/{user.id}/roles", data={"grant-role": "king"})
    bad_dept = client.post(f"/accounts/users/{user.id}/roles",
                           data={"grant-role": "manager", "grant-department": "9999"})
    assert bad_role.status_code == bad_dept.status_code == 200
    assert 'id="grant-role-error"' in bad_role.get_data(as_text=True)
    assert 'id="grant-department-error"' in bad_dept.get_data(as_text=True)
    db.session.expire_all()
    assert user.grants == []


def test_revoke_a_role(client, make):
    admin = as_admin(client, make)
    department = make.department("Surgery", code="SUR")
    user = make.user("stepping.down", manages=(department,))
    grant = user.grants[0]
    response = client.post(f"/accounts/users/{user.id}/roles/{grant.id}/revoke")
    assert "Role removed from stepping.down: Manager of Surgery." in _follow(client, response)
    db.session.expire_all()
    assert user.grants == []
    entry = audit_of("role.revoked", user)[0]
    assert entry.actor_id == admin.id
    assert entry.old_values == {"role": "manager", "department_id": department.id}


def test_revoking_another_users_grant_through_this_user_is_404(client, make):
    as_admin(client, make)
    user, other = make.user("one"), make.user("two", roles=(Role.panel_member,))
    grant = other.grants[0]
    db.session.commit()
    response = client.post(f"/accounts/users/{user.id}/roles/{grant.id}/revoke")
    assert response.status_code == 404
    assert db.session.get(RoleGrant, grant.id) is not None


def test_the_last_active_admin_cannot_remove_their_admin_role(client, make):
    admin = as_admin(client, make)
    make.admin(username="asleep").active = False  # an inactive admin does not count
    grant = admin.grants[0]
    page = _detail(client, admin)
    assert "Last active administrator: cannot be removed." in page

    response = client.post(f"/accounts/users/{admin.id}/roles/{grant.id}/revoke")
    assert "office is the last active administrator" in _follow(client, response)
    db.session.expire_all()
    assert admin.is_admin and audit_of("role.revoked") == []


def test_an_admin_may_give_up_the_role_when_another_remains(client, make):
    admin = as_admin(client, make)
    make.admin(username="successor")
    grant = admin.grants[0]
    response = client.post(f"/accounts/users/{admin.id}/roles/{grant.id}/revoke")
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/"  # the page is no longer theirs
    db.session.expire_all()
    assert not admin.is_admin
    assert client.get("/accounts/users").status_code == 403


# -- unlock ----------------------------------------------------------------------------

def test_unlock_lets_a_locked_user_log_in_again(app, client, make):
    app.config.update(LOGIN_MAX_FAILURES=3, LOGIN_FAILURE_WINDOW_MINUTES=15)
    admin = as_admin(client, make)
    user = make.user("locked.out")
    db.session.commit()
    theirs = app.test_client()
    for _ in range(3):
        theirs.post("/login", data={"username": "locked.out", "password": "wrong guess!"})
    assert "Locked" in _detail(client, user)
    assert theirs.post("/login", data={"username": "locked.out",
                                       "password": PASSWORD}).status_code == 200

    page = _follow(client, client.post(f"/accounts/users/{user.id}/unlock"))
    assert "locked.out can log in again: 4 failed attempts were forgiven." in page
    assert theirs.post("/login", data={"username": "locked.out",
                                       "password": PASSWORD}).status_code == 302
    entry = audit_of("user.unlocked", user)[0]
    assert entry.actor_id == admin.id and entry.new_values["failures_forgiven"] == 4
    # The attempts themselves stay on record.
    assert db.session.scalar(select(LoginAttempt.id).where(
        LoginAttempt.user_id == user.id, LoginAttempt.succeeded.is_(False)).limit(1))


def test_unlock_without_failures_changes_nothing(client, make):
    as_admin(client, make)
    user = make.user("fine")
    page = _follow(client, client.post(f"/accounts/users/{user.id}/unlock"))
    assert "fine has no failed logins to forgive." in page
    assert audit_of("user.unlocked") == []
