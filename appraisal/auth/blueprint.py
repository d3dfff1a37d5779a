from flask import Blueprint

from appraisal.auth.views import RHChangePassword, RHLogin, RHLogout, RHSetLanguage
from appraisal.core.handlers import add_rule

bp = Blueprint("auth", __name__)
add_rule(bp, "/login", RHLogin, "login")
add_rule(bp, "/logout", RHLogout, "logout")
add_rule(bp, "/account/password", RHChangePassword, "change_password")
add_rule(bp, "/language", RHSetLanguage, "set_language")
