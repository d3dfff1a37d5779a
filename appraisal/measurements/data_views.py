"""Data pages: my measurements and disputes, exemptions, and the data-quality overview."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from appraisal.core.handlers import RH, AdminRH, get_or_404
from appraisal.core.i18n import lazy_gettext as _l
from appraisal.core.pagination import Page, paginate, requested_page
from appraisal.cycles.models import Cycle
from appraisal.extensions import db
from appraisal.indicators.models import Indicator
from appraisal.measurements import data_forms as forms
from appraisal.measurements import disputes, exemptions, quality
from appraisal.measurements.models import (
    Dispute,
    DisputeState,
    Exemption,
    ExemptionState,
    Measurement,
)
from appraisal.org.models import Department, Staff

LABELS = {
    "dispute_states": disputes.DISPUTE_STATE_LABELS,
    "dispute_tags": disputes.DISPUTE_STATE_TAGS,
    "exemption_states": exemptions.EXEMPTION_STATE_LABELS,
    "exemption_tags": exemptions.EXEMPTION_STATE_TAGS,
}


def int_arg(name: str) -> int | None:
    """An integer query or form argument; a malformed one is a 404 (it names nothing)."""
    value = request.values.get(name, "")
    if not value:
        return None
    if not value.isdigit():
        abort(404)
    return int(value)


def pick_cycle(cycles: list[Cycle]) -> Cycle | None:
    """The cycle named by ``?cycle=`` (it must be one offered), else the default one."""
    cycle_id = int_arg("cycle")
    if cycle_id is None:
        return quality.default_cycle(cycles)
    chosen = next((c for c in cycles if c.id == cycle_id), None)
    if chosen is None:
        abort(404)
    return chosen


def attach_error(form, error) -> None:
    """Show a refused action next to its field, or above the form."""
    if error.field and error.field in form:
        form[error.field].errors.append(error.message)
    else:
        flash(str(error.message), "error")


def enum_or_none(enum_type, value):
    try:
        return enum_type(value) if value and value != forms.ALL else None
    except ValueError:
        return None


# -- a clinician's own data ------------------------------------------------------------------
class RHMyMeasurements(RH):
    """The clinician's own measurements in a cycle, with their dispute state."""

    def load(self):
        self.cycles = disputes.visible_cycles()
        self.cycle = pick_cycle(self.cycles)

    def can_access(self) -> bool:
        return self.user.is_clinician

    def process(self):
        form = forms.CycleForm(formdata=None, cycle=str(self.cycle.id) if self.cycle else "")
        form.cycle.choices = forms.cycle_choices(self.cycles)
        page = latest = exempt = None
        if self.cycle is not None:
            page = paginate(disputes.my_measurements_select(self.user.staff_id, self.cycle))
            latest = disputes.latest_disputes(m.id for m in page.items)
            exempt = exemptions.exempted_indicator_ids(self.cycle, self.user.staff_id)
        return render_template("data/my_measurements.html", form=form, cycle=self.cycle,
                               page=page, latest=latest, exempt=exempt,
                               can_dispute=self.cycle and disputes.accepts_disputes(self.cycle),
                               **LABELS)


class RHDisputeCreate(RH):
    """Flag one of my measurements as wrong (someone else's: 404, it is private)."""

    methods = ["GET", "POST"]

    def load(self, measurement_id: int):
        self.measurement = get_or_404(Measurement, measurement_id)
        if not disputes.owns_measurement(self.user, self.measurement):
            abort(404)
        self.cycle = db.session.get(Cycle, self.measurement.cycle_id)

    def can_access(self) -> bool:
        return disputes.owns_measurement(self.user, self.measurement)

    def process(self):
        form = forms.DisputeForm()
        if form.validate_on_submit():
            try:
                dispute = disputes.raise_dispute(self.user, self.measurement, form.reason.data)
            except disputes.DisputeError as error:
                attach_error(form, error)
            else:
                flash(_("Your dispute has been sent to the data steward. You will be told "
                        "the outcome."), "success")
                return redirect(url_for("data.dispute_detail", dispute_id=dispute.id))
        return render_template(
            "data/dispute_form.html", form=form, measurement=self.measurement,
            cycle=self.cycle, open_dispute=disputes.open_dispute_of(self.measurement),
            accepts=disputes.accepts_disputes(self.cycle))


# -- the data steward's queue ----------------------------------------------------------------
class RHDisputes(AdminRH):
    """Disputes to resolve (and resolved ones), by state and cycle."""

    def process(self):
        cycles = disputes.visible_cycles()
        form = forms.DisputeFilterForm(formdata=request.args)
        form.cycle.choices = forms.cycle_choices(cycles, _l("All cycles"))
        state = enum_or_none(DisputeState, form.state.data or "open")
        cycle_id = int_arg("cycle")
        cycle = next((c for c in cycles if c.id == cycle_id), None)
        page = paginate(disputes.disputes_select(state, cycle))
        return render_template("data/disputes.html", form=form, page=page, state=state,
                               cycle_names={c.id: c.name for c in cycles}, **LABELS)


