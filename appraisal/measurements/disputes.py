"""Data disputes: a clinician flags one of their measurements as wrong; the data steward
corrects it or rejects the dispute with a reason.

Nothing is lost: the dispute keeps the values the clinician disputed and the corrected ones,
the measurement carries the corrected values (so scores follow the resolution), and the audit
log records the old and new values of both. Operations never commit.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import Select, select
from sqlalchemy.orm import contains_eager, joinedload

from appraisal.core import audit
from appraisal.core.db import utcnow
from appraisal.core.i18n import lazy_gettext as _l
from appraisal.cycles.models import Cycle, CycleState
from appraisal.extensions import db
from appraisal.indicators.models import Indicator
from appraisal.measurements.importing import Context, IndicatorRef, validate_batch
from appraisal.measurements.models import Dispute, DisputeState, Measurement

VALUE_FIELDS = ("numerator", "denominator", "value", "expected")
REASON_LENGTH = 2000

DISPUTE_STATE_LABELS = {
    DisputeState.open: _l("Open"),
    DisputeState.corrected: _l("Corrected"),
    DisputeState.rejected: _l("Rejected"),
}
DISPUTE_STATE_TAGS = {
    DisputeState.open: "tag-warn",
    DisputeState.corrected: "tag-ok",
    DisputeState.rejected: "tag-bad",
}


class DisputeError(ValueError):
    """A refused dispute action; ``message`` says why, ``field`` names the form field."""

    def __init__(self, message, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field


# -- rules (pure: they read only loaded attributes) ----------------------------------------
def owns_measurement(user, measurement: Measurement) -> bool:
    """Only the person measured may dispute a measurement (nobody disputes for them)."""
    return user.staff_id is not None and user.staff_id == measurement.staff_id


def can_view_dispute(user, dispute: Dispute) -> bool:
    """The data steward sees every dispute; a clinician only those about their own data."""
    return user.is_admin or owns_measurement(user, dispute.measurement)


def can_resolve_disputes(user) -> bool:
    return user.is_admin


def accepts_disputes(cycle: Cycle) -> bool:
    """Published and closed cycles are frozen: their data can no longer be disputed."""
    return not cycle.is_frozen


# -- values, validated like an import row (pure) -------------------------------------------
def values_of(measurement: Measurement) -> dict:
    return {name: getattr(measurement, name) for name in VALUE_FIELDS}


def check_values(indicator: Indicator, raw: Mapping[str, str | None]) -> tuple[dict, dict]:
    """Check corrected values exactly as an import row: (values, {field: message}).

    The import's own validation runs on a one-row batch, so a correction can never hold a
    value an import would refuse (numerator > denominator, negative, implausible...).
    """
    cells = {name: raw.get(name) for name in VALUE_FIELDS}
    cells.update(employee_number="-", indicator_code=indicator.code)
    context = Context(cycle_name="", cycle_state="", accepts_measurements=True,
                      staff={"-": 0}, indicators={indicator.code.casefold(): _ref(indicator)})
    checked = validate_batch([(1, cells)], context, csv=False)
    if checked.errors:
        errors: dict[str | None, list[str]] = {}
        for error in checked.errors:
            key = error.field if error.field in VALUE_FIELDS else None
            errors.setdefault(key, []).append(str(error.message))
        return {}, {key: " ".join(messages) for key, messages in errors.items()}
    row = checked.rows[0]
    return {name: getattr(row, name) for name in VALUE_FIELDS}, {}


def _ref(indicator: Indicator) -> IndicatorRef:
    return IndicatorRef(indicator.id, indicator.code, indicator.name, indicator.kind,
                        indicator.active, indicator.risk_adjustable, indicator.plausible_min,
                        indicator.plausible_max)


# -- queries -------------------------------------------------------------------------------
def visible_cycles() -> list[Cycle]:
    """Cycles that can hold measurements (not drafts), newest first."""
    return list(db.session.scalars(
        select(Cycle).where(Cycle.state != CycleState.draft)
        .order_by(Cycle.start_date.desc(), Cycle.id.desc())))


def my_measurements_select(staff_id: int, cycle: Cycle) -> Select:
    """One person's measurements in a cycle, with indicator and batch in the same query."""
    return (select(Measurement).join(Measurement.indicator).join(Measurement.batch)
            .options(contains_eager(Measurement.indicator), contains_eager(Measurement.batch))
            .where(Measurement.staff_id == staff_id, Measurement.cycle_id == cycle.id)
            .order_by(Indicator.code, Measurement.id))


def latest_disputes(measurement_ids: Iterable[int]) -> dict[int, Dispute]:
    """The most recent dispute of each of these measurements (one statement)."""
    ids = list(measurement_ids)
    if not ids:
        return {}
    rows = db.session.scalars(select(Dispute).where(Dispute.measurement_id.in_(ids))
                              .order_by(Dispute.raised_at, Dispute.id))
    return {dispute.measurement_id: dispute for dispute in rows}


def open_dispute_of(measurement: Measurement) -> Dispute | None:
    return db.session.scalars(select(Dispute).where(
        Dispute.measurement_id == measurement.id, Dispute.state == DisputeState.open)).first()


def disputed_codes(cycle: Cycle | int) -> set[tuple[int, str]]:
    """(staff id, indicator code) of the cycle's measurements that have an open dispute."""
    cycle_id = getattr(cycle, "id", cycle)
    return set(db.session.execute(
        select(Measurement.staff_id, Indicator.code).select_from(Dispute)
        .join(Dispute.measurement).join(Measurement.indicator)
        .where(Measurement.cycle_id == cycle_id, Dispute.state == DisputeState.open)))


