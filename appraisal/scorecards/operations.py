"""Alarm operations: raise the alarms of a cycle, acknowledge one. They audit and never commit.

``refresh_alarms`` is idempotent (one alarm per cycle, staff member and indicator, whatever
how often or by how many processes it runs), so a page button and a scheduler job can both
call it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from appraisal.core import audit
from appraisal.core.db import utcnow
from appraisal.core.i18n import lazy_gettext as _l
from appraisal.cycles.models import Cycle, CycleState
from appraisal.extensions import db
from appraisal.indicators.models import Indicator
from appraisal.measurements.models import Alarm
from appraisal.org.models import StaffGroup
from appraisal.scorecards import loading, queries, rules
from appraisal.scorecards.display import result_value
from appraisal.scorecards.forms import NOTE_LENGTH
from appraisal.scoring import Outlier, OutlierLevel, ScoringError


class AlarmError(ValueError):
    """A refused alarm action; ``message`` says why, ``field`` names the form field."""

    def __init__(self, message, field: str | None = None):
        # The message stays lazy: a scheduler job has no request to pick a language from.
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass
class RefreshResult:
    """What a refresh did: the alarms raised now, and the cohorts that could not be scored."""

    raised: list[Alarm] = field(default_factory=list)
    already_known: int = 0
    failed: list[tuple[str, ScoringError]] = field(default_factory=list)


def refresh_alarms(actor, cycle: Cycle) -> RefreshResult:
    """Raise an alarm for everyone beyond a 99.8% funnel limit on the unfavourable side."""
    snapshot = loading.load([cycle.id], list(StaffGroup))
    existing = queries.existing_alarm_keys(cycle)
    result = RefreshResult()
    for cohort in snapshot.cohorts_in(cycle.id):
        try:
            outliers = cohort.score().outliers(OutlierLevel.alarm)
        except ScoringError as error:
            result.failed.append((cohort.scheme.name, error))
            continue
        indicators = {i.code: i for i in cohort.indicators}
        for outlier in outliers:
            if not outlier.position.unfavourable:
                continue
            indicator = indicators[outlier.indicator]
            if (outlier.key, indicator.id) in existing:
                result.already_known += 1
                continue
            # A risk-adjusted rate sits at its case-mix equivalent cases on the funnel; the
            # alarm keeps the real number of cases.
            cases = cohort.values_of(outlier.indicator, "denominator")[cohort.rows[outlier.key]]
            alarm = _insert_alarm(actor, cycle, indicator, outlier, float(cases))
            if alarm is not None:
                existing.add((outlier.key, indicator.id))
                result.raised.append(alarm)
    _notify_managers(cycle, result.raised)
    return result


def refresh_alarms_of_current_cycles(actor=None) -> dict[str, RefreshResult]:
    """Refresh every cycle still taking data (for the scheduler): {cycle name: result}."""
    cycles = db.session.scalars(select(Cycle).where(
        Cycle.state.in_((CycleState.open, CycleState.reviewing))).order_by(Cycle.start_date))
    return {cycle.name: refresh_alarms(actor, cycle) for cycle in cycles}


def _insert_alarm(actor, cycle: Cycle, indicator: Indicator, outlier: Outlier,
                  cases: float) -> Alarm | None:
    """Insert one alarm unless it exists (another process may have raised it a moment ago)."""
    position = outlier.position
    values = {"cycle_id": cycle.id, "staff_id": outlier.key, "indicator_id": indicator.id,
              "observed_rate": position.rate, "group_rate": position.theta0,
              "lower_limit": position.lower998, "upper_limit": position.upper998,
              "denominator": cases, "side": "high" if position.side == "above" else "low",
              "raised_at": utcnow(), "acknowledgement_note": ""}
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    statement = (dialect.insert(Alarm).values(**values)
                 .on_conflict_do_nothing(index_elements=["cycle_id", "staff_id", "indicator_id"])
                 .returning(Alarm.id))
    alarm_id = db.session.execute(statement).scalar()
    if alarm_id is None:
        return None
    alarm = db.session.get(Alarm, alarm_id)
    audit.record(actor, "alarm.raised", alarm, new={
        key: values[key] for key in ("cycle_id", "staff_id", "indicator_id", "observed_rate",
                                     "group_rate", "lower_limit", "upper_limit", "denominator",
                                     "side")})
    return alarm


def _notify_managers(cycle: Cycle, alarms: list[Alarm]) -> None:
    """Tell the managers of each flagged person's department (and above) about the alarm."""
    if not alarms:
        return
    try:
        from appraisal.notifications.operations import notify, recipient_locale
    except ImportError:  # notifications are optional for the alarm itself
        return
    ancestors = {a.id: set(a.staff.department.ancestor_ids) for a in alarms}
    grants = queries.manager_grants(set().union(*ancestors.values()))
    link = _alarms_link(cycle)
    for alarm in alarms:
        recipients = {g.user for g in grants if g.department_id in ancestors[alarm.id]}
        for user in sorted(recipients, key=lambda u: u.id):
            with recipient_locale(user):
                notify(user, "alarm", _alarm_subject(alarm, cycle), _alarm_body(alarm), link)


def _alarms_link(cycle: Cycle) -> str | None:
    try:
        return url_for("scorecards.alarms", cycle=cycle.id, _external=False)
    except RuntimeError:  # a scheduler job without SERVER_NAME: the inbox shows no link
        return None


def _alarm_subject(alarm: Alarm, cycle: Cycle) -> str:
    return _("Outlier alarm: %(staff)s, %(indicator)s (%(cycle)s)", staff=alarm.staff.name,
             indicator=alarm.indicator.name, cycle=cycle.name)


def _alarm_body(alarm: Alarm) -> str:
    indicator = alarm.indicator
    return _("%(staff)s: %(indicator)s of %(rate)s with %(n)s cases lies beyond the 99.8%% "
             "control limits (%(lower)s to %(upper)s) around the group rate %(group)s, on the "
             "unfavourable side. Please look into it and acknowledge the alarm on the alarms "
             "page.", staff=alarm.staff.name, indicator=indicator.name,
             rate=result_value(indicator, alarm.observed_rate), n=f"{alarm.denominator:g}",
             lower=result_value(indicator, alarm.lower_limit),
             upper=result_value(indicator, alarm.upper_limit),
             group=result_value(indicator, alarm.group_rate))


def acknowledge_alarm(actor, alarm: Alarm, note: str) -> None:
    """Record that a manager has looked at an alarm, with what they found or decided."""
    if not rules.can_acknowledge_alarm(actor, alarm):
        raise PermissionError("only a manager of this person's department acknowledges")
    if alarm.acknowledged_at is not None:
        raise AlarmError(_l("This alarm was already acknowledged."))
    note = (note or "").strip()
    if not note:
        raise AlarmError(_l("Say what was looked at or decided."), "note")
    old, new = audit.changes(alarm, {
        "acknowledged_by_id": actor.id, "acknowledged_at": utcnow(),
        "acknowledgement_note": note[:NOTE_LENGTH]})
    audit.record(actor, "alarm.acknowledged", alarm, old=old, new=new)
