"""Result pages: scorecards with the what-if panel, department results, alarms."""

from __future__ import annotations

from flask import (
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from wtforms import SelectChoice

from appraisal.core.handlers import RH, get_or_404
from appraisal.core.pagination import Page, paginate, requested_page
from appraisal.cycles.models import Cycle
from appraisal.extensions import db
from appraisal.measurements.models import Alarm
from appraisal.org.models import Department, Staff, StaffGroup
from appraisal.scorecards import cards, charts, display, forms, loading, operations, queries, rules
from appraisal.scorecards import department as results
from appraisal.scorecards.display import scoring_error_message
from appraisal.scoring import ScoringError


class WriteRefused(RuntimeError):
    """A page that must never write tried to (a programming error, never a user's)."""


def ensure_nothing_written() -> None:
    """The what-if is posted (CSRF, no caching) but must not change anything: the request
    commits POSTs, so refuse loudly if any object was added, changed or deleted."""
    session = db.session
    if session.new or session.deleted or any(session.is_modified(o) for o in session.dirty):
        raise WriteRefused("a what-if must not change the database")


# -- scorecards ---------------------------------------------------------------------------------
class RHMyScorecard(RH):
    """The logged-in clinician's own scorecard, for the newest cycle with data."""

    def can_access(self) -> bool:
        return self.user.staff_id is not None

    def process(self):
        cycle = (queries.newest_cycle_with_data(self.user.staff_id)
                 or next(iter(queries.result_cycles()), None))
        if cycle is None:
            return render_template("scorecards/no_cycles.html")
        return redirect(url_for("scorecards.person", staff_id=self.user.staff_id,
                                cycle_id=cycle.id))


class RHScorecard(RH):
    """One person's scorecard for one cycle: every indicator, its steps, the what-if panel."""

    def load(self, staff_id: int, cycle_id: int):
        self.staff = get_or_404(Staff, staff_id)
        self.cycle = get_or_404(Cycle, cycle_id)

    def can_access(self) -> bool:
        return rules.can_view_scorecard(self.user, self.staff)

    def process(self):
        return self.render()

    def prepare(self) -> None:
        """Load the person's comparison group and score it (a fixed number of statements)."""
        snapshot = loading.load([self.cycle.id], [self.staff.staff_group],
                                disputes_of=self.cycle.id)
        self.cohort = snapshot.cohort_of(self.cycle.id, self.staff.id)
        self.disputed = {code for cycle_id, staff_id, code in snapshot.disputed
                         if staff_id == self.staff.id}
        self.card, self.error = None, None
        if self.cohort is not None:
            try:
                self.card = cards.scorecard(self.cohort, self.staff.id, self.disputed)
            except ScoringError as error:
                self.error = scoring_error_message(error, self.cohort)

    def whatif_form(self, posted: bool = False):
        items = list(self.cohort.scheme.items)
        return forms.whatif_form(items, self.cohort.inputs_of(self.staff.id),
                                 self.cohort.exempted_of(self.staff.id),
                                 posted=posted)

    def render(self, form=None, simulated=None, simulation_error=None):
        if not hasattr(self, "cohort"):
            self.prepare()
        if form is None and self.card is not None:
            form = self.whatif_form()
        return render_template(
            "scorecards/scorecard.html", staff=self.staff, cycle=self.cycle,
            cycles=queries.result_cycles(), cohort=self.cohort, card=self.card,
            error=self.error, form=form, simulated=simulated,
            simulation_error=simulation_error, field_name=forms.field_name,
            overall_change=display.signed(cards.difference(
                self.card.overall if self.card else None,
                simulated.overall if simulated else None)),
            comparison=display.comparison_label(self.cohort, self.staff))


class RHWhatIf(RHScorecard):
    """The scorecard again with changed inputs, next to the real one; nothing is saved."""

    methods = ["POST"]

    def can_access(self) -> bool:
        return rules.can_simulate(self.user, self.staff)

    def simulate(self):
        """(form, simulated card or None, error message or None) for the posted inputs."""
        self.prepare()
        if self.card is None:
            return None, None, None
        form = self.whatif_form(posted=True)
        items = list(self.cohort.scheme.items)
        valid = form.validate_on_submit()
        valid = forms.check_rates(form, items) and valid  # both run: every field its message
        if not valid:
            return form, None, None
        measurements, exempted = forms.posted_inputs(form, items)
        try:
            simulated = cards.what_if(self.cohort, self.staff.id, measurements, exempted,
                                      self.disputed)
        except ScoringError as error:
            return form, None, scoring_error_message(error, self.cohort)
        finally:
            ensure_nothing_written()
        return form, simulated, None

    def process(self):
        form, simulated, error = self.simulate()
        if form is None:
            return self.render()
        return self.render(form=form, simulated=simulated, simulation_error=error)


class RHWhatIfJson(RHWhatIf):
    """The same simulation for whatif.js: the new numbers as JSON, at once."""

    def process(self):
        form, simulated, error = self.simulate()
        if form is None:
            return jsonify(ok=False, message=self.error or _("There is nothing to simulate.")), 409
        if simulated is None:
            return jsonify(ok=False, message=error or _("Please correct the fields marked."),
                           errors={name: [str(e) for e in field.errors]
                                   for name, field in form._fields.items() if field.errors}), 422
        return jsonify(display.whatif_payload(self.card, simulated))


# -- department results -------------------------------------------------------------------------
class RHDepartments(RH):
    """The departments whose results the user may open."""

    def can_access(self) -> bool:
        return rules.can_list_department_results(self.user)

    def process(self):
        page = paginate(queries.departments_in_scope_select(self.user))
        return render_template("scorecards/departments.html", page=page)


class RHDepartment(RH):
    """A department's results: staff x indicator table, funnel plots, trend."""

    def load(self, department_id: int):
        self.department = get_or_404(Department, department_id)

    def can_access(self) -> bool:
        return rules.can_view_department_results(self.user, self.department)

    def process(self):
        cycles = queries.result_cycles()
        cycle = _chosen_cycle(cycles, request.args.get("cycle"))
        groups = queries.groups_within(self.department)
        group = _chosen_group(groups, request.args.get("group"))
        filters = forms.DepartmentFilterForm(formdata=None, cycle=str(cycle.id) if cycle else "",
                                             group=group.value if group else "")
        filters.cycle.choices = [SelectChoice(str(c.id), c.name) for c in cycles]
        filters.group.choices = [SelectChoice(g.value, g.label) for g in groups]
        context = {"department": self.department, "cycle": cycle, "group": group,
                   "filters": filters, "results": None}
        if cycle is not None and group is not None:
            context.update(self.results(cycles, cycle, group))
        return render_template("scorecards/department.html", **context)

    def results(self, cycles, cycle, group) -> dict:
        trend_cycles = queries.earlier_cycles(cycle, cycles, results.TREND_CYCLES)
        snapshot = loading.load([c.id for c in trend_cycles], [group])
        alarms = queries.alarm_keys_within(cycle, self.department)
        found = results.department_results(snapshot, trend_cycles, self.department, group,
                                           alarms)
        sort = request.args.get("sort", "name")
        rows = results.sort_rows(found.rows, sort)
        return {"results": found, "sort": sort, "page": _page(rows),
                "funnels": [charts.funnel_chart(f) for f in found.funnels],
                "trend": charts.trend_charts(found),
                "status_labels": display.CELL_STATUS_LABELS,
                "position_label": display.position_label,
                "error_message": lambda error: scoring_error_message(error, None)}


def _chosen_cycle(cycles: list[Cycle], wanted: str | None) -> Cycle | None:
    if wanted and wanted.isdigit():
        for cycle in cycles:
            if cycle.id == int(wanted):
                return cycle
        abort(404)
    return queries.newest_cycle_with_any_data(cycles)


def _chosen_group(groups: list[StaffGroup], wanted: str | None) -> StaffGroup | None:
    if wanted:
        for group in groups:
            if group.value == wanted:
                return group
    return groups[0] if groups else None


def _page(rows: list) -> Page:
    """Paginate rows computed in Python, with the same pager as the SQL lists."""
    per_page = current_app.config["PAGE_SIZE"]
    pages = max(1, -(-len(rows) // per_page))
    page = min(requested_page(), pages)
    start = (page - 1) * per_page
    return Page(items=rows[start:start + per_page], page=page, per_page=per_page,
                total=len(rows))


# -- alarms -------------------------------------------------------------------------------------
class RHAlarms(RH):
    """The alarms of the departments the user manages (all of them for administrators)."""

    def can_access(self) -> bool:
        return rules.can_view_alarms(self.user)

    def process(self):
        return self.render()

    def render(self, failed=None, refresh_form=None):
        cycles = queries.result_cycles()
        if request.method == "GET":
            filters = forms.AlarmFilterForm(request.args)
        else:
            filters = forms.AlarmFilterForm(formdata=None)
        filters.state.data = filters.state.data or "open"
        filters.cycle.choices = [SelectChoice("", _("All cycles"))] + [
            SelectChoice(str(c.id), c.name) for c in cycles]
        cycle = next((c for c in cycles if str(c.id) == (filters.cycle.data or "")), None)
        page = paginate(queries.alarms_select(self.user, cycle, filters.state.data))
        refresh_form = refresh_form or forms.RefreshAlarmsForm(
            formdata=None, cycle=str(cycle.id) if cycle else "")
        refresh_form.cycle.choices = [SelectChoice(str(c.id), c.name) for c in cycles]
        return render_template(
            "scorecards/alarms.html", page=page, filters=filters, cycles={c.id: c for c in cycles},
            acknowledged_by=queries.users_by_id({a.acknowledged_by_id for a in page.items
                                                 if a.acknowledged_by_id}),
            failed=failed or (None, None), ack_form=forms.AcknowledgeForm(formdata=None),
            refresh_form=refresh_form, can_refresh=rules.can_refresh_alarms(self.user),
            can_acknowledge=lambda alarm: rules.can_acknowledge_alarm(self.user, alarm))


class RHAlarmsRefresh(RHAlarms):
    """Recompute the funnels of a cycle and raise the new alarms (idempotent)."""

    methods = ["POST"]

    def can_access(self) -> bool:
        return rules.can_refresh_alarms(self.user)

    def process(self):
        form = forms.RefreshAlarmsForm()
        chosen = form.cycle.data or ""
        cycle = db.session.get(Cycle, int(chosen)) if chosen.isdigit() else None
        if not form.validate_on_submit() or cycle is None:
            form.cycle.errors = list(form.cycle.errors) + [_("Choose a cycle from the list.")]
            return self.render(refresh_form=form)
        outcome = operations.refresh_alarms(self.user, cycle)
        flash(ngettext("%(num)d new alarm raised.", "%(num)d new alarms raised.",
                       len(outcome.raised)) + " " +
              _("%(n)s alarm(s) were already known.", n=outcome.already_known), "success")
        for scheme_name, error in outcome.failed:
            flash(_("%(scheme)s could not be scored: %(reason)s", scheme=scheme_name,
                    reason=scoring_error_message(error, None)), "error")
        return redirect(url_for("scorecards.alarms", cycle=cycle.id, state="open"))


class RHAlarmAcknowledge(RHAlarms):
    """Acknowledge one alarm with a note."""

    methods = ["POST"]

    def load(self, alarm_id: int):
        self.alarm = get_or_404(Alarm, alarm_id)

    def can_access(self) -> bool:
        return rules.can_acknowledge_alarm(self.user, self.alarm)

    def process(self):
        form = forms.AcknowledgeForm()
        if form.validate_on_submit():
            try:
                operations.acknowledge_alarm(self.user, self.alarm, form.note.data)
            except operations.AlarmError as error:
                if error.field:
                    form[error.field].errors.append(error.message)
                else:
                    flash(str(error.message), "error")
                    return redirect(url_for("scorecards.alarms"))
            else:
                flash(_("The alarm for %(staff)s is acknowledged.", staff=self.alarm.staff.name),
                      "success")
                return redirect(url_for("scorecards.alarms", cycle=self.alarm.cycle_id))
        flash(_("The alarm was not acknowledged: please correct the note."), "error")
        return self.render(failed=(self.alarm.id, form))
