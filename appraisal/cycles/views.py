"""Cycle and scheme pages (performance office only)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from appraisal.audit.queries import history
from appraisal.core.choices import department_choices, with_blank
from appraisal.core.handlers import AdminRH, get_or_404
from appraisal.core.i18n import lazy_gettext as _l
from appraisal.core.pagination import paginate
from appraisal.cycles import forms, operations, queries
from appraisal.cycles.models import (
    Cycle,
    CyclePeriod,
    CycleState,
    RedLineSide,
    Scheme,
    SchemeIndicator,
)
from appraisal.cycles.states import allowed_targets, transition_refusal
from appraisal.cycles.validation import (
    COMPONENT_FIELDS,
    HeaderValues,
    ItemValues,
    format_grade_bands,
)
from appraisal.extensions import db
from appraisal.indicators.models import Direction, Indicator
from appraisal.indicators.units import to_shown, to_stored
from appraisal.org.models import Department, StaffGroup
from appraisal.org.queries import all_departments
from appraisal.org.tree import build_tree, flatten

D, O, R, C, P, X = (CycleState.draft, CycleState.open, CycleState.reviewing,
                    CycleState.calibrating, CycleState.published, CycleState.closed)
TRANSITION_LABELS = {
    (D, O): _l("Open the cycle"),
    (O, R): _l("Start the reviews"),
    (O, D): _l("Back to draft"),
    (R, C): _l("Start calibration"),
    (R, O): _l("Reopen for data"),
    (C, P): _l("Publish the grades"),
    (C, R): _l("Back to reviewing"),
    (P, X): _l("Close the cycle"),
}


def attach_problems(form, error: operations.CycleError) -> None:
    """Each message next to the first of its fields that the form has (else above it)."""
    for field, message in error.problems:
        names = field if isinstance(field, tuple) else (field,)
        name = next((n for n in names if n and form is not None and n in form), None)
        if name:
            form[name].errors.append(message)
        else:
            flash(str(message), "error")


# -- cycles ----------------------------------------------------------------------------------
class RHCycles(AdminRH):
    """Every cycle, newest first, with its state and number of schemes."""

    def process(self):
        page = paginate(queries.cycle_select())
        counts = queries.scheme_counts([cycle.id for cycle in page.items])
        return render_template("cycles/index.html", page=page, counts=counts)


class RHCycleCreate(AdminRH):
    """Create a cycle (it starts in draft)."""

    methods = ["GET", "POST"]

    def process(self):
        form = forms.CycleForm()
        if form.validate_on_submit():
            try:
                cycle = operations.create_cycle(
                    self.user, name=form.name.data, period=CyclePeriod(form.period.data),
                    start_date=form.start_date.data, end_date=form.end_date.data)
            except operations.CycleError as error:
                attach_problems(form, error)
            else:
                flash(_("The cycle %(name)s has been created. Add its schemes, then open it.",
                        name=cycle.name), "success")
                return redirect(url_for("cycles.detail", cycle_id=cycle.id))
        return render_template("cycles/cycle_form.html", form=form, cycle=None)


class RHCycleBase(AdminRH):
    """A page about one cycle."""

    def load(self, cycle_id: int):
        self.cycle = get_or_404(Cycle, cycle_id)


class RHCycleDetail(RHCycleBase):
    """A cycle: its state, the transitions it allows (with why one is refused), its schemes."""

    def process(self):
        cycle = self.cycle
        facts = queries.cycle_facts(cycle)
        transitions = [(target, TRANSITION_LABELS[(cycle.state, target)],
                        transition_refusal(cycle, target, facts))
                       for target in allowed_targets(cycle.state)]
        schemes = queries.current_schemes(cycle)
        return render_template(
            "cycles/detail.html", cycle=cycle, transitions=transitions, schemes=schemes,
            states=list(CycleState),
            transition_form=forms.TransitionForm(), history=history("Cycle", cycle.id),
            can_add_schemes=cycle.state in operations.OPEN_FOR_SCHEMES)


class RHCycleEdit(RHCycleBase):
    """Rename a cycle or correct its dates (until it is published)."""

    methods = ["GET", "POST"]

    def process(self):
        cycle = self.cycle
        form = forms.CycleForm(formdata=None if request.method == "GET" else request.form,
                               name=cycle.name, period=cycle.period.value,
                               start_date=cycle.start_date, end_date=cycle.end_date)
        if request.method == "POST" and form.validate():
            try:
                changed = operations.update_cycle(
                    self.user, cycle, name=form.name.data, period=CyclePeriod(form.period.data),
                    start_date=form.start_date.data, end_date=form.end_date.data)
            except operations.CycleError as error:
                attach_problems(form, error)
            else:
                flash(_("The cycle has been updated.") if changed else _("Nothing was changed."),
                      "success" if changed else "info")
                return redirect(url_for("cycles.detail", cycle_id=cycle.id))
        return render_template("cycles/cycle_form.html", form=form, cycle=cycle)


class RHCycleTransition(RHCycleBase):
    """Move the cycle to another state; a refused transition says why."""

    methods = ["POST"]

    def process(self):
        form = forms.TransitionForm()
        target = _enum_or_none(CycleState, form.target.data)
        if form.validate_on_submit() and target is not None:
            try:
                operations.change_state(self.user, self.cycle, target)
            except operations.CycleError as error:
                flash(str(error), "error")
            else:
                flash(_("The cycle is now %(state)s.", state=target.label.lower()), "success")
        else:
            flash(_("Choose one of the buttons to change the state."), "error")
        return redirect(url_for("cycles.detail", cycle_id=self.cycle.id))


def _enum_or_none(enum_type, value):
    try:
        return enum_type(value) if value else None
    except ValueError:
        return None


# -- schemes: settings -----------------------------------------------------------------------
def header_values(form: forms.SchemeForm) -> HeaderValues:
    return HeaderValues(
        name=form.name.data, grade_bands=form.grade_bands.parsed, cap_grade=form.cap_grade.data,
        anonymity_threshold=form.anonymity_threshold.data,
        min_denominator=form.min_denominator.data,
        compare_within_department=form.compare_within_department.data,
        funnel_overdispersion=form.funnel_overdispersion.data,
        **{name: form[name].data for name in COMPONENT_FIELDS})


def department_options() -> list[tuple[str, str]]:
    active = [d for d in all_departments() if d.active]
    return department_choices(flatten(build_tree(active, {})), _l("— all departments —"))


class RHSchemeCreate(RHCycleBase):
    """A new scheme for a staff group (and optionally one department) of this cycle."""

    methods = ["GET", "POST"]

    def process(self):
        form = forms.SchemeCreateForm()
        form.department.choices = department_options()
        if form.validate_on_submit():
            department = _department(form.department)
            if not form.department.errors:
                try:
                    scheme = operations.create_scheme(
                        self.user, self.cycle, staff_group=StaffGroup(form.staff_group.data),
                        department=department, header=header_values(form))
                except operations.CycleError as error:
                    attach_problems(form, error)
                else:
                    flash(_("The scheme has been created. Now choose its indicators."),
                          "success")
                    return redirect(url_for("cycles.scheme_detail", scheme_id=scheme.id))
        return render_template("cycles/scheme_form.html", form=form, cycle=self.cycle,
                               scheme=None)


def _department(field) -> Department | None:
    if not field.data:
        return None
    department = db.session.get(Department, int(field.data)) if field.data.isdigit() else None
    if department is None or not department.active:
        field.errors.append(_l("Choose an active department from the list, or none."))
    return department


class RHSchemeCopy(RHCycleBase):
    """Copy a scheme of another cycle into this cycle (as its version 1)."""

    methods = ["GET", "POST"]

    def process(self):
        sources = {str(s.id): s for s in queries.copy_sources(self.cycle)}
        form = forms.CopySchemeForm()
        form.source.choices = with_blank(_l("— choose —"), (
            SelectChoice(key, _source_label(scheme)) for key, scheme in sources.items()))
        if form.validate_on_submit():
            source = sources.get(form.source.data)
            if source is None:
                form.source.errors.append(_l("Choose a scheme from the list."))
            else:
                try:
                    scheme, skipped = operations.copy_scheme(self.user, source, self.cycle)
                except operations.CycleError as error:
                    attach_problems(form, error)
                else:
                    _flash_copied(source, skipped)
                    return redirect(url_for("cycles.scheme_detail", scheme_id=scheme.id))
        return render_template("cycles/scheme_copy.html", form=form, cycle=self.cycle,
                               has_sources=bool(sources))


def _source_label(scheme: Scheme) -> str:
    where = scheme.department.name if scheme.department else _("all departments")
    return _("%(cycle)s — %(name)s (%(group)s, %(where)s, version %(version)s)",
             cycle=scheme.cycle.name, name=scheme.name, group=scheme.staff_group.label,
             where=where, version=scheme.version)


def _flash_copied(source: Scheme, skipped: list[Indicator]) -> None:
    flash(_("“%(name)s” has been copied from %(cycle)s.", name=source.name,
            cycle=source.cycle.name), "success")
    if skipped:
        flash(_("Left out because they are no longer active in the library: %(codes)s.",
                codes=", ".join(indicator.code for indicator in skipped)), "warning")


class RHSchemeBase(AdminRH):
    """A page about one scheme version."""

    def load(self, scheme_id: int):
        self.scheme = get_or_404(Scheme, scheme_id)

    def done(self, version: Scheme | None, message: str):
        """Flash what happened (a new version is said out loud) and show the version changed."""
        if version is None:
            flash(_("Nothing was changed."), "info")
            return redirect(url_for("cycles.scheme_detail", scheme_id=self.scheme.id))
        if version is not self.scheme:
            flash(_("Version %(old)s is frozen because its cycle was published, so your change "
                    "was saved as the new version %(new)s. Version %(old)s is unchanged.",
                    old=self.scheme.version, new=version.version), "warning")
        flash(message, "success")
        return redirect(url_for("cycles.scheme_detail", scheme_id=version.id))

    def render_detail(self, add_form: forms.SchemeItemAddForm | None = None):
        scheme = self.scheme
        versions = queries.versions(scheme)
        add_form = add_form or forms.SchemeItemAddForm(formdata=None)
        add_form.indicator.choices = indicator_choices(queries.indicators_to_add(scheme))
        total = sum(item.weight for item in scheme.items)
        component_total = sum(getattr(scheme, name) for name in COMPONENT_FIELDS)
        return render_template(
            "cycles/scheme_detail.html", scheme=scheme, cycle=scheme.cycle, versions=versions,
            is_current=versions[0].id == scheme.id, current=versions[0], add_form=add_form,
            published_in_force=(queries.version_in_force(scheme) if scheme.cycle.is_frozen
                                else None),
            total_weight=total, component_total=component_total,
            components=forms.COMPONENT_LABELS,
            bands=format_grade_bands(scheme.grade_bands), action_form=forms.ActionForm(),
            history=history("Scheme", scheme.id),
            item_counts=queries.item_counts([v.id for v in versions]))


def indicator_choices(indicators: list[Indicator]) -> list[SelectChoice]:
    choices = []
    for indicator in indicators:
        unit = "%" if indicator.is_rate else indicator.unit
        suffix = f", {unit}" if unit else ""
        choices.append(SelectChoice(str(indicator.id), (f"{indicator.code} — {indicator.name} "
                                                        f"({indicator.dimension.label}{suffix})")))
    return with_blank(_l("— choose —"), choices)


class RHSchemeDetail(RHSchemeBase):
    """A scheme version: settings, chosen indicators, versions and history."""

    def process(self):
        return self.render_detail()


class RHSchemeEdit(RHSchemeBase):
    """Change a scheme's settings (a frozen version gets a new version instead)."""

    methods = ["GET", "POST"]

    def process(self):
        scheme = self.scheme
        data = HeaderValues.of(scheme).as_fields()
        data["grade_bands"] = format_grade_bands(scheme.grade_bands)
        form = forms.SchemeForm(formdata=None if request.method == "GET" else request.form,
                                data=data)
        if request.method == "POST" and form.validate():
            try:
                version = operations.update_scheme(self.user, scheme, header_values(form))
            except operations.CycleError as error:
                attach_problems(form, error)
            else:
                return self.done(version, _("The scheme's settings have been saved."))
        return render_template("cycles/scheme_form.html", form=form, cycle=scheme.cycle,
                               scheme=scheme)


