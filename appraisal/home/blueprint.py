from flask import Blueprint

from appraisal.core.handlers import add_rule
from appraisal.home.views import RHHome

bp = Blueprint("home", __name__)
add_rule(bp, "/", RHHome, "index")
