from flask import Blueprint

from appraisal.api import views
from appraisal.core.handlers import add_rule
from appraisal.extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
# The API authenticates each request by its bearer token, never by the session cookie, so a
# cross-site form cannot use it: CSRF tokens do not apply.
csrf.exempt(bp)

add_rule(bp, "/cycles", views.RHCycles, "cycles")
add_rule(bp, "/cycles/<int:cycle_id>/batches", views.RHBatchCreate, "batch_create")
add_rule(bp, "/indicators", views.RHIndicators, "indicators")
add_rule(bp, "/openapi.json", views.RHOpenApi, "openapi")
