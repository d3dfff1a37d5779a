"""Forms of the measurement import and API token pages."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from appraisal.core.choices import with_blank
from appraisal.core.i18n import lazy_gettext as _l
from appraisal.measurements.importing import BATCH_KEY_MAX


def cycle_choices(cycles, blank_label=None) -> list[SelectChoice]:
    """Cycles as select options, each with its state (only open ones accept data)."""
    return with_blank(blank_label, (SelectChoice(str(cycle.id), f"{cycle.name} "
                                                 f"({cycle.state.label})") for cycle in cycles))


class UploadForm(FlaskForm):
    """Upload a measurement CSV into a cycle under a batch key."""

    cycle = SelectField(_l("Cycle"), choices=[], validators=[DataRequired(
        _l("Choose a cycle."))])
    batch_key = StringField(_l("Batch key"), validators=[
        DataRequired(_l("A batch key is required, e.g. HIS-discharges-2026Q3.")),
        Length(max=BATCH_KEY_MAX)])
    file = FileField(_l("CSV file"), validators=[FileRequired(_l("Choose a CSV file."))])


class ConfirmUploadForm(FlaskForm):
    """Confirm a previewed upload; ``replaces`` ties it to the batch the preview showed."""

    replaces = HiddenField()


class BatchFilterForm(FlaskForm):
    """The batch list's cycle filter. A GET form: no CSRF token in the URL."""

    class Meta:
        csrf = False

    cycle = SelectField(_l("Cycle"), choices=[], validate_choice=False)


class TokenForm(FlaskForm):
    """Issue an API token to another hospital system."""

    name = StringField(_l("Name of the system using it"), validators=[
        DataRequired(_l("Give the token a name, e.g. HIS nightly export.")), Length(max=120)])


class ActionForm(FlaskForm):
    """A button that changes state: only the CSRF token."""
