"""Every blueprint of the application, in one list (create_app registers them)."""

from appraisal.accounts.blueprint import bp as accounts_bp
from appraisal.api.blueprint import bp as api_bp
from appraisal.audit.blueprint import bp as audit_bp
from appraisal.auth.blueprint import bp as auth_bp
from appraisal.cycles.blueprint import bp as cycles_bp
from appraisal.home.blueprint import bp as home_bp
from appraisal.indicators.blueprint import bp as indicators_bp
from appraisal.measurements.blueprint import bp as measurements_bp
from appraisal.measurements.data_blueprint import bp as data_bp
from appraisal.notifications.blueprint import bp as notifications_bp
from appraisal.org.blueprint import bp as org_bp
from appraisal.scorecards.blueprint import bp as scorecards_bp

BLUEPRINTS = [auth_bp, home_bp, accounts_bp, audit_bp, notifications_bp, org_bp,
              data_bp]
BLUEPRINTS += [measurements_bp, api_bp]
BLUEPRINTS += [indicators_bp, cycles_bp]
BLUEPRINTS += [scorecards_bp]
