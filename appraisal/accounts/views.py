"""Account administration pages (administrators only; every action is a POST)."""

from __future__ import annotations

from datetime import timedelta

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from appraisal.accounts import operations, queries, rules
from appraisal.accounts.forms import (
    CreateUserForm,
    EditUserForm,
    GrantRoleForm,
    ResetPasswordForm,
    UserFilterForm,
)
from appraisal.accounts.operations import AccountError
from appraisal.auth import operations as auth_ops
from appraisal.auth.loader import session_limits
from appraisal.auth.models import Role, RoleGrant, User
from appraisal.auth.views import client_ip
from appraisal.core.db import utcnow
from appraisal.core.handlers import RH, get_or_404
from appraisal.core.pagination import paginate
from appraisal.org.models import Department


def lockout_policy() -> tuple[int, timedelta]:
    """(failures that lock an account, the window they are counted in)."""
    config = current_app.config
    return (config["LOGIN_MAX_FAILURES"],
            timedelta(minutes=config["LOGIN_FAILURE_WINDOW_MINUTES"]))


def show_error(form, error: AccountError) -> None:
    """Put a refusal next to its field, or at the top of the page."""
    field = getattr(form, error.field, None) if (form and error.field) else None
    if field is not None:
        field.errors = [*field.errors, str(error.message)]
    else:
        flash(str(error.message), "error")


class RHAccountsAdmin(RH):
    """Base of the account pages: administrators only."""

    def can_access(self) -> bool:
        return rules.can_administer_accounts(self.user)


class RHUsers(RHAccountsAdmin):
    """The user list: search, filter by role and status, paginated."""

    def process(self):
        form = UserFilterForm(formdata=request.args)
        query = queries.users_query(form.q.data or "", form.role.data or "",
                                    form.status.data or "")
        page = paginate(query)
        filtered = bool(form.q.data or form.role.data or form.status.data)
        return render_template("accounts/users.html", form=form, page=page, filtered=filtered)


class RHUserCreate(RHAccountsAdmin):
    """Create an account, optionally linked to a staff member."""

    methods = ["GET", "POST"]

    def process(self):
        form = CreateUserForm()
        if form.validate_on_submit():
            try:
                user = operations.create_account(
                    self.user, username=form.username.data, password=form.password.data,
                    display_name=form.display_name.data or "", email=form.email.data or "",
                    employee_number=form.employee_number.data or "")
            except AccountError as error:
                show_error(form, error)
            else:
                flash(_("The account %(username)s was created. Give the person their initial "
                        "password in person or by phone, not by e-mail.",
                        username=user.username), "success")
                return redirect(url_for("accounts.user_detail", user_id=user.id))
        return render_template("accounts/user_form.html", form=form, user=None)


