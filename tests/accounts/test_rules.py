"""The pure rules of account administration, as tables."""

from __future__ import annotations

import pytest

from appraisal.accounts import rules
from appraisal.auth.models import Role, RoleGrant, User


def _user(uid, *roles, active=True, department_id=None):
    user = User(id=uid, username=f"u{uid}", active=active)
    for role in roles:
        user.grants.append(RoleGrant(role=role, department_id=department_id
                                     if role is Role.manager else None))
    return user


ADMIN = _user(1, Role.admin)
OTHER_ADMIN = _user(2, Role.admin)
MANAGER = _user(3, Role.manager, department_id=7)
PLAIN = _user(4)
INACTIVE = _user(5, Role.admin, active=False)


@pytest.mark.parametrize("actor, target, expected", [
    (ADMIN, PLAIN, True),
    (ADMIN, OTHER_ADMIN, True),
    (ADMIN, ADMIN, False),  # never oneself
    (ADMIN, INACTIVE, False),  # already inactive
    (MANAGER, PLAIN, False),
    (PLAIN, MANAGER, False),
])
def test_can_deactivate(actor, target, expected):
    assert rules.can_deactivate(actor, target) is expected


@pytest.mark.parametrize("actor, target, expected", [
    (ADMIN, INACTIVE, True),
    (ADMIN, PLAIN, False),
    (MANAGER, INACTIVE, False),
])
def test_can_reactivate(actor, target, expected):
    assert rules.can_reactivate(actor, target) is expected


@pytest.mark.parametrize("actor, grant, active_admins, expected", [
    (ADMIN, ADMIN.grants[0], 1, False),  # the last active administrator keeps the role
    (ADMIN, ADMIN.grants[0], 2, True),  # another one remains
    (ADMIN, INACTIVE.grants[0], 1, True),  # an inactive admin's role may always go
    (ADMIN, MANAGER.grants[0], 1, True),
    (MANAGER, MANAGER.grants[0], 2, False),  # only administrators revoke
])
def test_can_revoke(actor, grant, active_admins, expected):
    assert rules.can_revoke(actor, grant, active_admins) is expected


@pytest.mark.parametrize("user, role, department_id, expected", [
    (ADMIN, Role.admin, None, True),
    (ADMIN, Role.panel_member, None, False),
    (MANAGER, Role.manager, 7, True),
    (MANAGER, Role.manager, 8, False),
    (PLAIN, Role.admin, None, False),
])
def test_holds(user, role, department_id, expected):
    assert rules.holds(user, role, department_id) is expected