class RHSchemeDelete(RHSchemeBase):
    """Delete a scheme created by mistake (draft cycles only)."""

    methods = ["POST"]

    def process(self):
        cycle_id = self.scheme.cycle_id
        if forms.ActionForm().validate_on_submit():
            try:
                operations.delete_scheme(self.user, self.scheme)
            except operations.CycleError as error:
                flash(str(error), "error")
                return redirect(url_for("cycles.scheme_detail", scheme_id=self.scheme.id))
            flash(_("The scheme “%(name)s” has been deleted.", name=self.scheme.name),
                  "success")
        return redirect(url_for("cycles.detail", cycle_id=cycle_id))


# -- schemes: chosen indicators --------------------------------------------------------------
def item_values(form: forms.SchemeItemForm, indicator: Indicator) -> ItemValues:
    """The form's values in stored units (a rate's percentages become proportions)."""
    kind, limit = indicator.kind, form.red_line_limit.data
    return ItemValues(
        indicator=indicator, weight=form.weight.data,
        threshold=to_stored(kind, form.threshold.data), target=to_stored(kind, form.target.data),
        min_denominator=form.min_denominator.data, red_line_limit=to_stored(kind, limit),
        red_line_side=RedLineSide(form.red_line_side.data) if limit is not None else None)


class RHSchemeItemAdd(RHSchemeBase):
    """Choose one more indicator for the scheme."""

    methods = ["POST"]

    def process(self):
        form = forms.SchemeItemAddForm()
        if form.validate_on_submit():
            indicator = _indicator(form.indicator)
            if indicator is not None:
                try:
                    version = operations.add_indicator(self.user, self.scheme,
                                                       item_values(form, indicator))
                except operations.CycleError as error:
                    attach_problems(form, error)
                else:
                    return self.done(version, _("%(code)s has been added to the scheme.",
                                                code=indicator.code))
        return self.render_detail(add_form=form)