class RHDisputeDetail(RH):
    """One dispute: what was disputed, why, how it ended; the steward resolves it here."""

    def load(self, dispute_id: int):
        self.dispute = get_or_404(Dispute, dispute_id)
        if not disputes.can_view_dispute(self.user, self.dispute):
            abort(404)

    def can_access(self) -> bool:
        return disputes.can_view_dispute(self.user, self.dispute)

    def process(self, correct_form=None, reject_form=None):
        measurement = self.dispute.measurement
        if correct_form is None:
            correct_form = forms.CorrectionForm(
                formdata=None, prefix="correct",
                **{name: _plain(value) for name, value in disputes.values_of(measurement).items()})
        return render_template(
            "data/dispute_detail.html", dispute=self.dispute, measurement=measurement,
            cycle=db.session.get(Cycle, measurement.cycle_id),
            history=disputes.dispute_history(measurement), correct_form=correct_form,
            reject_form=reject_form or forms.RejectForm(formdata=None, prefix="reject"),
            can_resolve=disputes.can_resolve_disputes(self.user) and self.dispute.is_open,
            **LABELS)


def _plain(number: float | None) -> str:
    return "" if number is None else f"{number:g}"


class RHDisputeCorrect(RHDisputeDetail):
    """Resolve a dispute with corrected values (checked like an import row)."""

    methods = ["POST"]

    def can_access(self) -> bool:
        return disputes.can_resolve_disputes(self.user)

    def process(self):
        form = forms.CorrectionForm(prefix="correct")
        if form.validate_on_submit():
            raw = {name: form[name].data for name in disputes.VALUE_FIELDS}
            values, errors = disputes.check_values(self.dispute.measurement.indicator, raw)
            for name, message in errors.items():
                if name is None:
                    flash(message, "error")
                else:
                    form[name].errors.append(message)
            if not errors and self._apply(form, values):
                flash(_("The measurement has been corrected and the clinician told."), "success")
                return redirect(url_for("data.disputes"))
        return super().process(correct_form=form)

    def _apply(self, form, values) -> bool:
        try:
            disputes.correct_dispute(self.user, self.dispute, values, form.note.data)
        except disputes.DisputeError as error:
            attach_error(form, error)
            return False
        return True


class RHDisputeReject(RHDisputeDetail):
    """Resolve a dispute without changing the data, with the reason."""

    methods = ["POST"]

    def can_access(self) -> bool:
        return disputes.can_resolve_disputes(self.user)

    def process(self):
        form = forms.RejectForm(prefix="reject")
        if form.validate_on_submit():
            try:
                disputes.reject_dispute(self.user, self.dispute, form.note.data)
            except disputes.DisputeError as error:
                attach_error(form, error)
            else:
                flash(_("The dispute has been rejected and the clinician told."), "success")
                return redirect(url_for("data.disputes"))
        return super().process(reject_form=form)


# -- exemptions ------------------------------------------------------------------------------
class RHExemptions(RH):
    """Exemption requests: every one for administrators (who decide), managers' own scope."""

    def can_access(self) -> bool:
        return exemptions.can_request_exemptions(self.user)

    def process(self):
        cycles = quality.all_cycles()
        form = forms.ExemptionFilterForm(formdata=request.args)
        form.cycle.choices = forms.cycle_choices(cycles, _l("All cycles"))
        state = enum_or_none(ExemptionState, form.state.data or "requested")
        cycle_id = int_arg("cycle")
        cycle = next((c for c in cycles if c.id == cycle_id), None)
        page = paginate(exemptions.exemptions_select(self.user, state, cycle))
        return render_template(
            "data/exemptions.html", form=form, page=page, state=state,
            decision_form=forms.DecisionForm(formdata=None),
            can_decide=exemptions.can_decide_exemptions(self.user), **LABELS)


