"""Forms of the account pages (every posting form carries a CSRF token)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional, Regexp

from appraisal.auth.models import ROLE_LABELS, Role
from appraisal.core.i18n import lazy_gettext as _l

USERNAME_PATTERN = r"^[A-Za-z0-9._@-]+$"
# Deliberately loose: the address is only used to write to the person, not to log in.
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


class UserFilterForm(FlaskForm):
    """The search and filters above the user list (a GET form: no token needed)."""

    class Meta:
        csrf = False

    q = StringField(_l("Search"), validators=[Optional(), Length(max=100)])
    role = SelectField(_l("Role"), validators=[Optional()], choices=[
        SelectChoice("", _l("Any role")),
        SelectChoice("admin", _l("Administrator")),
        SelectChoice("manager", _l("Manager")),
        SelectChoice("panel_member", _l("Panel member")),
        SelectChoice("clinician", _l("Clinician")),
        SelectChoice("none", _l("No role")),
    ])
    status = SelectField(_l("Status"), validators=[Optional()], choices=[
        SelectChoice("", _l("Active and inactive")),
        SelectChoice("active", _l("Active")),
        SelectChoice("inactive", _l("Inactive")),
    ])


class AccountDetailsFields(FlaskForm):
    """What an administrator may edit on any account."""

    display_name = StringField(_l("Display name"), validators=[Optional(), Length(max=200)])
    email = StringField(_l("E-mail"), validators=[
        Optional(), Length(max=200),
        Regexp(EMAIL_PATTERN, message=_l("Enter an e-mail address such as name@hospital.org."))])
    employee_number = StringField(_l("Linked staff member (employee number)"),
                                  validators=[Optional(), Length(max=40)])


class CreateUserForm(AccountDetailsFields):
    username = StringField(_l("Username"), validators=[
        DataRequired(), Length(min=2, max=80),
        Regexp(USERNAME_PATTERN, message=_l(
            "Use letters, digits and . _ @ - only (no spaces)."))])
    password = PasswordField(_l("Initial password"), validators=[DataRequired(), Length(max=200)])
    confirm = PasswordField(_l("Repeat the password"), validators=[
        DataRequired(), EqualTo("password", message=_l("The passwords differ."))])


class EditUserForm(AccountDetailsFields):
    pass


class ResetPasswordForm(FlaskForm):
    new_password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=200)])
    confirm = PasswordField(_l("Repeat the new password"), validators=[
        DataRequired(), EqualTo("new_password", message=_l("The passwords differ."))])


class GrantRoleForm(FlaskForm):
    role = SelectField(_l("Role"), validators=[DataRequired()], choices=[
        SelectChoice(role.value, ROLE_LABELS[role]) for role in Role])
    department = SelectField(_l("Department (for a manager)"), validators=[Optional()],
                             choices=[])

    def set_departments(self, departments) -> None:
        self.department.choices = [SelectChoice("", _l("Choose a department"))] + [
            SelectChoice(str(d.id), "\u2003" * max(d.depth, 0) + d.name) for d in departments]


class ConfirmForm(FlaskForm):
    """A button-only form: it carries the CSRF token and nothing else."""
