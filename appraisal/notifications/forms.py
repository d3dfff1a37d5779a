"""Forms of the inbox and the outbox."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectChoice, SelectField
from wtforms.validators import Optional

from appraisal.core.i18n import lazy_gettext as _l
from appraisal.notifications.models import EmailStatus


class MarkReadForm(FlaskForm):
    """Mark one notification read, then go to ``next`` (its link, or back to the inbox)."""

    next = HiddenField()


class ConfirmForm(FlaskForm):
    """A button that changes something: only the CSRF token."""


class OutboxFilterForm(FlaskForm):
    """The outbox filter, read from the query string (a search: no CSRF token in the URL)."""

    class Meta:
        csrf = False

    status = SelectField(_l("E-mail status"), validators=[Optional()])

    def __init__(self, formdata):
        super().__init__(formdata=formdata)
        self.status.choices = [SelectChoice("", _l("All"))] + [
            SelectChoice(status.value, status.label) for status in EmailStatus]

    @property
    def selected(self) -> EmailStatus | None:
        return EmailStatus(self.status.data) if self.status.data else None
