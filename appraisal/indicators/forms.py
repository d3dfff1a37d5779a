"""Forms of the indicator library pages."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, FloatField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, Regexp

from appraisal.core.choices import enum_choices, status_choices
from appraisal.core.i18n import lazy_gettext as _l
from appraisal.indicators.models import (
    DATA_SOURCE_LABELS,
    Dimension,
    Direction,
    IndicatorKind,
)

CODE_RULE = Regexp(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$", message=_l(
    "A code is one word of letters, digits, dots, dashes or underscores (e.g. READMIT30)."))


def source_choices() -> list[SelectChoice]:
    return [SelectChoice(value, str(label)) for value, label in DATA_SOURCE_LABELS.items()]


class IndicatorForm(FlaskForm):
    """Create or edit a library entry. Rates' plausible range is typed in percent."""

    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=40), CODE_RULE])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    explanation = TextAreaField(
        _l("Plain-language explanation"),
        validators=[DataRequired(_l("Write what the indicator measures in plain words: "
                                    "clinicians read this to understand their results.")),
                    Length(max=2000)])
    dimension = SelectField(_l("Balanced-scorecard dimension"),
                            choices=lambda: enum_choices(Dimension))
    kind = SelectField(_l("Kind"), choices=lambda: enum_choices(IndicatorKind))
    unit = StringField(_l("Unit"), validators=[Optional(), Length(max=40)])
    direction = SelectField(_l("Direction"), choices=lambda: enum_choices(Direction))
    data_source = SelectField(_l("Data source"), choices=source_choices)
    risk_adjustable = BooleanField(_l("Risk-adjustable (rates only: observed against expected "
                                      "events)"))
    plausible_min = FloatField(_l("Plausible minimum"), validators=[Optional()])
    plausible_max = FloatField(_l("Plausible maximum"), validators=[Optional()])


class IndicatorFilterForm(FlaskForm):
    """The library list's search and filters. A GET form: no CSRF token in the URL."""

    class Meta:
        csrf = False

    q = StringField(_l("Code or name"), validators=[Optional(), Length(max=100)])
    dimension = SelectField(_l("Dimension"), validate_choice=False)
    kind = SelectField(_l("Kind"), validate_choice=False)
    active = SelectField(_l("Status"), validate_choice=False, default="1",
                         choices=status_choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.dimension.choices = enum_choices(Dimension, _l("All dimensions"))
        self.kind.choices = enum_choices(IndicatorKind, _l("All kinds"))


class ActionForm(FlaskForm):
    """A button that changes state: only the CSRF token."""
