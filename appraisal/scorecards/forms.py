"""Forms of the result pages: the what-if panel, the department filters and the alarms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, FloatField, SelectChoice, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from appraisal.core.i18n import lazy_gettext as _l
from appraisal.cycles.models import SchemeIndicator
from appraisal.indicators.models import IndicatorKind
from appraisal.indicators.units import number
from appraisal.scoring import MeasurementInput

NOTE_LENGTH = 2000


def whole_number(form, field) -> None:
    if field.data is not None and not float(field.data).is_integer():
        raise ValidationError(_l("Enter a whole number of cases."))


class NumberField(FloatField):
    """A float field that shows 54 rather than 54.0 (cases are whole numbers)."""

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return number(self.data) if self.data is not None else ""


def positive(form, field) -> None:
    if field.data is not None and not field.data > 0:
        raise ValidationError(_l("It must be greater than zero."))


def field_name(item: SchemeIndicator, part: str) -> str:
    """The form field of one input of one indicator ("i12_numerator")."""
    return f"i{item.indicator_id}_{part}"


class WhatIfBase(FlaskForm):
    """Every input of one person's scorecard; its fields are added per scheme (with the CSRF
    token, also when whatif.js posts it)."""


def whatif_form(items: list[SchemeIndicator], inputs: dict, exempted, posted: bool = False
                ) -> WhatIfBase:
    """The what-if form of a scheme, filled with the stored inputs (or the posted ones)."""
    form_class = type("WhatIfForm", (WhatIfBase,), {})
    defaults = {}
    for item in items:
        for part, field in _fields(item).items():
            setattr(form_class, field_name(item, part), field)
        defaults.update(_defaults(item, inputs.get(item.indicator.code), exempted))
    if posted:
        return form_class()
    return form_class(formdata=None, data=defaults)


def _fields(item: SchemeIndicator) -> dict:
    name = item.indicator.name
    count = [Optional(), NumberRange(min=0, message=_l("It must not be negative.")),
             whole_number]
    fields = {}
    if item.indicator.kind is IndicatorKind.rate:
        fields["numerator"] = NumberField(_l("Numerator of %(name)s", name=name), validators=count)
        fields["denominator"] = NumberField(_l("Denominator of %(name)s", name=name),
                                           validators=count)
        if item.indicator.risk_adjustable:
            fields["expected"] = NumberField(
                _l("Expected count of %(name)s", name=name),
                validators=[Optional(), positive])
    else:
        value_rules = [Optional()]
        if item.indicator.kind is IndicatorKind.count:
            value_rules += [NumberRange(min=0, message=_l("It must not be negative.")),
                            whole_number]
        fields["value"] = NumberField(_l("Value of %(name)s", name=name), validators=value_rules)
    fields["exempt"] = BooleanField(_l("Exempt %(name)s", name=name))
    return fields


def _defaults(item: SchemeIndicator, stored: MeasurementInput | None, exempted) -> dict:
    stored = stored or MeasurementInput()
    values = {field_name(item, "exempt"): item.indicator.code in exempted}
    for part in ("numerator", "denominator", "expected", "value"):
        values[field_name(item, part)] = getattr(stored, part)
    return values


def posted_inputs(form: WhatIfBase, items: list[SchemeIndicator]
                  ) -> tuple[dict[str, MeasurementInput], set[str]]:
    """The validated form as the core's inputs: measurements by code, and exempted codes."""
    measurements, exempted = {}, set()
    for item in items:
        code = item.indicator.code
        parts = {part: _data(form, item, part)
                 for part in ("numerator", "denominator", "expected", "value")}
        if any(value is not None for value in parts.values()):
            measurements[code] = MeasurementInput(**parts)
        if _data(form, item, "exempt"):
            exempted.add(code)
    return measurements, exempted


def check_rates(form: WhatIfBase, items: list[SchemeIndicator]) -> bool:
    """Rules across two fields of a rate, with the message next to the field concerned."""
    ok = True
    for item in items:
        if item.indicator.kind is not IndicatorKind.rate:
            continue
        numerator, denominator = (_data(form, item, "numerator"),
                                  _data(form, item, "denominator"))
        if (numerator is None) != (denominator is None):
            missing = "numerator" if numerator is None else "denominator"
            form[field_name(item, missing)].errors.append(
                _l("A rate needs both a numerator and a denominator (or neither, for no data)."))
            ok = False
        elif numerator is not None and numerator > denominator:
            form[field_name(item, "numerator")].errors.append(
                _l("The numerator cannot be larger than the denominator."))
            ok = False
        if _data(form, item, "expected") is not None and numerator is None:
            form[field_name(item, "expected")].errors.append(
                _l("An expected count needs the numerator and the denominator too."))
            ok = False
    return ok


def _data(form: WhatIfBase, item: SchemeIndicator, part: str):
    name = field_name(item, part)
    return form[name].data if name in form else None


class DepartmentFilterForm(FlaskForm):
    """Which cycle and staff group the department page shows (a GET form)."""

    class Meta:
        csrf = False

    cycle = SelectField(_l("Cycle"), choices=[], validate_choice=False)
    group = SelectField(_l("Staff group"), choices=[], validate_choice=False)


class AlarmFilterForm(FlaskForm):
    """Filters of the alarms list (a GET form)."""

    class Meta:
        csrf = False

    cycle = SelectField(_l("Cycle"), choices=[], validate_choice=False)
    state = SelectField(_l("Show"), choices=[
        SelectChoice("open", _l("Not yet acknowledged")),
        SelectChoice("acknowledged", _l("Acknowledged")),
        SelectChoice("all", _l("All alarms"))], validate_choice=False)


class AcknowledgeForm(FlaskForm):
    """Acknowledge an alarm, saying what was done about it."""

    note = TextAreaField(_l("Note"), validators=[
        DataRequired(message=_l("Say what was looked at or decided.")),
        Length(max=NOTE_LENGTH)])


class RefreshAlarmsForm(FlaskForm):
    """Recompute the funnels of a cycle and raise the new alarms."""

    cycle = SelectField(_l("Cycle"), choices=[], validate_choice=False)