def _indicator(field) -> Indicator | None:
    indicator = db.session.get(Indicator, int(field.data)) if field.data.isdigit() else None
    if indicator is None:
        field.errors.append(_l("Choose an indicator from the list."))
    return indicator


class RHSchemeItemBase(RHSchemeBase):
    """A page about one indicator chosen by a scheme."""

    def load(self, scheme_id: int, item_id: int):
        super().load(scheme_id)
        self.item = get_or_404(SchemeIndicator, item_id)
        if self.item.scheme_id != self.scheme.id:
            abort(404)


class RHSchemeItemEdit(RHSchemeItemBase):
    """Change the weight, threshold, target, minimum denominator or red line of one indicator."""

    methods = ["GET", "POST"]

    def process(self):
        item, kind = self.item, self.item.indicator.kind
        form = forms.SchemeItemForm(
            formdata=None if request.method == "GET" else request.form, weight=item.weight,
            threshold=to_shown(kind, item.threshold), target=to_shown(kind, item.target),
            min_denominator=item.min_denominator,
            red_line_limit=to_shown(kind, item.red_line_limit),
            red_line_side=(item.red_line_side or _default_side(item.indicator)).value)
        if request.method == "POST" and form.validate():
            try:
                version = operations.update_indicator(self.user, self.scheme, item,
                                                      item_values(form, item.indicator))
            except operations.CycleError as error:
                attach_problems(form, error)
            else:
                return self.done(version, _("%(code)s has been updated.",
                                            code=item.indicator.code))
        return render_template("cycles/item_form.html", form=form, scheme=self.scheme,
                               item=item, indicator=item.indicator, cycle=self.scheme.cycle)


def _default_side(indicator: Indicator) -> RedLineSide:
    """The unfavourable side: above for lower-is-better indicators, below otherwise."""
    return RedLineSide.above if indicator.direction is Direction.lower else RedLineSide.below


class RHSchemeItemRemove(RHSchemeItemBase):
    """Take an indicator out of the scheme."""

    methods = ["POST"]

    def process(self):
        if forms.ActionForm().validate_on_submit():
            code = self.item.indicator.code
            try:
                version = operations.remove_indicator(self.user, self.scheme, self.item)
            except operations.CycleError as error:
                flash(str(error), "error")
            else:
                return self.done(version, _("%(code)s has been removed from the scheme.",
                                            code=code))
        return redirect(url_for("cycles.scheme_detail", scheme_id=self.scheme.id))
