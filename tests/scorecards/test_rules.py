"""Who may see which results: the pure rules, as a table."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from appraisal.scorecards import rules


class Dept(SimpleNamespace):
    def is_within(self, other):
        return self.path.startswith(other.path)


HOSPITAL = Dept(path="/1/")
CARDIOLOGY = Dept(path="/1/2/")
WARD = Dept(path="/1/2/5/")
SURGERY = Dept(path="/1/3/")


def user(admin=False, manages=(), staff_id=None):
    def manages_(department):
        return any(department.is_within(d) for d in manages)

    def can_view_staff(staff):
        return admin or staff_id == staff.id or manages_(staff.department)

    return SimpleNamespace(is_admin=admin, is_manager=bool(manages), manages=manages_,
                           staff_id=staff_id, can_view_staff=can_view_staff)


ADMIN = user(admin=True)
HEAD_OF_CARDIOLOGY = user(manages=(CARDIOLOGY,))
HEAD_OF_SURGERY = user(manages=(SURGERY,))
DOCTOR = user(staff_id=7)
COLLEAGUE = user(staff_id=8)
STAFF = SimpleNamespace(id=7, department=WARD)
ALARM = SimpleNamespace(staff=STAFF)


@pytest.mark.parametrize(("who", "scorecard", "department", "alarms", "acknowledge",
                          "refresh"), [
    (ADMIN, True, True, True, True, True),
    (HEAD_OF_CARDIOLOGY, True, True, True, True, False),
    (HEAD_OF_SURGERY, False, False, True, False, False),
    (DOCTOR, True, False, False, False, False),
    (COLLEAGUE, False, False, False, False, False),
])
def test_rules(who, scorecard, department, alarms, acknowledge, refresh):
    assert rules.can_view_scorecard(who, STAFF) is scorecard
    assert rules.can_simulate(who, STAFF) is scorecard
    assert rules.can_view_department_results(who, CARDIOLOGY) is department
    assert rules.can_list_department_results(who) is (alarms)
    assert rules.can_view_alarms(who) is alarms
    assert rules.can_acknowledge_alarm(who, ALARM) is acknowledge
    assert rules.can_refresh_alarms(who) is refresh


def test_a_manager_of_a_ward_does_not_see_the_department_above():
    head_of_ward = user(manages=(WARD,))
    assert not rules.can_view_department_results(head_of_ward, CARDIOLOGY)
    assert rules.can_view_department_results(head_of_ward, WARD)
    assert not rules.can_view_department_results(head_of_ward, HOSPITAL)
