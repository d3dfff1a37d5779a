"""Who may see which results: pure rules on loaded attributes (no queries)."""

from __future__ import annotations


def can_view_scorecard(user, staff) -> bool:
    """The person themself, a manager of their department (or above it), an administrator."""
    return user.can_view_staff(staff)


def can_simulate(user, staff) -> bool:
    """Whoever may read a scorecard may try "what if" on it (nothing is saved)."""
    return can_view_scorecard(user, staff)


def can_list_department_results(user) -> bool:
    return user.is_admin or user.is_manager


def can_view_department_results(user, department) -> bool:
    """Administrators see every department; managers the ones they manage and below."""
    return user.is_admin or user.manages(department)


def can_view_alarms(user) -> bool:
    return user.is_admin or user.is_manager


def can_acknowledge_alarm(user, alarm) -> bool:
    """A manager of the staff member's department (or above it), or an administrator."""
    return user.is_admin or user.manages(alarm.staff.department)


def can_refresh_alarms(user) -> bool:
    """Recomputing touches every department's funnels: the performance office's job."""
    return user.is_admin
