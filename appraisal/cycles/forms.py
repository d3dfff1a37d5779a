"""Forms of the cycle and scheme pages. Rates are typed in percent and stored as proportions."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    FloatField,
    IntegerField,
    SelectField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from appraisal.core.choices import enum_choices
from appraisal.core.i18n import lazy_gettext as _l
from appraisal.cycles.models import CyclePeriod, RedLineSide
from appraisal.cycles.validation import BandsInvalid, parse_grade_bands
from appraisal.org.models import StaffGroup


def side_choices() -> list[SelectChoice]:
    return [SelectChoice(RedLineSide.above.value, _l("Above the limit is a breach")),
            SelectChoice(RedLineSide.below.value, _l("Below the limit is a breach"))]


class CycleForm(FlaskForm):
    """Create a cycle, or change its name and dates."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    period = SelectField(_l("Period"), choices=lambda: enum_choices(CyclePeriod))
    # InputRequired, not DataRequired: a mistyped date keeps its own "not a valid date" error.
    start_date = DateField(_l("Start date"), validators=[InputRequired()], format="%Y-%m-%d")
    end_date = DateField(_l("End date"), validators=[InputRequired()], format="%Y-%m-%d")


class TransitionForm(FlaskForm):
    """A state-change button: its value names the target state."""

    target = StringField(validators=[DataRequired()])


class ActionForm(FlaskForm):
    """A button that changes state: only the CSRF token."""


def _bands(form, field) -> None:
    try:
        field.parsed = parse_grade_bands(field.data)
    except BandsInvalid as error:
        raise ValidationError(str(error)) from error


WEIGHT = [InputRequired(_l("Enter a weight (0 leaves the component out)."))]
COMPONENT_LABELS = {
    "weight_quantitative": _l("Quantitative indicators"),
    "weight_360": _l("360-degree review"),
    "weight_panel": _l("Expert panel"),
    "weight_case_quality": _l("Case-quality review"),
    "weight_contributions": _l("Contributions"),
}


class SchemeForm(FlaskForm):
    """A scheme's settings (its indicators are chosen on the scheme page)."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    weight_quantitative = FloatField(COMPONENT_LABELS["weight_quantitative"], validators=WEIGHT,
                                     default=0.6)
    weight_360 = FloatField(COMPONENT_LABELS["weight_360"], validators=WEIGHT, default=0.15)
    weight_panel = FloatField(COMPONENT_LABELS["weight_panel"], validators=WEIGHT, default=0.1)
    weight_case_quality = FloatField(COMPONENT_LABELS["weight_case_quality"], validators=WEIGHT,
                                     default=0.1)
    weight_contributions = FloatField(COMPONENT_LABELS["weight_contributions"],
                                      validators=WEIGHT, default=0.05)
    grade_bands = StringField(_l("Grade bands"), validators=[DataRequired(), _bands],
                              default="A:85, B:70, C:55, D:0")
    cap_grade = StringField(_l("Cap grade after a red-line breach"),
                            validators=[Optional(), Length(max=10)])
    anonymity_threshold = IntegerField(_l("Anonymity threshold (360 responses)"),
                                       validators=[InputRequired()], default=3)
    min_denominator = IntegerField(_l("Minimum denominator for rates"),
                                   validators=[InputRequired()], default=10)
    compare_within_department = BooleanField(
        _l("Compare each person with their own department only (instead of the whole staff "
           "group)"))
    funnel_overdispersion = BooleanField(
        _l("Widen the funnel-plot limits for over-dispersion"))


class SchemeCreateForm(SchemeForm):
    """A new scheme: also its staff group and optional department."""

    staff_group = SelectField(_l("Staff group"), choices=lambda: enum_choices(StaffGroup))
    department = SelectField(_l("Department (optional)"), choices=[], validate_choice=False)


class SchemeItemForm(FlaskForm):
    """One chosen indicator: weight, threshold, target, minimum denominator, red line."""

    weight = FloatField(_l("Weight"), validators=[InputRequired()], default=1)
    threshold = FloatField(_l("Threshold (score 0)"), validators=[InputRequired()])
    target = FloatField(_l("Target (score 100)"), validators=[InputRequired()])
    min_denominator = IntegerField(_l("Minimum denominator (rates only; empty: the scheme's)"),
                                   validators=[Optional()])
    red_line_limit = FloatField(_l("Red-line limit (optional)"), validators=[Optional()])
    red_line_side = SelectField(_l("Red-line side"), choices=side_choices)


class SchemeItemAddForm(SchemeItemForm):
    """Choose one more indicator."""

    indicator = SelectField(_l("Indicator"), choices=[], validate_choice=False,
                            validators=[DataRequired(_l("Choose an indicator."))])


class CopySchemeForm(FlaskForm):
    """Copy a scheme of another cycle into this one."""

    source = SelectField(_l("Scheme to copy"), choices=[], validate_choice=False,
                         validators=[DataRequired(_l("Choose the scheme to copy."))])
