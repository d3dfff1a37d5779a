"""Who may use the organisation pages: pure rules on loaded attributes (no queries)."""

from __future__ import annotations


def can_list_staff(user) -> bool:
    """Administrators see every staff member; managers those of their departments."""
    return user.is_admin or user.is_manager


def can_filter_by_department(user, department) -> bool:
    """A manager may narrow the list only to a department they manage (or one below)."""
    return user.is_admin or user.manages(department)


def can_manage_organisation(user) -> bool:
    """The tree, staff records and imports are the performance office's job."""
    return user.is_admin
