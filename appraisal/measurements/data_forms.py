"""Forms of the data pages: disputes, exemptions and the data-quality overview."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length, Optional

from appraisal.core.i18n import lazy_gettext as _l
from appraisal.measurements.disputes import DISPUTE_STATE_LABELS
from appraisal.measurements.exemptions import EXEMPTION_STATE_LABELS

ALL = "all"
REASON_RULES = [DataRequired(), Length(max=2000)]


def cycle_choices(cycles, blank_label=None) -> list[SelectChoice]:
    choices = [SelectChoice("", blank_label)] if blank_label is not None else []
    return choices + [SelectChoice(str(c.id), f"{c.name} ({c.state.label})") for c in cycles]


def blank_and(blank_label, pairs) -> list[SelectChoice]:
    """A "choose one" option followed by (value, label) pairs."""
    return [SelectChoice("", blank_label)] + [SelectChoice(str(v), label) for v, label in pairs]


class CycleForm(FlaskForm):
    """Pick a cycle. A GET form: no CSRF token in the URL."""

    class Meta:
        csrf = False

    cycle = SelectField(_l("Cycle"), choices=[], validate_choice=False)


class DisputeForm(FlaskForm):
    """Flag a measurement as wrong."""

    reason = TextAreaField(_l("What is wrong with this measurement?"), validators=REASON_RULES)


class DisputeFilterForm(FlaskForm):
    """The dispute queue's filters (GET)."""

    class Meta:
        csrf = False

    state = SelectField(_l("State"), validate_choice=False, default="open", choices=[
        *(SelectChoice(state.value, label) for state, label in DISPUTE_STATE_LABELS.items()),
        SelectChoice(ALL, _l("All"))])
    cycle = SelectField(_l("Cycle"), choices=[], validate_choice=False)


class CorrectionForm(FlaskForm):
    """Resolve a dispute by correcting the values (typed as text: the operation checks them
    like an import row and names the field that is wrong)."""

    numerator = StringField(_l("Numerator"), validators=[Optional(), Length(max=40)])
    denominator = StringField(_l("Denominator"), validators=[Optional(), Length(max=40)])
    value = StringField(_l("Value"), validators=[Optional(), Length(max=40)])
    expected = StringField(_l("Expected count (risk adjustment)"),
                           validators=[Optional(), Length(max=40)])
    note = TextAreaField(_l("Note to the clinician"), validators=[Optional(), Length(max=2000)])


class RejectForm(FlaskForm):
    """Resolve a dispute by keeping the data as it is."""

    note = TextAreaField(_l("Why the measurement stays as it is"), validators=REASON_RULES)


class ExemptionForm(FlaskForm):
    """Request an exemption of one indicator for one person in one cycle."""

    cycle = SelectField(_l("Cycle"), choices=[], validate_choice=False,
                        validators=[DataRequired(_l("Choose a cycle."))])
    staff = SelectField(_l("Staff member"), choices=[], validate_choice=False,
                        validators=[DataRequired(_l("Choose a staff member."))])
    indicator = SelectField(_l("Indicator"), choices=[], validate_choice=False,
                            validators=[DataRequired(_l("Choose an indicator."))])
    reason = TextAreaField(_l("Reason (the external cause)"), validators=REASON_RULES)


class ExemptionFilterForm(FlaskForm):
    """The exemption list's filters (GET)."""

    class Meta:
        csrf = False

    state = SelectField(_l("State"), validate_choice=False, default="requested", choices=[
        *(SelectChoice(state.value, label) for state, label in EXEMPTION_STATE_LABELS.items()),
        SelectChoice(ALL, _l("All"))])
    cycle = SelectField(_l("Cycle"), choices=[], validate_choice=False)


class DecisionForm(FlaskForm):
    """Approve or reject a requested exemption; the buttons carry the decision."""

    decision = StringField(validators=[AnyOf(["approve", "reject"])])
    note = TextAreaField(_l("Note (required to reject)"),
                         validators=[Optional(), Length(max=2000)])
