"""Exemptions: a manager asks that one indicator not count for one person in one cycle (an
external cause: long sick leave, a rotation, a closed ward...), and an administrator decides.

Only approved exemptions count: the scoring core leaves the indicator out and renormalises
the weights. Operations check everything first, audit, notify, and never commit.
"""

from __future__ import annotations

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
from appraisal.measurements.models import Exemption, ExemptionState
from appraisal.measurements.quality import latest_schemes, scheme_for, scheme_indicators
from appraisal.org.models import Staff
from appraisal.org.queries import scope_clause

REASON_LENGTH = 2000

EXEMPTION_STATE_LABELS = {
    ExemptionState.requested: _l("Waiting for a decision"),
    ExemptionState.approved: _l("Approved"),
    ExemptionState.rejected: _l("Rejected"),
}
EXEMPTION_STATE_TAGS = {
    ExemptionState.requested: "tag-warn",
    ExemptionState.approved: "tag-ok",
    ExemptionState.rejected: "tag-bad",
}


class ExemptionError(ValueError):
    """A refused exemption action; ``message`` says why, ``field`` names the form field."""

    def __init__(self, message, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field


# -- rules (pure) --------------------------------------------------------------------------
def can_request_exemptions(user) -> bool:
    """Managers ask for their staff; the performance office may ask for anyone."""
    return user.is_admin or user.is_manager


def can_request_exemption_for(user, staff: Staff) -> bool:
    return user.is_admin or user.manages(staff.department)


def can_view_exemption(user, exemption: Exemption) -> bool:
    return can_request_exemption_for(user, exemption.staff)


def can_decide_exemptions(user) -> bool:
    return user.is_admin


def accepts_exemptions(cycle: Cycle) -> bool:
    """A published or closed cycle's results are frozen: nothing can be exempted any more."""
    return not cycle.is_frozen


# -- queries -------------------------------------------------------------------------------
def approved_exemptions(cycle: Cycle | int) -> dict[int, set[str]]:
    """{staff id: codes of the indicators exempted for them} for a cycle (one statement)."""
    cycle_id = getattr(cycle, "id", cycle)
    rows = db.session.execute(
        select(Exemption.staff_id, Indicator.code).join(Exemption.indicator)
        .where(Exemption.cycle_id == cycle_id, Exemption.state == ExemptionState.approved))
    result: dict[int, set[str]] = {}
    for staff_id, code in rows:
        result.setdefault(staff_id, set()).add(code)
    return result


def exempted_indicator_ids(cycle: Cycle, staff_id: int) -> set[int]:
    """Indicators exempted (approved) for one person in a cycle."""
    return set(db.session.scalars(select(Exemption.indicator_id).where(
        Exemption.cycle_id == cycle.id, Exemption.staff_id == staff_id,
        Exemption.state == ExemptionState.approved)))


def cycles_accepting_exemptions() -> list[Cycle]:
    return list(db.session.scalars(
        select(Cycle).where(Cycle.state.not_in([CycleState.published, CycleState.closed]))
        .order_by(Cycle.start_date.desc(), Cycle.id.desc())))


def staff_in_scope(user) -> list[Staff]:
    """Active staff the user may request exemptions for, with their departments."""
    query = (select(Staff).join(Staff.department).options(contains_eager(Staff.department))
             .where(Staff.active).order_by(Staff.name, Staff.id))
    clause = scope_clause(user)
    return list(db.session.scalars(query if clause is None else query.where(clause)))


def active_indicators() -> list[Indicator]:
    return list(db.session.scalars(
        select(Indicator).where(Indicator.active).order_by(Indicator.code)))


def exemptions_select(user, state: ExemptionState | None, cycle: Cycle | None) -> Select:
    """Exemptions the user may see: all for admins, their departments' for managers."""
    query = (select(Exemption).join(Exemption.staff).join(Staff.department)
             .options(contains_eager(Exemption.staff).contains_eager(Staff.department),
                      joinedload(Exemption.indicator), joinedload(Exemption.cycle),
                      joinedload(Exemption.requested_by), joinedload(Exemption.decided_by)))
    clause = scope_clause(user)
    if clause is not None:
        query = query.where(clause)
    if state is not None:
        query = query.where(Exemption.state == state)
    if cycle is not None:
        query = query.where(Exemption.cycle_id == cycle.id)
    return query.order_by(Exemption.requested_at.desc(), Exemption.id.desc())


def existing_exemption(cycle: Cycle, staff: Staff, indicator: Indicator) -> Exemption | None:
    return db.session.scalars(select(Exemption).where(
        Exemption.cycle_id == cycle.id, Exemption.staff_id == staff.id,
        Exemption.indicator_id == indicator.id)).first()


# -- operations ----------------------------------------------------------------------------
def request_exemption(actor, cycle: Cycle, staff: Staff, indicator: Indicator,
                      reason: str) -> Exemption:
    """Ask that ``indicator`` not count for ``staff`` in ``cycle``; an administrator decides."""
    if not can_request_exemption_for(actor, staff):
        raise PermissionError("only the staff member's manager may request an exemption")
    reason = (reason or "").strip()[:REASON_LENGTH]
    existing = existing_exemption(cycle, staff, indicator)
    _check_request(cycle, staff, indicator, reason, existing)
    if existing is not None:
        return _request_again(actor, existing, reason)
    exemption = Exemption(cycle=cycle, staff=staff, indicator=indicator, reason=reason,
                          state=ExemptionState.requested, requested_by=actor,
                          requested_at=utcnow())
    db.session.add(exemption)
    db.session.flush()
    audit.record(actor, "exemption.requested", exemption, new={
        "cycle_id": cycle.id, "staff_id": staff.id, "indicator": indicator.code,
        "reason": reason})
    return exemption


def _check_request(cycle: Cycle, staff: Staff, indicator: Indicator, reason: str,
                   existing: Exemption | None) -> None:
    if not accepts_exemptions(cycle):
        raise ExemptionError(_l("%(cycle)s is %(state)s: its results are frozen and nothing "
                                "can be exempted any more.", cycle=cycle.name,
                                state=cycle.state.label), "cycle")
    if not staff.active:
        raise ExemptionError(_l("%(name)s is no longer active.", name=staff.name), "staff")
    scheme = scheme_for(latest_schemes(cycle), staff.staff_group, staff.department)
    if indicator.id not in scheme_indicators(scheme):
        raise ExemptionError(_l("%(code)s is not in the scheme that applies to %(name)s in "
                                "%(cycle)s, so there is nothing to exempt.",
                                code=indicator.code, name=staff.name, cycle=cycle.name),
                             "indicator")
    if not reason:
        raise ExemptionError(_l("Give the reason (the external cause) for the exemption."),
                             "reason")
    names = {"code": indicator.code, "name": staff.name, "cycle": cycle.name}
    if existing is not None and existing.state is ExemptionState.approved:
        raise ExemptionError(_l("%(code)s is already exempted for %(name)s in %(cycle)s.",
                                **names), "indicator")
    if existing is not None and existing.state is ExemptionState.requested:
        raise ExemptionError(_l("An exemption of %(code)s for %(name)s in %(cycle)s was "
                                "already requested and is waiting for a decision.", **names),
                             "indicator")


def _request_again(actor, exemption: Exemption, reason: str) -> Exemption:
    """A rejected request asked again: the row starts over; the audit log keeps the past."""
    old, new = audit.changes(exemption, {
        "state": ExemptionState.requested, "reason": reason, "requested_by_id": actor.id,
        "requested_at": utcnow(), "decided_by_id": None, "decided_at": None,
        "decision_note": ""})
    exemption.requested_by, exemption.decided_by = actor, None
    audit.record(actor, "exemption.requested", exemption, old=old, new=new)
    return exemption


def decide_exemption(actor, exemption: Exemption, approve: bool, note: str) -> None:
    """Approve or reject a requested exemption (a rejection needs a reason)."""
    if not can_decide_exemptions(actor):
        raise PermissionError("only an administrator decides exemptions")
    if exemption.state is not ExemptionState.requested:
        raise ExemptionError(_l("This request was already decided (%(state)s).",
                                state=EXEMPTION_STATE_LABELS[exemption.state]))
    if not accepts_exemptions(exemption.cycle):
        raise ExemptionError(_l("%(cycle)s is %(state)s: its results are frozen.",
                                cycle=exemption.cycle.name, state=exemption.cycle.state.label))
    note = (note or "").strip()[:REASON_LENGTH]
    if not approve and not note:
        raise ExemptionError(_l("Say why the exemption is rejected."), "note")
    state = ExemptionState.approved if approve else ExemptionState.rejected
    old, new = audit.changes(exemption, {"state": state, "decided_by_id": actor.id,
                                         "decided_at": utcnow(), "decision_note": note})
    exemption.decided_by = actor
    audit.record(actor, f"exemption.{state.value}", exemption, old=old, new=new)
    _notify_requester(exemption)


def _notify_requester(exemption: Exemption) -> None:
    """Tell the requesting manager the decision, in their own language."""
    from appraisal.notifications.operations import notify, recipient_locale

    recipient = exemption.requested_by
    names = {"code": exemption.indicator.code, "name": exemption.staff.name,
             "cycle": exemption.cycle.name}
    with recipient_locale(recipient):
        if exemption.state is ExemptionState.approved:
            subject = _("Exemption approved: %(code)s for %(name)s in %(cycle)s", **names)
        else:
            subject = _("Exemption rejected: %(code)s for %(name)s in %(cycle)s", **names)
        body = _("The administrator's note: %(note)s",
                 note=exemption.decision_note or _("(none)"))
    notify(recipient, "exemption_decided", subject, body,
           url_for("data.exemptions", cycle=exemption.cycle_id, state="all"))
