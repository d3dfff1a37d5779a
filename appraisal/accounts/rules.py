"""Pure rules for administering accounts (no database: they read loaded attributes only)."""

from __future__ import annotations

from appraisal.auth.models import Role, RoleGrant, User


def can_administer_accounts(actor: User) -> bool:
    return actor.is_authenticated and actor.is_active and actor.is_admin


def can_deactivate(actor: User, target: User) -> bool:
    """Nobody deactivates their own account: it would lock them out in the middle of work."""
    return can_administer_accounts(actor) and actor.id != target.id and target.active


def can_reactivate(actor: User, target: User) -> bool:
    return can_administer_accounts(actor) and not target.active


def can_revoke(actor: User, grant: RoleGrant, active_admins: int) -> bool:
    """Any grant may go, except the admin role of the last active administrator."""
    if not can_administer_accounts(actor):
        return False
    last_admin = grant.role is Role.admin and grant.user.active and active_admins <= 1
    return not last_admin


def holds(user: User, role: Role, department_id: int | None) -> bool:
    """True if ``user`` already has exactly this grant."""
    return any(grant.role is role and grant.department_id == department_id
               for grant in user.grants)
