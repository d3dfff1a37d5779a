from flask import Blueprint

from appraisal.core.handlers import add_rule
from appraisal.org import views

bp = Blueprint("org", __name__, url_prefix="/org")

add_rule(bp, "/departments", views.RHDepartments, "departments")
add_rule(bp, "/departments/new", views.RHDepartmentCreate, "department_create")
add_rule(bp, "/departments/<int:department_id>", views.RHDepartmentDetail, "department_detail")
add_rule(bp, "/departments/<int:department_id>/edit", views.RHDepartmentEdit, "department_edit")
add_rule(bp, "/departments/<int:department_id>/move", views.RHDepartmentMove, "department_move")
add_rule(bp, "/departments/<int:department_id>/deactivate", views.RHDepartmentDeactivate,
         "department_deactivate")
add_rule(bp, "/departments/<int:department_id>/reactivate", views.RHDepartmentReactivate,
         "department_reactivate")
add_rule(bp, "/departments/export.csv", views.RHDepartmentExport, "department_export")
add_rule(bp, "/departments/import", views.RHDepartmentImport, "department_import")
add_rule(bp, "/departments/import/<int:batch_id>", views.RHDepartmentImportPreview,
         "department_import_preview")
add_rule(bp, "/departments/import/<int:batch_id>/confirm", views.RHDepartmentImportConfirm,
         "department_import_confirm")

add_rule(bp, "/staff", views.RHStaffList, "staff_list")
add_rule(bp, "/staff/new", views.RHStaffCreate, "staff_create")
add_rule(bp, "/staff/<int:staff_id>", views.RHStaffDetail, "staff_detail")
add_rule(bp, "/staff/<int:staff_id>/edit", views.RHStaffEdit, "staff_edit")
add_rule(bp, "/staff/export.csv", views.RHStaffExport, "staff_export")
add_rule(bp, "/staff/import", views.RHStaffImport, "staff_import")
add_rule(bp, "/staff/import/<int:batch_id>", views.RHStaffImportPreview, "staff_import_preview")
add_rule(bp, "/staff/import/<int:batch_id>/confirm", views.RHStaffImportConfirm,
         "staff_import_confirm")
