"""URL rules of the account administration pages."""
from flask import Blueprint

from appraisal.accounts import views
from appraisal.core.handlers import add_rule

bp = Blueprint("accounts", __name__, url_prefix="/accounts")
add_rule(bp, "/users", views.RHUsers, "users")
add_rule(bp, "/users/new", views.RHUserCreate, "user_create")
add_rule(bp, "/users/<int:user_id>", views.RHUserDetail, "user_detail")
add_rule(bp, "/users/<int:user_id>/edit", views.RHUserEdit, "user_edit")
add_rule(bp, "/users/<int:user_id>/password", views.RHUserResetPassword, "user_reset_password")
add_rule(bp, "/users/<int:user_id>/deactivate", views.RHUserDeactivate, "user_deactivate")
add_rule(bp, "/users/<int:user_id>/reactivate", views.RHUserReactivate, "user_reactivate")
add_rule(bp, "/users/<int:user_id>/unlock", views.RHUserUnlock, "user_unlock")
add_rule(bp, "/users/<int:user_id>/roles", views.RHUserGrantRole, "user_grant_role")
add_rule(bp, "/users/<int:user_id>/roles/<int:grant_id>/revoke", views.RHUserRevokeRole,
         "user_revoke_role")
