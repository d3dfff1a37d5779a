"""Every blueprint of the application, in one list (create_app registers them)."""

from appraisal.auth.blueprint import bp as auth_bp
from appraisal.home.blueprint import bp as home_bp

BLUEPRINTS = [auth_bp, home_bp]
