"""How Flask-Login finds the user of a request: through the server-side session row."""

from datetime import timedelta

from flask import current_app, session
from flask_babel import lazy_gettext as _l

from appraisal.auth.operations import load_session_user
from appraisal.extensions import login_manager


def init_login(app) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to open this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = None  # the server-side session row does this job
    login_manager.user_loader(load_user)


def load_user(user_id: str):
    max_age = timedelta(hours=current_app.config["SESSION_ABSOLUTE_HOURS"])
    try:
        return load_session_user(int(user_id), session.get("sid"), max_age)
    except ValueError:
        return None
