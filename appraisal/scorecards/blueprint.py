from flask import Blueprint

from appraisal.core.handlers import add_rule
from appraisal.scorecards import views
from appraisal.scorecards.display import points, result_value, share, signed

bp = Blueprint("scorecards", __name__, url_prefix="/results")

bp.add_app_template_filter(points, "points")
bp.add_app_template_filter(share, "share")
bp.add_app_template_filter(signed, "signed")
bp.add_app_template_global(result_value, "result_value")

add_rule(bp, "/mine", views.RHMyScorecard, "mine")
add_rule(bp, "/staff/<int:staff_id>/cycles/<int:cycle_id>", views.RHScorecard, "person")
add_rule(bp, "/staff/<int:staff_id>/cycles/<int:cycle_id>/what-if", views.RHWhatIf, "whatif")
add_rule(bp, "/staff/<int:staff_id>/cycles/<int:cycle_id>/what-if.json", views.RHWhatIfJson,
         "whatif_json")
add_rule(bp, "/departments", views.RHDepartments, "departments")
add_rule(bp, "/departments/<int:department_id>", views.RHDepartment, "department")
add_rule(bp, "/alarms", views.RHAlarms, "alarms")
add_rule(bp, "/alarms/refresh", views.RHAlarmsRefresh, "alarms_refresh")
add_rule(bp, "/alarms/<int:alarm_id>/acknowledge", views.RHAlarmAcknowledge, "alarm_acknowledge")
