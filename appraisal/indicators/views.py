"""Indicator library pages: the list, create and edit (admin), the read-only page (everyone)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from appraisal.audit.queries import history
from appraisal.core.handlers import RH, AdminRH, get_or_404
from appraisal.core.pagination import paginate
from appraisal.indicators import forms, operations, queries, rules
from appraisal.indicators.library import DEMO_INDICATORS, load_demo_indicators
from appraisal.indicators.models import Dimension, Direction, Indicator, IndicatorKind
from appraisal.indicators.units import to_shown, to_stored


def _enum_or_none(enum_type, value):
    try:
        return enum_type(value) if value else None
    except ValueError:
        return None


def attach_problems(form, error: operations.IndicatorInvalid) -> None:
    """Show each refused value next to its field (or above the form)."""
    for field, message in error.problems:
        if field and field in form:
            form[field].errors.append(message)
        else:
            flash(str(message), "error")


class RHIndicators(AdminRH):
    """The library: search, filter by dimension, kind and status; paginated."""

    def load(self):
        self.form = forms.IndicatorFilterForm(formdata=request.args)
        self.filters = queries.IndicatorFilters(
            q=(self.form.q.data or "").strip()[:100],
            dimension=_enum_or_none(Dimension, self.form.dimension.data),
            kind=_enum_or_none(IndicatorKind, self.form.kind.data),
            active={"1": True, "0": False}.get(self.form.active.data or "1"))

    def process(self):
        page = paginate(queries.indicator_select(self.filters))
        empty_library = not page.total and not queries.library_size()
        return render_template("indicators/index.html", page=page, form=self.form,
                               filters=self.filters, empty_library=empty_library,
                               library_count=len(DEMO_INDICATORS),
                               action_form=forms.ActionForm())


class RHIndicatorLoadLibrary(AdminRH):
    """Add the standard library entries that are missing (never changes existing ones)."""

    methods = ["POST"]

    def process(self):
        if forms.ActionForm().validate_on_submit():
            added = load_demo_indicators(self.user)
            if added:
                flash(ngettext("%(num)s indicator has been added to the library.",
                               "%(num)s indicators have been added to the library.",
                               len(added)), "success")
            else:
                flash(_("Every standard indicator is already in the library."), "info")
        return redirect(url_for("indicators.index"))


class IndicatorFormMixin:
    """Shared by create and edit: the form in percent for rates, the values in proportions."""

    def values(self, form: forms.IndicatorForm) -> rules.IndicatorValues:
        kind = IndicatorKind(form.kind.data)
        return rules.IndicatorValues(
            code=form.code.data, name=form.name.data, explanation=form.explanation.data,
            dimension=Dimension(form.dimension.data), kind=kind, unit=form.unit.data or "",
            direction=Direction(form.direction.data), data_source=form.data_source.data,
            risk_adjustable=form.risk_adjustable.data,
            plausible_min=to_stored(kind, form.plausible_min.data),
            plausible_max=to_stored(kind, form.plausible_max.data))

    @staticmethod
    def initial(indicator: Indicator) -> dict:
        # Given as data, not obj=: WTForms prefers obj attributes, which hold enums and
        # proportions where the form wants their values and percentages.
        return {
            "code": indicator.code, "name": indicator.name, "explanation": indicator.explanation,
            "dimension": indicator.dimension.value, "kind": indicator.kind.value,
            "unit": indicator.unit, "direction": indicator.direction.value,
            "data_source": indicator.data_source, "risk_adjustable": indicator.risk_adjustable,
            "plausible_min": to_shown(indicator.kind, indicator.plausible_min),
            "plausible_max": to_shown(indicator.kind, indicator.plausible_max)}


class RHIndicatorCreate(IndicatorFormMixin, AdminRH):
    """Add an entry to the library."""

    methods = ["GET", "POST"]

    def process(self):
        form = forms.IndicatorForm()
        if form.validate_on_submit():
            try:
                indicator = operations.create_indicator(self.user, self.values(form))
            except operations.IndicatorInvalid as error:
                attach_problems(form, error)
            else:
                flash(_("%(code)s has been added to the library.", code=indicator.code),
                      "success")
                return redirect(url_for("indicators.detail", indicator_id=indicator.id))
        return render_template("indicators/form.html", form=form, indicator=None)


class RHIndicatorBase(RH):
    """A page about one library entry."""

    def load(self, indicator_id: int):
        self.indicator = get_or_404(Indicator, indicator_id)

    def can_access(self) -> bool:
        return rules.can_manage_indicators(self.user)


class RHIndicatorDetail(RHIndicatorBase):
    """What an indicator measures, in plain words: open to every logged-in user."""

    def can_access(self) -> bool:
        return rules.can_read_indicator(self.user)

    def process(self):
        indicator = self.indicator
        admin = rules.can_manage_indicators(self.user)
        return render_template(
            "indicators/detail.html", indicator=indicator, is_admin=admin,
            schemes=queries.schemes_using(indicator) if admin else [],
            history=history("Indicator", indicator.id) if admin else [],
            action_form=forms.ActionForm())


class RHIndicatorEdit(IndicatorFormMixin, RHIndicatorBase):
    """Change a library entry (every change is audited with old and new values)."""

    methods = ["GET", "POST"]

    def process(self):
        indicator = self.indicator
        form = forms.IndicatorForm(formdata=None if request.method == "GET" else request.form,
                                   **self.initial(indicator))
        if request.method == "POST" and form.validate():
            try:
                changed = operations.update_indicator(self.user, indicator, self.values(form))
            except operations.IndicatorInvalid as error:
                attach_problems(form, error)
            else:
                flash(_("%(code)s has been updated.", code=indicator.code) if changed
                      else _("Nothing was changed."), "success" if changed else "info")
                return redirect(url_for("indicators.detail", indicator_id=indicator.id))
        return render_template("indicators/form.html", form=form, indicator=indicator)


class RHIndicatorDeactivate(RHIndicatorBase):
    """Retire an entry from the library."""

    methods = ["POST"]
    operation = staticmethod(operations.deactivate_indicator)

    def done_message(self) -> str:
        return _("%(code)s is now inactive: no new scheme can choose it. Schemes and "
                 "measurements that use it are unchanged.", code=self.indicator.code)

    def process(self):
        if forms.ActionForm().validate_on_submit():
            try:
                self.operation(self.user, self.indicator)
            except operations.IndicatorInvalid as error:
                flash(str(error), "error")
            else:
                flash(self.done_message(), "success")
        return redirect(url_for("indicators.detail", indicator_id=self.indicator.id))


class RHIndicatorReactivate(RHIndicatorDeactivate):
    """Make a retired entry available again."""

    operation = staticmethod(operations.reactivate_indicator)

    def done_message(self) -> str:
        return _("%(code)s is active again.", code=self.indicator.code)
