"""URL rules of the data pages: disputes, exemptions and data quality."""

from flask import Blueprint

from appraisal.core.handlers import add_rule
from appraisal.measurements import data_views as views

bp = Blueprint("data", __name__, url_prefix="/data")

add_rule(bp, "/my-measurements", views.RHMyMeasurements, "my_measurements")
add_rule(bp, "/measurements/<int:measurement_id>/dispute", views.RHDisputeCreate,
         "dispute_create")
add_rule(bp, "/disputes", views.RHDisputes, "disputes")
add_rule(bp, "/disputes/<int:dispute_id>", views.RHDisputeDetail, "dispute_detail")
add_rule(bp, "/disputes/<int:dispute_id>/correct", views.RHDisputeCorrect, "dispute_correct")
add_rule(bp, "/disputes/<int:dispute_id>/reject", views.RHDisputeReject, "dispute_reject")

add_rule(bp, "/exemptions", views.RHExemptions, "exemptions")
add_rule(bp, "/exemptions/new", views.RHExemptionCreate, "exemption_create")
add_rule(bp, "/exemptions/<int:exemption_id>/decide", views.RHExemptionDecide,
         "exemption_decide")

add_rule(bp, "/quality", views.RHQuality, "quality")
add_rule(bp, "/quality/missing", views.RHQualityMissing, "quality_missing")
