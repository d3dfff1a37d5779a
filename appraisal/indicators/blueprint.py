from flask import Blueprint

from appraisal.core.handlers import add_rule
from appraisal.indicators import views
from appraisal.indicators.units import format_value

bp = Blueprint("indicators", __name__, url_prefix="/indicators")

# "85%" for a rate stored as 0.85, "7.5 days" for a value: used by every page showing values.
bp.add_app_template_global(format_value, "indicator_value")

add_rule(bp, "", views.RHIndicators, "index")
add_rule(bp, "/new", views.RHIndicatorCreate, "create")
add_rule(bp, "/load-library", views.RHIndicatorLoadLibrary, "load_library")
add_rule(bp, "/<int:indicator_id>", views.RHIndicatorDetail, "detail")
add_rule(bp, "/<int:indicator_id>/edit", views.RHIndicatorEdit, "edit")
add_rule(bp, "/<int:indicator_id>/deactivate", views.RHIndicatorDeactivate, "deactivate")
add_rule(bp, "/<int:indicator_id>/reactivate", views.RHIndicatorReactivate, "reactivate")