class RHUserBase(RHAccountsAdmin):
    """A page or action about one account."""

    def load(self, user_id: int) -> None:
        self.target = get_or_404(User, user_id)

    def back(self):
        return redirect(url_for("accounts.user_detail", user_id=self.target.id))

    def render_detail(self, **forms):
        max_failures, window = lockout_policy()
        idle, absolute = session_limits()
        now = utcnow()
        failures = auth_ops.recent_failures(self.target, window, now)
        grant_form = forms.get("grant_form") or GrantRoleForm(prefix="grant")
        grant_form.set_departments(queries.department_choices())
        return render_template(
            "accounts/user_detail.html", user=self.target,
            grants=sorted(self.target.grants, key=_grant_order),
            attempts=queries.recent_attempts(self.target),
            live_sessions=auth_ops.live_session_count(self.target, idle=idle,
                                                      absolute=absolute, now=now),
            failures=failures, locked=failures >= max_failures, max_failures=max_failures,
            window_minutes=int(window.total_seconds() // 60),
            active_admins=queries.active_admin_count(),
            can_deactivate=rules.can_deactivate(self.user, self.target),
            reset_form=forms.get("reset_form") or ResetPasswordForm(prefix="reset"),
            grant_form=grant_form,
        )


def _grant_order(grant: RoleGrant):
    return (list(Role).index(grant.role), grant.department.name if grant.department else "")


class RHUserDetail(RHUserBase):
    """One account: facts, roles, recent logins, sessions, and the actions on it."""

    def process(self):
        return self.render_detail()


class RHUserEdit(RHUserBase):
    """Edit the display name, e-mail and staff link."""

    methods = ["GET", "POST"]

    def process(self):
        staff = self.target.staff
        form = EditUserForm(data={
            "display_name": self.target.display_name, "email": self.target.email,
            "employee_number": staff.employee_number if staff else ""})
        if form.validate_on_submit():
            try:
                changed = operations.update_account(
                    self.user, self.target, display_name=form.display_name.data or "",
                    email=form.email.data or "",
                    employee_number=form.employee_number.data or "")
            except AccountError as error:
                show_error(form, error)
            else:
                flash(_("The account was saved.") if changed else _("Nothing was changed."),
                      "success" if changed else "info")
                return self.back()
        return render_template("accounts/user_form.html", form=form, user=self.target)


class RHUserResetPassword(RHUserBase):
    """An administrator sets a new password; all the account's sessions end."""

    methods = ["POST"]

    def process(self):
        form = ResetPasswordForm(prefix="reset")
        if form.validate_on_submit():
            try:
                operations.reset_password(self.user, self.target, form.new_password.data)
            except AccountError as error:
                show_error(form, error)
            else:
                if self.target.id == self.user.id:
                    # One's own reset ends one's own session too: carry on in a new one.
                    row = auth_ops.start_session(self.user, client_ip(),
                                                 request.user_agent.string)
                    session["sid"] = row.id
                flash(_("The password of %(username)s was changed and all their sessions "
                        "were ended.", username=self.target.username), "success")
                return self.back()
        return self.render_detail(reset_form=form)


class RHUserDeactivate(RHUserBase):
    """The account can no longer log in."""

    methods = ["POST"]

    def process(self):
        try:
            operations.deactivate(self.user, self.target)
        except AccountError as error:
            show_error(None, error)
        else:
            flash(_("%(username)s was deactivated and logged out everywhere.",
                    username=self.target.username), "success")
        return self.back()


class RHUserReactivate(RHUserBase):
    """The account may log in again."""

    methods = ["POST"]

    def process(self):
        try:
            operations.reactivate(self.user, self.target)
        except AccountError as error:
            show_error(None, error)
        else:
            flash(_("%(username)s was reactivated and can log in again.",
                    username=self.target.username), "success")
        return self.back()


class RHUserUnlock(RHUserBase):
    """End a lockout by forgiving the failed logins counted so far."""

    methods = ["POST"]

    def process(self):
        try:
            forgiven = operations.unlock(self.user, self.target, window=lockout_policy()[1])
        except AccountError as error:
            show_error(None, error)
        else:
            flash(_("%(username)s can log in again: %(n)s failed attempts were forgiven.",
                    username=self.target.username, n=forgiven), "success")
        return self.back()


class RHUserGrantRole(RHUserBase):
    """Give the account a role (a manager role names its department)."""

    methods = ["POST"]

    def process(self):
        form = GrantRoleForm(prefix="grant")
        form.set_departments(queries.department_choices())
        if form.validate_on_submit():
            role = Role(form.role.data)
            department = (get_or_404(Department, int(form.department.data))
                          if form.department.data else None)
            try:
                operations.grant(self.user, self.target, role, department)
            except AccountError as error:
                show_error(form, error)
            else:
                flash(_("Role granted to %(username)s: %(role)s.",
                        username=self.target.username, role=_role_text(role, department)),
                      "success")
                return self.back()
        return self.render_detail(grant_form=form)


def _role_text(role: Role, department: Department | None) -> str:
    if role is Role.manager and department is not None:
        return _("Manager of %(department)s", department=department.name)
    return role.label


class RHUserRevokeRole(RHUserBase):
    """Take a role back (never the last active administrator's)."""

    methods = ["POST"]

    def load(self, user_id: int, grant_id: int) -> None:
        super().load(user_id)
        self.grant = get_or_404(RoleGrant, grant_id)
        if self.grant.user_id != self.target.id:
            abort(404)

    def process(self):
        role, department = self.grant.role, self.grant.department
        try:
            operations.revoke(self.user, self.grant)
        except AccountError as error:
            show_error(None, error)
            return self.back()
        flash(_("Role removed from %(username)s: %(role)s.", username=self.target.username,
                role=_role_text(role, department)), "success")
        if self.target.id == self.user.id and role is Role.admin:
            # They have just given up the right to see this page.
            return redirect(url_for("home.index"))
        return self.back()