class RHExemptionCreate(RH):
    """Request an exemption for a staff member of one's departments."""

    methods = ["GET", "POST"]

    def load(self):
        staff_id = int_arg("staff")
        self.staff = get_or_404(Staff, staff_id) if staff_id is not None else None

    def can_access(self) -> bool:
        if self.staff is not None:
            return exemptions.can_request_exemption_for(self.user, self.staff)
        return exemptions.can_request_exemptions(self.user)

    def process(self):
        form = forms.ExemptionForm()
        cycles = exemptions.cycles_accepting_exemptions()
        self._fill_choices(form, cycles)
        if request.method == "GET":
            form.staff.data = str(self.staff.id) if self.staff else ""
            form.cycle.data = request.args.get("cycle", "")
        elif form.validate_on_submit():
            exemption = self._request(form)
            if exemption is not None:
                flash(_("The exemption of %(code)s for %(name)s has been requested; an "
                        "administrator will decide.", code=exemption.indicator.code,
                        name=exemption.staff.name), "success")
                return redirect(url_for("data.exemptions", state="all"))
        return render_template("data/exemption_form.html", form=form, cycles=cycles)

    def _fill_choices(self, form, cycles) -> None:
        form.cycle.choices = forms.cycle_choices(cycles, _l("— choose a cycle —"))
        form.staff.choices = forms.blank_and(_l("— choose a staff member —"), (
            (s.id, f"{s.name} · {s.employee_number} · {s.department.name}")
            for s in exemptions.staff_in_scope(self.user)))
        form.indicator.choices = forms.blank_and(_l("— choose an indicator —"), (
            (i.id, f"{i.code} · {i.name}") for i in exemptions.active_indicators()))

    def _request(self, form) -> Exemption | None:
        # Any cycle is looked up (not only those offered), so that a published one gets the
        # operation's clear refusal rather than a bare "choose one from the list".
        cycle = _chosen(form.cycle, Cycle)
        indicator = _chosen(form.indicator, Indicator)
        if None in (cycle, indicator, self.staff):
            return None
        try:
            return exemptions.request_exemption(self.user, cycle, self.staff, indicator,
                                                form.reason.data)
        except exemptions.ExemptionError as error:
            attach_error(form, error)
            return None


def _chosen(field, model):
    """The row a select field names; a field error when it names none."""
    value = field.data or ""
    row = db.session.get(model, int(value)) if value.isdigit() else None
    if row is None:
        field.errors.append(_l("Choose one from the list."))
        return None
    return row


class RHExemptionDecide(AdminRH):
    """Approve or reject a requested exemption."""

    methods = ["POST"]

    def load(self, exemption_id: int):
        self.exemption = get_or_404(Exemption, exemption_id)

    def process(self):
        form = forms.DecisionForm()
        if not form.validate_on_submit():
            flash(_("Choose to approve or to reject."), "error")
        else:
            try:
                exemptions.decide_exemption(self.user, self.exemption,
                                            form.decision.data == "approve", form.note.data)
            except exemptions.ExemptionError as error:
                flash(str(error.message), "error")
            else:
                flash(_("The exemption has been approved and the requester told.")
                      if self.exemption.state is ExemptionState.approved else
                      _("The exemption has been rejected and the requester told."), "success")
        return redirect(url_for("data.exemptions", cycle=self.exemption.cycle_id))


# -- data quality ----------------------------------------------------------------------------
def can_see_quality(user, department: Department | None = None) -> bool:
    """Administrators see every department; managers the ones they manage."""
    if department is not None:
        return user.is_admin or user.manages(department)
    return user.is_admin or user.is_manager


class RHQuality(RH):
    """Missing measurements per department and indicator for a cycle."""

    def load(self):
        self.cycles = quality.all_cycles()
        self.cycle = pick_cycle(self.cycles)

    def can_access(self) -> bool:
        return can_see_quality(self.user)

    def process(self):
        form = forms.CycleForm(formdata=None, cycle=str(self.cycle.id) if self.cycle else "")
        form.cycle.choices = forms.cycle_choices(self.cycles)
        table = page = None
        if self.cycle is not None:
            table = quality.quality_table(self.user, self.cycle)
            page = _page_of(table.rows)
        return render_template("data/quality.html", form=form, cycle=self.cycle, table=table,
                               page=page, serious=quality.SERIOUS_PERCENT)


def _page_of(rows: list) -> Page:
    """Paginate rows already computed (the table is built whole from a few aggregates)."""
    per_page = current_app.config["PAGE_SIZE"]
    pages = max(1, -(-len(rows) // per_page))
    number = min(requested_page(), pages)
    start = (number - 1) * per_page
    return Page(items=rows[start:start + per_page], page=number, per_page=per_page,
                total=len(rows))


class RHQualityMissing(RH):
    """Who lacks a measurement of one indicator in a cycle (optionally one department)."""

    def load(self):
        self.cycle = get_or_404(Cycle, int_arg("cycle") or 0)
        self.indicator = get_or_404(Indicator, int_arg("indicator") or 0)
        department_id = int_arg("department")
        self.department = (get_or_404(Department, department_id)
                           if department_id is not None else None)

    def can_access(self) -> bool:
        return can_see_quality(self.user, self.department)

    def process(self):
        page = paginate(quality.missing_staff_select(self.user, self.cycle, self.indicator,
                                                     self.department))
        return render_template("data/quality_missing.html", page=page, cycle=self.cycle,
                               indicator=self.indicator, department=self.department)
