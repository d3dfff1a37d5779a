from flask import Blueprint

from appraisal.core.handlers import add_rule
from appraisal.cycles import views

bp = Blueprint("cycles", __name__, url_prefix="/cycles")

add_rule(bp, "", views.RHCycles, "index")
add_rule(bp, "/new", views.RHCycleCreate, "create")
add_rule(bp, "/<int:cycle_id>", views.RHCycleDetail, "detail")
add_rule(bp, "/<int:cycle_id>/edit", views.RHCycleEdit, "edit")
add_rule(bp, "/<int:cycle_id>/state", views.RHCycleTransition, "transition")
add_rule(bp, "/<int:cycle_id>/schemes/new", views.RHSchemeCreate, "scheme_create")
add_rule(bp, "/<int:cycle_id>/schemes/copy", views.RHSchemeCopy, "scheme_copy")

add_rule(bp, "/schemes/<int:scheme_id>", views.RHSchemeDetail, "scheme_detail")
add_rule(bp, "/schemes/<int:scheme_id>/edit", views.RHSchemeEdit, "scheme_edit")
add_rule(bp, "/schemes/<int:scheme_id>/delete", views.RHSchemeDelete, "scheme_delete")
add_rule(bp, "/schemes/<int:scheme_id>/indicators", views.RHSchemeItemAdd, "scheme_item_add")
add_rule(bp, "/schemes/<int:scheme_id>/indicators/<int:item_id>/edit", views.RHSchemeItemEdit,
         "scheme_item_edit")
add_rule(bp, "/schemes/<int:scheme_id>/indicators/<int:item_id>/remove",
         views.RHSchemeItemRemove, "scheme_item_remove")
