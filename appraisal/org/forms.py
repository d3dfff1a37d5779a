"""Forms of the organisation pages."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DateField, HiddenField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from appraisal.core.choices import enum_choices, status_choices
from appraisal.core.i18n import lazy_gettext as _l
from appraisal.org.models import DepartmentKind, StaffGroup

CODE_RULE = Regexp(r"^\S+$", message=_l("A code is one word, without spaces."))


class DepartmentForm(FlaskForm):
    """Create a department."""

    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=40), CODE_RULE])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(_l("Kind"), choices=lambda: enum_choices(DepartmentKind),
                       default=DepartmentKind.department.value)
    parent = SelectField(_l("Parent"), choices=[], validate_choice=False)


class DepartmentEditForm(FlaskForm):
    """Rename a department, or change its code or kind."""

    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=40), CODE_RULE])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(_l("Kind"), choices=lambda: enum_choices(DepartmentKind))


class DepartmentMoveForm(FlaskForm):
    """Move a department (and everything below it) under another parent."""

    parent = SelectField(_l("New parent"), choices=[], validate_choice=False)


class ActionForm(FlaskForm):
    """A button that changes state: only the CSRF token."""


class StaffForm(FlaskForm):
    """Create or edit a staff member."""

    employee_number = StringField(_l("Employee number"),
                                  validators=[DataRequired(), Length(max=40)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    staff_group = SelectField(_l("Staff group"), choices=lambda: enum_choices(StaffGroup))
    title = StringField(_l("Title"), validators=[Optional(), Length(max=120)])
    department = SelectField(_l("Department"), choices=[], validate_choice=False)
    hire_date = DateField(_l("Hire date"), validators=[Optional()],
                          format="%Y-%m-%d")
    active = BooleanField(_l("Active (currently employed)"), default=True)


class StaffFilterForm(FlaskForm):
    """The staff list's search and filters. A GET form: no CSRF token in the URL."""

    class Meta:
        csrf = False

    q = StringField(_l("Name or employee number"), validators=[Optional(), Length(max=100)])
    department = SelectField(_l("Department"), choices=[], validate_choice=False)
    group = SelectField(_l("Staff group"), validate_choice=False)
    active = SelectField(_l("Status"), validate_choice=False, default="1",
                         choices=status_choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.group.choices = enum_choices(StaffGroup, _l("All groups"))


class ImportForm(FlaskForm):
    """Upload a CSV file for a preview."""

    file = FileField(_l("CSV file"), validators=[FileRequired(_l("Choose a CSV file."))])


class ConfirmImportForm(FlaskForm):
    """Confirm a previewed import; ``digest`` ties the confirmation to what was shown."""

    digest = HiddenField(validators=[DataRequired()])
