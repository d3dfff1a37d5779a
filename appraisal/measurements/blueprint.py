from flask import Blueprint

from appraisal.core.handlers import add_rule
from appraisal.measurements import views

bp = Blueprint("measurements", __name__, url_prefix="/measurements")

add_rule(bp, "/batches", views.RHBatches, "batches")
add_rule(bp, "/batches/<int:batch_id>", views.RHBatchDetail, "batch_detail")
add_rule(bp, "/import", views.RHImportUpload, "import_upload")
add_rule(bp, "/import/<int:upload_id>", views.RHImportPreview, "import_preview")
add_rule(bp, "/import/<int:upload_id>/confirm", views.RHImportConfirm, "import_confirm")

add_rule(bp, "/api-tokens", views.RHTokens, "tokens")
add_rule(bp, "/api-tokens/issue", views.RHTokenIssue, "token_issue")
add_rule(bp, "/api-tokens/<int:token_id>/revoke", views.RHTokenRevoke, "token_revoke")
