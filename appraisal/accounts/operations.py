"""Administrative account actions: each checks everything first, then changes, audits and
never commits (the request handler commits once).

A refused action raises ``AccountError`` before anything is changed, naming the form field
it concerns, so the page can show the message next to that field.
"""

from __future__ import annotations

from datetime import timedelta

from appraisal.accounts import queries, rules
from appraisal.auth import operations as auth_ops
from appraisal.auth.models import Role, RoleGrant, User
from appraisal.core import audit
from appraisal.core.db import utcnow
from appraisal.core.i18n import lazy_gettext as _l
from appraisal.org.models import Department, Staff


class AccountError(ValueError):
    """A refused account change, with the field it concerns (None: the whole action)."""

    def __init__(self, message, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def create_account(actor: User, *, username: str, password: str, display_name: str = "",
                   email: str = "", employee_number: str = "") -> User:
    """A new active account, optionally linked to a staff member by employee number."""
    if auth_ops.find_user(username):
        raise AccountError(_l("The username %(name)s is taken (usernames ignore case).",
                              name=auth_ops.normalise_username(username)), "username")
    staff = _staff_to_link(employee_number, None)
    _check_password(password, username, "password")
    return auth_ops.create_user(actor, username=username, password=password,
                                display_name=display_name.strip(), email=email.strip(),
                                staff_id=staff.id if staff else None)


def update_account(actor: User, user: User, *, display_name: str, email: str,
                   employee_number: str) -> dict:
    """Change the display name, e-mail and staff link; returns what changed."""
    staff = _staff_to_link(employee_number, user)
    old, new = audit.changes(user, {"display_name": display_name.strip(),
                                    "email": email.strip(),
                                    "staff_id": staff.id if staff else None})
    if new:
        audit.record(actor, "user.updated", user, old=old, new=new)
    return new


def _staff_to_link(employee_number: str, user: User | None) -> Staff | None:
    number = (employee_number or "").strip()
    if not number:
        return None
    staff = queries.staff_by_number(number)
    if staff is None:
        raise AccountError(_l("No staff member has the employee number %(number)s.",
                              number=number), "employee_number")
    holder = queries.account_of_staff(staff)
    if holder is not None and (user is None or holder.id != user.id):
        raise AccountError(_l("%(name)s (%(number)s) is already linked to the account "
                              "%(username)s. A staff member has one account only.",
                              name=staff.name, number=staff.employee_number,
                              username=holder.username), "employee_number")
    return staff


def _check_password(password: str, username: str, field: str) -> None:
    try:
        auth_ops.check_password_policy(password, username)
    except auth_ops.PasswordPolicyError as error:
        raise AccountError(error.message, field) from error


def reset_password(actor: User, user: User, password: str) -> None:
    """Set a new password chosen by an administrator; every session of the account ends."""
    _check_password(password, user.username, "new_password")
    auth_ops.set_password(actor, user, password)


def deactivate(actor: User, user: User) -> None:
    """The account can no longer log in; its sessions end now."""
    if actor.id == user.id:
        raise AccountError(_l("You cannot deactivate your own account. Ask another "
                              "administrator."))
    if not rules.can_deactivate(actor, user):
        raise AccountError(_l("This account is already inactive."))
    user.active = False
    auth_ops.end_all_sessions(user)
    audit.record(actor, "user.deactivated", user, old={"active": True}, new={"active": False})


def reactivate(actor: User, user: User) -> None:
    """The account may log in again (with a new session)."""
    if not rules.can_reactivate(actor, user):
        raise AccountError(_l("This account is already active."))
    user.active = True
    auth_ops.end_all_sessions(user)
    audit.record(actor, "user.reactivated", user, old={"active": False}, new={"active": True})


def grant(actor: User, user: User, role: Role, department: Department | None) -> RoleGrant:
    """Give ``user`` a role; a manager grant names the department managed."""
    if role is Role.manager and department is None:
        raise AccountError(_l("Choose the department this manager will manage."), "department")
    department_id = department.id if role is Role.manager else None
    if rules.holds(user, role, department_id):
        raise AccountError(_l("%(username)s already holds this role.",
                              username=user.username), "role")
    return auth_ops.grant_role(actor, user, role, department_id)


def revoke(actor: User, grant_: RoleGrant) -> None:
    """Take a role back, never the last active administrator's admin role."""
    if not rules.can_revoke(actor, grant_, queries.active_admin_count()):
        raise AccountError(_l("%(username)s is the last active administrator: grant the "
                              "administrator role to someone else first.",
                              username=grant_.user.username))
    auth_ops.revoke_role(actor, grant_)


def unlock(actor: User, user: User, *, window: timedelta) -> int:
    """End a lockout: the failures counted so far are forgiven; returns how many."""
    if auth_ops.recent_failures(user, window, utcnow()) == 0:
        raise AccountError(_l("%(username)s has no failed logins to forgive.",
                              username=user.username))
    return auth_ops.clear_lockout(actor, user, window=window)
