"""Alarms: raised after scoring for unfavourable 99.8% outliers only, idempotent, audited,
the managers told; listed per department scope; acknowledged with a note."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from appraisal.core.audit import AuditEntry
from appraisal.core.db import utcnow
from appraisal.cycles.models import CycleState
from appraisal.extensions import db
from appraisal.measurements.models import Alarm, Measurement
from appraisal.notifications.models import Notification
from appraisal.org.models import DepartmentKind, StaffGroup
from appraisal.scorecards import loading
from appraisal.scorecards.operations import (
    AlarmError,
    acknowledge_alarm,
    refresh_alarms,
    refresh_alarms_of_current_cycles,
)
from appraisal.scoring import OutlierLevel
from tests.scorecards import factories
from tests.scorecards.helpers import text_of


@pytest.fixture
def ward(make):
    division = make.department("Medicine", kind=DepartmentKind.division)
    ward = factories.ward(make, size=12, parent=division)
    ward.manager = make.user(manages=(division,))
    ward.admin = make.admin()
    ward.other_manager = make.user(manages=(make.department("Surgery"),))
    db.session.commit()
    return ward


def alarms():
    return list(db.session.scalars(select(Alarm).order_by(Alarm.id)))


def test_only_unfavourable_outliers_raise_an_alarm(ward):
    outcome = refresh_alarms(ward.admin, ward.cycle)
    raised = alarms()
    expected = set()
    cohort = loading.load([ward.cycle.id], [StaffGroup.doctor]).cohort_of(
        ward.cycle.id, ward.outlier.id)
    codes = {i.code: i.id for i in cohort.indicators}
    for outlier in cohort.score().outliers(OutlierLevel.alarm):
        assert outlier.position.level is OutlierLevel.alarm
        if outlier.position.unfavourable:
            expected.add((outlier.key, codes[outlier.indicator]))
    assert {(a.staff_id, a.indicator_id) for a in raised} == expected
    assert (ward.outlier.id, ward.readmission.id) in expected
    assert (ward.favourable.id, ward.readmission.id) not in expected  # beyond, but favourable
    alarm = next(a for a in raised if a.staff_id == ward.outlier.id)
    assert alarm.side == "high"
    assert alarm.observed_rate > alarm.upper_limit > alarm.group_rate > alarm.lower_limit
    assert outcome.raised == raised and not outcome.failed
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "alarm.raised"))
    assert {e.object_id for e in entries} == {str(a.id) for a in raised}


def test_refreshing_again_raises_nothing_new(ward):
    refresh_alarms(ward.admin, ward.cycle)
    again = refresh_alarms(None, ward.cycle)  # as a scheduler job would call it
    count = len(alarms())
    assert again.raised == [] and again.already_known == count >= 1


def test_the_scheduler_refreshes_every_cycle_taking_data(ward):
    closed = factories.cycle(state=CycleState.closed)
    outcome = refresh_alarms_of_current_cycles()
    assert set(outcome) == {ward.cycle.name} and closed.name not in outcome
    assert outcome[ward.cycle.name].raised
    assert all(e.actor_id is None for e in db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "alarm.raised")))


def test_the_managers_of_the_department_are_told(ward):
    refresh_alarms(ward.admin, ward.cycle)
    told = list(db.session.scalars(select(Notification).where(Notification.kind == "alarm")))
    assert {n.recipient_id for n in told} == {ward.manager.id}
    assert len(told) == len(alarms())
    mine = next(n for n in told if ward.outlier.name in n.subject)
    assert "99.8% control limits" in mine.body and mine.link.startswith("/results/alarms")


def test_the_button_recomputes_for_the_chosen_cycle(client, auth, ward):
    auth.login(ward.admin)
    response = client.post("/results/alarms/refresh", data={"cycle": str(ward.cycle.id)},
                           follow_redirects=True)
    assert f"{len(alarms())} new alarm" in text_of(response.get_data(as_text=True))
    assert ward.outlier.name in response.get_data(as_text=True)


def test_a_manager_sees_the_alarms_of_their_departments_only(client, auth, ward):
    refresh_alarms(ward.admin, ward.cycle)
    db.session.commit()
    auth.login(ward.manager)
    assert ward.outlier.name in client.get("/results/alarms").get_data(as_text=True)
    auth.logout()
    auth.login(ward.other_manager)
    page = client.get("/results/alarms").get_data(as_text=True)
    assert ward.outlier.name not in page
    assert "No alarm is waiting to be acknowledged." in text_of(page)
    assert "Recompute alarms" not in page  # the performance office's button


def test_acknowledging_needs_a_note_and_is_audited(client, auth, ward):
    refresh_alarms(ward.admin, ward.cycle)
    alarm = next(a for a in alarms() if a.staff_id == ward.outlier.id)
    db.session.commit()
    auth.login(ward.manager)
    refused = client.post(f"/results/alarms/{alarm.id}/acknowledge", data={"note": "  "})
    assert "Say what was looked at or decided." in refused.get_data(as_text=True)
    done = client.post(f"/results/alarms/{alarm.id}/acknowledge",
                       data={"note": "Case mix: two transfers from ICU. Reviewed."},
                       follow_redirects=True)
    assert "is acknowledged" in text_of(done.get_data(as_text=True))
    db.session.expire_all()
    assert alarm.acknowledged_by_id == ward.manager.id
    assert alarm.acknowledgement_note.startswith("Case mix")
    assert db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "alarm.acknowledged")).one().actor_id == ward.manager.id
    listed = client.get("/results/alarms?state=acknowledged").get_data(as_text=True)
    assert "Case mix: two transfers" in listed


def test_an_alarm_is_acknowledged_once(ward):
    refresh_alarms(ward.admin, ward.cycle)
    alarm = next(a for a in alarms() if a.staff_id == ward.outlier.id)
    acknowledge_alarm(ward.manager, alarm, "Seen.")
    with pytest.raises(AlarmError):
        acknowledge_alarm(ward.admin, alarm, "Seen again.")


def test_another_manager_cannot_acknowledge(client, auth, ward):
    refresh_alarms(ward.admin, ward.cycle)
    alarm = next(a for a in alarms() if a.staff_id == ward.outlier.id)
    db.session.commit()
    auth.login(ward.other_manager)
    assert client.post(f"/results/alarms/{alarm.id}/acknowledge",
                       data={"note": "Not mine."}).status_code == 403
    with pytest.raises(PermissionError):
        acknowledge_alarm(ward.other_manager, alarm, "Not mine.")


def test_a_risk_adjusted_alarm_keeps_the_real_number_of_cases(ward):
    """On the funnel a risk-adjusted rate sits at expected / group rate; the alarm (and the
    alarms page's "Cases") must still say how many patients the clinician treated."""
    person = ward.staff[3]
    mortality = db.session.scalars(select(Measurement).filter_by(
        cycle_id=ward.cycle.id, staff_id=person.id, indicator_id=ward.mortality.id)).one()
    mortality.numerator, mortality.denominator, mortality.expected = 30, 150, 3.0
    db.session.commit()
    refresh_alarms(ward.admin, ward.cycle)
    alarm = db.session.scalars(select(Alarm).filter_by(
        staff_id=person.id, indicator_id=ward.mortality.id)).one()
    assert alarm.denominator == 150 and alarm.side == "high"


def test_the_scheduler_job_raises_the_alarms(app, ward):
    from appraisal.jobs.runner import run_job
    from appraisal.jobs.scheduler import JOBS

    result = run_job(app, JOBS["alarms"])
    assert result.outcome == "succeeded", result.error
    raised = alarms()
    assert raised and result.summary.startswith(f"{len(raised)} alarm(s) raised in 1 cycle(s)")
    again = run_job(app, JOBS["alarms"], now=utcnow() + timedelta(hours=1))
    assert again.summary.startswith("0 alarm(s) raised") and len(alarms()) == len(raised)
