"""URL rules of the audit-log page."""

from flask import Blueprint

from appraisal.audit.views import RHAuditExport, RHAuditLog
from appraisal.core.handlers import add_rule

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")
add_rule(bp, "/", RHAuditLog, "log")
add_rule(bp, "/export.csv", RHAuditExport, "export")
