"""Matrix rows for account administration: administrators only."""

from tests.access.cases import Case

NEW_PASSWORD = "a fresh password 1"


def _commit():
    # The target must outlive a refused request (which rolls back): the denied test logs in
    # several users in turn against the same target.
    from appraisal.extensions import db

    db.session.commit()


def _target(w):
    user = w.clinician_b
    _commit()
    return {"user_id": user.id}


def _locked_target(w):
    from appraisal.auth.models import LoginAttempt
    from appraisal.core.db import utcnow
    from appraisal.extensions import db

    args = _target(w)
    db.session.add(LoginAttempt(user_id=args["user_id"], username="w_clinician_b",
                                at=utcnow(), succeeded=False))
    _commit()
    return args


def _inactive_target(w):
    w.clinician_b.active = False
    return _target(w)


def _grant_target(w):
    grant = w.manager_b.grants[0]
    _commit()
    return {"user_id": w.manager_b.id, "grant_id": grant.id}


def _case(endpoint, method="GET", args=_target, data=lambda w: {}):
    return Case(endpoint, method, args=args, data=data, allowed=lambda w: w.admin,
                denied=lambda w: w.manager_a,
                also_denied=[lambda w: w.clinician_a, lambda w: w.nobody, lambda w: w.panel])


CASES = [
    _case("accounts.users", args=lambda w: {}),
    _case("accounts.user_create", args=lambda w: {}),
    _case("accounts.user_create", "POST", args=lambda w: {}, data=lambda w: {
        "username": "new.person", "display_name": "New Person", "password": NEW_PASSWORD,
        "confirm": NEW_PASSWORD}),
    _case("accounts.user_detail"),
    _case("accounts.user_edit"),
    _case("accounts.user_edit", "POST", data=lambda w: {"display_name": "Zhang M."}),
    _case("accounts.user_reset_password", "POST", data=lambda w: {
        "reset-new_password": NEW_PASSWORD, "reset-confirm": NEW_PASSWORD}),
    _case("accounts.user_deactivate", "POST"),
    _case("accounts.user_reactivate", "POST", args=_inactive_target),
    _case("accounts.user_unlock", "POST", args=_locked_target),
    _case("accounts.user_grant_role", "POST", data=lambda w: {"grant-role": "panel_member"}),
    _case("accounts.user_revoke_role", "POST", args=_grant_target),
]