def disputes_select(state: DisputeState | None, cycle: Cycle | None) -> Select:
    """The steward's queue: open disputes oldest first, resolved ones newest first."""
    query = (select(Dispute).join(Dispute.measurement).join(Measurement.staff)
             .join(Measurement.indicator)
             .options(contains_eager(Dispute.measurement).contains_eager(Measurement.staff),
                      contains_eager(Dispute.measurement).contains_eager(Measurement.indicator)))
    if state is not None:
        query = query.where(Dispute.state == state)
    if cycle is not None:
        query = query.where(Measurement.cycle_id == cycle.id)
    if state is DisputeState.open:
        return query.order_by(Dispute.raised_at, Dispute.id)
    return query.order_by(Dispute.raised_at.desc(), Dispute.id.desc())


def dispute_history(measurement: Measurement) -> list[Dispute]:
    """Every dispute of a measurement, oldest first, with who raised and resolved it."""
    return list(db.session.scalars(
        select(Dispute).where(Dispute.measurement_id == measurement.id)
        .options(joinedload(Dispute.raised_by), joinedload(Dispute.resolved_by))
        .order_by(Dispute.raised_at, Dispute.id)))


# -- operations ----------------------------------------------------------------------------
def raise_dispute(actor, measurement: Measurement, reason: str) -> Dispute:
    """Flag one of the actor's own measurements as wrong, with a reason."""
    if not owns_measurement(actor, measurement):
        raise PermissionError("only the person measured may dispute a measurement")
    cycle = db.session.get(Cycle, measurement.cycle_id)
    if not accepts_disputes(cycle):
        raise DisputeError(_l("%(cycle)s is %(state)s: its data can no longer be disputed.",
                              cycle=cycle.name, state=cycle.state.label))
    reason = (reason or "").strip()
    if not reason:
        raise DisputeError(_l("Say what is wrong with this measurement."), "reason")
    if open_dispute_of(measurement) is not None:
        raise DisputeError(_l("This measurement is already disputed; the data steward has "
                              "not answered yet."))
    dispute = Dispute(measurement=measurement, raised_by=actor,
                      reason=reason[:REASON_LENGTH], state=DisputeState.open,
                      raised_at=utcnow(), original_values=values_of(measurement))
    db.session.add(dispute)
    db.session.flush()
    audit.record(actor, "dispute.raised", dispute, new={
        "measurement_id": measurement.id, "reason": dispute.reason,
        "original_values": dispute.original_values})
    return dispute


def correct_dispute(actor, dispute: Dispute, values: dict, note: str) -> None:
    """Resolve a dispute by correcting the measurement; both values stay on the dispute."""
    _check_can_resolve(actor, dispute)
    measurement = dispute.measurement
    cycle = db.session.get(Cycle, measurement.cycle_id)
    if cycle.is_frozen:
        raise DisputeError(_l("%(cycle)s is %(state)s: its measurements are frozen. Reject the "
                              "dispute with an explanation instead.",
                              cycle=cycle.name, state=cycle.state.label))
    old, new = audit.changes(measurement, {name: values[name] for name in VALUE_FIELDS})
    if not new:
        raise DisputeError(_l("These are the values the measurement already has. Change a "
                              "value, or reject the dispute with a reason."))
    audit.record(actor, "measurement.corrected", measurement, old=old,
                 new=dict(new, dispute_id=dispute.id))
    _resolve(actor, dispute, DisputeState.corrected, note, corrected=values_of(measurement))


def reject_dispute(actor, dispute: Dispute, note: str) -> None:
    """Resolve a dispute without changing the data; the reason is required."""
    _check_can_resolve(actor, dispute)
    if not (note or "").strip():
        raise DisputeError(_l("Say why the measurement stays as it is."), "note")
    _resolve(actor, dispute, DisputeState.rejected, note, corrected=None)


def _check_can_resolve(actor, dispute: Dispute) -> None:
    if not can_resolve_disputes(actor):
        raise PermissionError("only the data steward resolves disputes")
    if not dispute.is_open:
        raise DisputeError(_l("This dispute was already resolved (%(state)s).",
                              state=DISPUTE_STATE_LABELS[dispute.state]))


def _resolve(actor, dispute: Dispute, state: DisputeState, note: str, corrected) -> None:
    old, new = audit.changes(dispute, {
        "state": state, "resolved_by_id": actor.id, "resolved_at": utcnow(),
        "resolution_note": (note or "").strip()[:REASON_LENGTH], "corrected_values": corrected})
    dispute.resolved_by = actor
    audit.record(actor, f"dispute.{state.value}", dispute, old=old, new=new)
    _notify_outcome(dispute)


def _notify_outcome(dispute: Dispute) -> None:
    """Tell the clinician how their dispute ended, in their own language."""
    from appraisal.notifications.operations import notify, recipient_locale

    recipient = dispute.raised_by
    indicator = dispute.measurement.indicator
    with recipient_locale(recipient):
        if dispute.state is DisputeState.corrected:
            subject = _("Your data dispute about %(indicator)s: the measurement was corrected",
                        indicator=indicator.name)
        else:
            subject = _("Your data dispute about %(indicator)s was rejected",
                        indicator=indicator.name)
        body = _("The data steward's note: %(note)s",
                 note=dispute.resolution_note or _("(none)"))
    notify(recipient, "dispute_resolved", subject, body,
           url_for("data.dispute_detail", dispute_id=dispute.id))
