"""The audit-log filter form."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, SelectChoice, SelectField, StringField
from wtforms.validators import Length, Optional

from appraisal.core.i18n import lazy_gettext as _l

DATE_MESSAGE = _l("Enter a date as YYYY-MM-DD.")


class AuditFilterForm(FlaskForm):
    """Filters read from the query string.

    A search changes nothing and its URL is meant to be bookmarked and shared, so it carries
    no CSRF token (a token in the query string would only leak into logs).
    """

    class Meta:
        csrf = False

    actor = StringField(_l("User (username)"), validators=[Optional(), Length(max=80)])
    action = StringField(_l("Action starts with"), validators=[Optional(), Length(max=80)])
    object_type = SelectField(_l("Object type"), validators=[Optional()], choices=[])
    object_id = StringField(_l("Object id"), validators=[Optional(), Length(max=60)])
    date_from = DateField(_l("From (date)"), validators=[Optional()],
                          render_kw={"type": "date"})
    date_to = DateField(_l("To (date, inclusive)"), validators=[Optional()],
                        render_kw={"type": "date"})
    request_id = StringField(_l("Request id"), validators=[Optional(), Length(max=64)])

    def __init__(self, formdata, object_types: list[str]):
        super().__init__(formdata=formdata)
        self.object_type.choices = [SelectChoice("", _l("Any"))] + [
            SelectChoice(name) for name in object_types]

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for field in (self.date_from, self.date_to):
            if field.errors:
                # WTForms' own message does not say which format it wants.
                field.errors[:] = [DATE_MESSAGE]
        if valid and self.date_from.data and self.date_to.data \
                and self.date_to.data < self.date_from.data:
            self.date_to.errors.append(_l("The end date is before the start date."))
            return False
        return valid

    @property
    def filters(self) -> dict:
        """The filters that were given, stripped (only meaningful once validated)."""
        values = {name: self[name].data for name in
                  ("actor", "action", "object_type", "object_id", "request_id")}
        values = {name: value.strip() for name, value in values.items() if value and value.strip()}
        values.update({name: self[name].data for name in ("date_from", "date_to")
                       if self[name].data})
        return values
